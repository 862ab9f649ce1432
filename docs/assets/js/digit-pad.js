// Chapter 02: draw a digit and the chapter's MLP reads it while you draw.
//
// The model is given what MNIST's digits are made of (LeCun, Cortes and Burges): the
// drawing's bounding box is scaled to fit a 20x20 box, keeping its aspect ratio (each pixel
// the average of the ink it covers, which leaves grey edges as MNIST's anti-aliasing did),
// then placed in a 28x28 image so that its centre of mass falls on the centre. White ink on
// black, whole numbers 0..255, as MNIST stores them; the model scales them itself.
import { barChart, el, lang, loadModel, modelLine, ranked, whenNear } from "./onnx-model.js";

const WORDS = {
  zh: {
    pad: "手写数字的画板：用鼠标或手指在这里写一个 0 到 9 的数字",
    hint: "在方框里用鼠标或手指写一个数字（0–9），模型边看边猜。",
    clear: "清除",
    sees: "模型看到的 28×28 图像",
    chart: "十个数字的概率",
    loading: "正在载入模型……",
    failed: "模型没能载入：",
    empty: "写一个数字吧。",
    guess: (digit, percent) => `模型认为是 ${digit}（${percent}）。`,
  },
  en: {
    pad: "Drawing pad: write a digit from 0 to 9 here with the mouse or a finger",
    hint: "Write a digit (0–9) in the box with the mouse or a finger; the model guesses as you draw.",
    clear: "Clear",
    sees: "The 28×28 image the model sees",
    chart: "Probabilities of the ten digits",
    loading: "Loading the model…",
    failed: "The model did not load: ",
    empty: "Write a digit.",
    guess: (digit, percent) => `The model reads a ${digit} (${percent}).`,
  },
}[lang];

const PAD = 280; // the pad's own pixels, whatever size it is shown at
const PEN = PAD / 12; // a digit as tall as the pad ends up with strokes about 2 px wide

// MNIST-style 28x28 pixels (Uint8ClampedArray, 0..255) from ink coverage 0..1, or null if blank.
export function mnistPixels(ink, width, height) {
  let top = height, left = width, bottom = -1, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  const bw = right - left + 1, bh = bottom - top + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.subarray((top + y) * width + left, (top + y) * width + right + 1), y * bw);

  // The longer side becomes 20 pixels, the other keeps the proportion.
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale)), h = Math.max(1, Math.round(bh * scale));
  const box = resampleArea(crop, bw, bh, w, h);

  // Shift the centre of mass (pixel centres at +0.5) to the centre of the 28x28 field.
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = box[y * w + x];
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    }
  }
  const dx = Math.round(14 - mx / mass), dy = Math.round(14 - my / mass);
  const pixels = new Uint8ClampedArray(28 * 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const X = x + dx, Y = y + dy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) pixels[Y * 28 + X] = Math.round(255 * box[y * w + x]);
    }
  }
  return pixels;
}

// Resize a w x h image to tw x th, each new pixel the mean of the old area it covers.
function resampleArea(source, w, h, tw, th) {
  const rows = new Float32Array(tw * h);
  for (let y = 0; y < h; y++) resampleLine((i) => source[y * w + i], w, tw, (x, v) => { rows[y * tw + x] = v; });
  const out = new Float32Array(tw * th);
  for (let x = 0; x < tw; x++) resampleLine((i) => rows[i * tw + x], h, th, (y, v) => { out[y * tw + x] = v; });
  return out;
}

// n samples to m: sample j is the mean of the input over [j, j + 1) * n / m.
function resampleLine(get, n, m, put) {
  const step = n / m;
  for (let j = 0; j < m; j++) {
    const start = j * step, end = start + step;
    let sum = 0;
    for (let i = Math.floor(start); i < Math.min(n, Math.ceil(end)); i++) {
      sum += (Math.min(end, i + 1) - Math.max(start, i)) * get(i);
    }
    put(j, sum / step);
  }
}

export default function mount(root) {
  const pad = el("canvas", { class: "digit-pad__canvas", width: PAD, height: PAD, role: "img", "aria-label": WORDS.pad });
  const preview = el("canvas", { class: "digit-pad__preview", width: 28, height: 28, role: "img", "aria-label": WORDS.sees });
  const clear = el("button", { type: "button", class: "md-button digit-pad__clear" }, WORDS.clear);
  const chart = barChart([..."0123456789"]);
  const status = el("p", { class: "book-widget__status", "aria-live": "polite" }, WORDS.loading);
  const about = el("p", { class: "book-widget__about" });
  root.replaceChildren(
    el("p", { class: "book-widget__hint" }, WORDS.hint),
    el("div", { class: "digit-pad" },
      el("div", { class: "digit-pad__drawing" }, pad, clear),
      el("figure", { class: "digit-pad__seen" }, preview, el("figcaption", {}, WORDS.sees)),
      el("div", { class: "digit-pad__chart", "aria-label": WORDS.chart }, chart.element)),
    status, about);

  const ink = pad.getContext("2d", { willReadFrequently: true });
  ink.lineCap = ink.lineJoin = "round";
  ink.lineWidth = PEN;
  let model = null, busy = false, again = false, last = null;

  function point(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * PAD / box.width, (event.clientY - box.top) * PAD / box.height];
  }
  // The ink is opaque (black, or white in the dark palette: the stylesheet's color), so that
  // its alpha is the coverage the model is given.
  function stroke(from, to) {
    ink.strokeStyle = getComputedStyle(pad).color;
    ink.beginPath();
    ink.moveTo(...from);
    ink.lineTo(...to);
    ink.stroke();
  }
  function dot(at) {
    ink.fillStyle = getComputedStyle(pad).color;
    ink.beginPath();
    ink.arc(...at, PEN / 2, 0, 2 * Math.PI);
    ink.fill();
  }
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId); // the stroke goes on even if it leaves the pad
    last = point(event);
    dot(last); // a tap leaves a mark too
    predict();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    // The moves the browser merged into this event, for smooth strokes from a fast hand.
    const merged = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of merged.length ? merged : [event]) {
      const next = point(e);
      stroke(last, next);
      last = next;
    }
    predict();
  });
  for (const type of ["pointerup", "pointercancel"]) pad.addEventListener(type, () => { last = null; predict(); });
  clear.addEventListener("click", () => { ink.clearRect(0, 0, PAD, PAD); predict(); });

  // At most one inference at a time; strokes drawn meanwhile are read right after it.
  async function predict() {
    if (!model) return;
    if (busy) { again = true; return; }
    busy = true;
    root.dataset.state = "reading"; // "done" once the pad's last state has been read
    try {
      do {
        again = false;
        await readPad();
      } while (again);
    } catch (error) {
      status.textContent = WORDS.failed + error.message;
    } finally {
      busy = false;
      root.dataset.state = "done";
    }
  }

  async function readPad() {
    const { data } = ink.getImageData(0, 0, PAD, PAD);
    const coverage = new Float32Array(PAD * PAD);
    for (let i = 0; i < coverage.length; i++) coverage[i] = data[4 * i + 3] / 255; // the ink's alpha
    const pixels = mnistPixels(coverage, PAD, PAD);
    showPreview(pixels);
    if (!pixels) {
      chart.update(null);
      status.textContent = WORDS.empty;
      delete root.dataset.prediction;
      return;
    }
    const probabilities = await model.probabilities(pixels);
    const order = ranked(probabilities);
    chart.update(probabilities);
    status.textContent = WORDS.guess(order[0], `${(100 * probabilities[order[0]]).toFixed(1)}%`);
    root.dataset.prediction = order[0];
    root.dataset.probabilities = JSON.stringify(probabilities);
  }

  function showPreview(pixels) {
    const image = preview.getContext("2d").createImageData(28, 28);
    for (let i = 0; i < 28 * 28; i++) {
      const v = pixels ? pixels[i] : 0;
      image.data.set([v, v, v, 255], 4 * i);
    }
    preview.getContext("2d").putImageData(image, 0, 0);
  }
  showPreview(null);

  whenNear(root, async () => {
    try {
      model = await loadModel(root.dataset.record);
      about.textContent = modelLine(model);
      root.dataset.ready = "true";
      await predict();
    } catch (error) {
      status.textContent = WORDS.failed + error.message;
    }
  });
}
