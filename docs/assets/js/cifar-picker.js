// Chapter 05: the chapter's best ResNet20 names the three likeliest classes of a picture.
//
// The pictures are CIFAR-10 test images that scripts/build_figures.py put in one PNG (a
// sprite, lossless: the very pixels Python reads), with their true labels and the class
// names in a small JSON; or a photo of the reader's, cropped to its central square and
// shrunk to 32x32. The model gets RGB pixels 0..255; scaling and the training set's mean
// image are inside it, exactly as the chapter preprocessed its data.
import { barChart, el, fetchJson, lang, loadModel, modelLine, ranked, siteUrl, whenNear } from "./onnx-model.js";

const WORDS = {
  zh: {
    hint: "点一张 CIFAR-10 测试图片，或者放入一张自己的照片：模型给出它认为最可能的三个类别。",
    gallery: "CIFAR-10 测试图片",
    tile: (n, label) => `测试图片第 ${n} 张，真实类别：${label}`,
    photo: "选一张照片",
    drop: "（也可以把照片拖到这里；它会被裁成中间的正方形，再缩小到 32×32。）",
    seen: "模型看到的 32×32 图像",
    truth: (label) => `真实类别：${label}`,
    yours: "你的照片",
    loading: "正在载入模型……",
    failed: "出错了：",
    pick: "选一张图片吧。",
    guess: (label, percent) => `模型认为最可能是“${label}”（${percent}）。`,
  },
  en: {
    hint: "Click a CIFAR-10 test image, or drop in a photo of your own: the model names the three classes it finds likeliest.",
    gallery: "CIFAR-10 test images",
    tile: (n, label) => `Test image ${n}, true class: ${label}`,
    photo: "Choose a photo",
    drop: "(or drop one here; it is cropped to its central square and shrunk to 32×32.)",
    seen: "The 32×32 image the model sees",
    truth: (label) => `True class: ${label}`,
    yours: "Your photo",
    loading: "Loading the model…",
    failed: "Something went wrong: ",
    pick: "Pick an image.",
    guess: (label, percent) => `The model's best guess: ${label} (${percent}).`,
  },
}[lang];

// RGB values 0..255 (height x width x 3, the model's layout) of RGBA ImageData.
function rgb(image) {
  const out = new Float32Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) {
    out.set(image.data.subarray(4 * i, 4 * i + 3), 3 * i);
  }
  return out;
}

// A canvas holding a whole image file's pixels as stored: no colour management, no
// premultiplied alpha, so that the values read back are the file's own.
async function canvasOf(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = el("canvas", { width: bitmap.width, height: bitmap.height });
  canvas.getContext("2d", { willReadFrequently: true }).drawImage(bitmap, 0, 0);
  return canvas;
}

// A photo's central square, shrunk to size x size.
async function photoPixels(file, size) {
  const bitmap = await createImageBitmap(file);
  const side = Math.min(bitmap.width, bitmap.height);
  const canvas = el("canvas", { width: size, height: size });
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  return context.getImageData(0, 0, size, size);
}

export default function mount(root) {
  const status = el("p", { class: "book-widget__status", "aria-live": "polite" }, WORDS.loading);
  root.replaceChildren(el("p", { class: "book-widget__hint" }, WORDS.hint), status);
  whenNear(root, () => start(root, status).catch((error) => { status.textContent = WORDS.failed + error.message; }));
}

async function start(root, status) {
  const images = await fetchJson(`assets/widgets/${root.dataset.images}.json`);
  const classes = images.classes[lang];
  const [h, w] = images.tile;
  const sprite = await canvasOf(await (await fetch(siteUrl(`assets/widgets/${images.sprite}`))).blob());
  const sheet = sprite.getContext("2d", { willReadFrequently: true });
  const tile = (k) => sheet.getImageData((k % images.columns) * w, Math.floor(k / images.columns) * h, w, h);

  let model = null; // until it has loaded, a choice is shown but not classified
  // A failure (a file that is no image, say) is said in the status line, not thrown away.
  const show = (promise) => promise.catch((error) => { status.textContent = WORDS.failed + error.message; });
  const usePhoto = async (blob) => choose(await photoPixels(blob, w), WORDS.yours);

  const gallery = el("div", { class: "cifar-picker__gallery", role: "group", "aria-label": WORDS.gallery });
  const buttons = images.images.map((image, k) => {
    const thumb = el("canvas", { width: w, height: h });
    thumb.getContext("2d").putImageData(tile(k), 0, 0);
    const button = el("button", { type: "button", class: "cifar-picker__tile", "aria-pressed": "false",
      title: WORDS.tile(image.test_index, classes[image.label]),
      "aria-label": WORDS.tile(image.test_index, classes[image.label]) }, thumb);
    button.addEventListener("click", () => show(choose(tile(k), WORDS.truth(classes[image.label]), button, k)));
    gallery.append(button);
    return button;
  });

  const file = el("input", { type: "file", accept: "image/*", class: "cifar-picker__file" });
  const upload = el("label", { class: "md-button cifar-picker__upload" }, WORDS.photo, file);
  const seen = el("canvas", { class: "cifar-picker__seen", width: w, height: h, role: "img", "aria-label": WORDS.seen });
  const caption = el("figcaption", {}, WORDS.seen);
  const chart = barChart(classes, 3);
  const about = el("p", { class: "book-widget__about" });
  root.replaceChildren(
    el("p", { class: "book-widget__hint" }, WORDS.hint),
    gallery,
    el("p", { class: "cifar-picker__photo" }, upload, " ", WORDS.drop),
    el("div", { class: "cifar-picker__result" },
      el("figure", {}, seen, caption),
      el("div", { class: "cifar-picker__chart" }, chart.element)),
    status, about);

  file.addEventListener("change", () => file.files[0] && show(usePhoto(file.files[0])));
  root.addEventListener("dragover", (event) => { event.preventDefault(); root.classList.add("book-widget--drop"); });
  root.addEventListener("dragleave", () => root.classList.remove("book-widget--drop"));
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    root.classList.remove("book-widget--drop");
    const dropped = [...event.dataTransfer.files].find((f) => f.type.startsWith("image/"));
    if (dropped) show(usePhoto(dropped));
  });

  model = await loadModel(root.dataset.record);
  about.textContent = modelLine(model);
  status.textContent = WORDS.pick;
  root.dataset.ready = "true";

  async function choose(image, truth, button = null, k = null) {
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    seen.getContext("2d").putImageData(image, 0, 0);
    caption.textContent = truth;
    if (!model) return;
    const probabilities = await model.probabilities(rgb(image));
    const top = ranked(probabilities).slice(0, 3);
    chart.update(probabilities, top);
    status.textContent = WORDS.guess(classes[top[0]], `${(100 * probabilities[top[0]]).toFixed(1)}%`);
    root.dataset.top = top.join(",");
    root.dataset.probabilities = JSON.stringify(probabilities);
    root.dataset.chosen = k === null ? "photo" : k;
  }
}
