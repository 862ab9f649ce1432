// Chapter 10: EfficientNet-Lite0, a network trained on ImageNet, names the five likeliest of
// its 1,000 classes for a photo.
//
// The model is the ONNX file that scripts/build_figures.py exported from the chapter's Keras
// network and checked against it on real photos; its record (assets/results/<record>.json,
// field web_model) names the file, the example photos and the class names. The photo is
// cropped as the network's authors evaluated it: the central square of 87.5% of the shorter
// side, resized to 224x224. The example photos are 256 pixels on their shorter side, so
// their crop is exactly their central 224x224 pixels, as in Python. The model gets RGB pixels
// 0..255; the scaling (x - 127) / 128 is inside it.
import { barChart, el, fetchJson, lang, loadModel, ranked, siteUrl, whenNear } from "./onnx-model.js";

const SIZE = 224; // the network's input
const CROP = 0.875; // the authors' evaluation crop: 224 of 256
const TOP = 5;

const WORDS = {
  zh: {
    hint: "点一张示例照片，或者放入一张自己的照片：ImageNet 上训练的 EfficientNet-Lite0 给出它认为最可能的五个类别"
      + "（类别名是 ImageNet 的英文名）。",
    gallery: "示例照片",
    photo: "选一张照片",
    drop: "（也可以把照片拖到这里；取中间 87.5% 的正方形，缩放到 224×224。）",
    seen: "网络看到的 224×224 图像",
    yours: "你的照片，网络看到的 224×224 图像",
    loading: "正在载入模型……",
    downloading: (mb) => `正在下载模型（${mb} MB）……`,
    failed: "出错了：",
    pick: "选一张照片吧。",
    working: "计算中……",
    guess: (label, percent) => `网络认为最可能是“${label}”（${percent}）。`,
    about: (m) => `模型：${m.file}（${m.precision}，${m.mb} MB），由本章的 Keras 网络导出；在 ${m.n} 张猫狗`
      + `验证照片上，它和 Keras 给出相同第一名的有 ${m.same} 张。`,
    smoke: "冒烟测试的模型，不是结果。",
  },
  en: {
    hint: "Click an example photo, or drop in a photo of your own: EfficientNet-Lite0, trained on ImageNet, "
      + "names the five classes it finds likeliest.",
    gallery: "Example photos",
    photo: "Choose a photo",
    drop: "(or drop one here; its central square, 87.5% of the shorter side, is resized to 224×224.)",
    seen: "The 224×224 image the network sees",
    yours: "Your photo: the 224×224 image the network sees",
    loading: "Loading the model…",
    downloading: (mb) => `Downloading the model (${mb} MB)…`,
    failed: "Something went wrong: ",
    pick: "Pick a photo.",
    working: "Working…",
    guess: (label, percent) => `The network's best guess: ${label} (${percent}).`,
    about: (m) => `Model: ${m.file} (${m.precision}, ${m.mb} MB), exported from this chapter's Keras network; `
      + `on ${m.n} validation photos of cats and dogs it names the same top-1 class as Keras on ${m.same}.`,
    smoke: "A smoke-run model, not a result.",
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

// The authors' crop, drawn into `canvas` (224x224): the central square of 87.5% of the
// shorter side, with the same rounding as companion.pretrained_lite0.load_and_crop.
function crop(bitmap, canvas) {
  const side = Math.max(1, Math.floor(CROP * Math.min(bitmap.width, bitmap.height)));
  const top = Math.floor((bitmap.height - side + 1) / 2);
  const left = Math.floor((bitmap.width - side + 1) / 2);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, left, top, side, side, 0, 0, SIZE, SIZE);
  return context.getImageData(0, 0, SIZE, SIZE);
}

export default function mount(root) {
  const status = el("p", { class: "book-widget__status", "aria-live": "polite" }, WORDS.loading);
  root.replaceChildren(el("p", { class: "book-widget__hint" }, WORDS.hint), status);
  whenNear(root, () => start(root, status).catch((error) => { status.textContent = WORDS.failed + error.message; }));
}

async function start(root, status) {
  const record = await fetchJson(`assets/results/${root.dataset.record}.json`);
  const info = record.web_model;
  const names = (await fetchJson(info.class_names)).names;

  let model = null; // until it has loaded, a choice is shown but not classified
  let pending = null; // the last choice made while the model loads
  const show = (promise) => promise.catch((error) => { status.textContent = WORDS.failed + error.message; });

  const gallery = el("div", { class: "photo-classifier__gallery", role: "group", "aria-label": WORDS.gallery });
  const buttons = info.examples.map((example, k) => {
    const button = el("button", { type: "button", class: "photo-classifier__example", "aria-pressed": "false",
      title: example.alt[lang] },
    el("img", { src: siteUrl(example.file), alt: example.alt[lang], width: example.size[0], height: example.size[1] }));
    button.addEventListener("click", () => show((async () => {
      const blob = await (await fetch(siteUrl(example.file))).blob();
      // As stored: no colour conversion (the files carry no profile), the pixels Python reads.
      const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
      await choose(bitmap, WORDS.seen, button, k);
    })()));
    gallery.append(button);
    return button;
  });

  const file = el("input", { type: "file", accept: "image/*", class: "photo-classifier__file" });
  const upload = el("label", { class: "md-button photo-classifier__upload" }, WORDS.photo, file);
  const seen = el("canvas", { class: "photo-classifier__seen", width: SIZE, height: SIZE, role: "img",
    "aria-label": WORDS.seen });
  const caption = el("figcaption", {}, WORDS.seen);
  const chart = barChart(names, TOP);
  chart.element.hidden = true; // no classes to show before the first photo
  const about = el("p", { class: "book-widget__about" });
  // The crop and the bars appear with the first photo: before it there is nothing to show.
  const result = el("div", { class: "photo-classifier__result" },
    el("figure", {}, seen, caption),
    el("div", { class: "photo-classifier__chart" }, chart.element));
  result.hidden = true;
  root.replaceChildren(
    el("p", { class: "book-widget__hint" }, WORDS.hint),
    gallery,
    el("p", { class: "photo-classifier__photo" }, upload, " ", WORDS.drop),
    result,
    status, about);

  const usePhoto = async (blob) => choose(await createImageBitmap(blob), WORDS.yours);
  file.addEventListener("change", () => file.files[0] && show(usePhoto(file.files[0])));
  root.addEventListener("dragover", (event) => { event.preventDefault(); root.classList.add("book-widget--drop"); });
  root.addEventListener("dragleave", () => root.classList.remove("book-widget--drop"));
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    root.classList.remove("book-widget--drop");
    const dropped = [...event.dataTransfer.files].find((f) => f.type.startsWith("image/"));
    if (dropped) show(usePhoto(dropped));
  });

  status.textContent = WORDS.downloading((info.bytes / 1e6).toFixed(1));
  model = await loadModel(root.dataset.record);
  const checked = info.agreement_with_keras[info.precision];
  const line = WORDS.about({
    file: info.file.split("/").pop(),
    precision: info.precision,
    mb: (info.bytes / 1e6).toFixed(1),
    n: info.n_photos,
    same: checked.same_top1,
  });
  about.textContent = record.provenance.smoke ? `${line} ${WORDS.smoke}` : line;
  root.dataset.ready = "true";
  if (pending) await show(pending());
  else status.textContent = WORDS.pick;

  async function choose(bitmap, label, button = null, k = null) {
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    const image = crop(bitmap, seen);
    caption.textContent = label;
    seen.setAttribute("aria-label", label);
    delete root.dataset.chosen;
    if (!model) {
      pending = () => classify(image, k); // classified once the model is there
      return;
    }
    await classify(image, k);
  }

  async function classify(image, k) {
    status.textContent = WORDS.working;
    const probabilities = await model.probabilities(rgb(image));
    const top = ranked(probabilities).slice(0, TOP);
    chart.update(probabilities, top);
    chart.element.hidden = false;
    result.hidden = false;
    status.textContent = WORDS.guess(names[top[0]], `${(100 * probabilities[top[0]]).toFixed(1)}%`);
    root.dataset.top = top.join(",");
    root.dataset.probabilities = JSON.stringify(top.map((c) => probabilities[c]));
    root.dataset.chosen = k === null ? "photo" : k;
  }
}
