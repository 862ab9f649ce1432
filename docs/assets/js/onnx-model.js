// The book's trained models in the reader's browser (chapters 02 and 05).
//
// A chapter's result record (assets/results/<chapter>.json, written by
// scripts/build_figures.py) names the ONNX file exported from that very run, with its
// accuracy measured on the test set; ONNX Runtime Web runs it here. The runtime is the npm
// package that package-lock.json pins, copied into the site by book/hooks/vendor.py: nothing is
// fetched from another host. The chapter's preprocessing is inside the model, which takes
// pixels 0..255 as the dataset stores them.
import * as ort from "../vendor/onnxruntime-web/ort.wasm.min.mjs";

// One thread: more would need SharedArrayBuffer, hence cross-origin isolation headers that a
// static host (GitHub Pages) does not send. These models take a millisecond or two anyway.
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = new URL("../vendor/onnxruntime-web/", import.meta.url).href;

// The site's root: this file lies in assets/js/. Records name files relative to it.
const SITE = new URL("../../", import.meta.url);

export const lang = document.documentElement.lang === "zh" ? "zh" : "en";

export async function fetchJson(path) {
  const response = await fetch(new URL(path, SITE));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

export function siteUrl(path) {
  return new URL(path, SITE).href;
}

// The model of a chapter's record, ready to run: probabilities(pixels) -> ten numbers.
export async function loadModel(chapter) {
  const record = await fetchJson(`assets/results/${chapter}.json`);
  const info = record.web_model;
  const session = await ort.InferenceSession.create(siteUrl(info.file), { executionProviders: ["wasm"] });
  const shape = [1, ...info.input.shape.slice(1)]; // one image; the batch size is free
  return {
    record,
    info,
    async probabilities(pixels) {
      const input = new ort.Tensor("float32", Float32Array.from(pixels), shape);
      const output = await session.run({ [session.inputNames[0]]: input });
      return Array.from(output[session.outputNames[0]].data);
    },
  };
}

// Calls fn once, when the element comes near the screen: the runtime (about 14 MB) is
// downloaded only by readers who scroll to the widget.
export function whenNear(element, fn) {
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      fn();
    }
  }, { rootMargin: "600px" });
  observer.observe(element);
}

// A line saying which model this is and how it scored; every number comes from the record.
const MODEL_LINE = {
  zh: (m) => `模型：${m.file}（${m.precision}，${m.mb} MB），由本章的运行导出；用 ONNX Runtime 在 ${m.n} 张`
    + `测试图片上的准确率 ${m.accuracy}（Keras 中 ${m.keras}）。`,
  en: (m) => `Model: ${m.file} (${m.precision}, ${m.mb} MB), exported from this chapter's run; test accuracy `
    + `with ONNX Runtime ${m.accuracy} on ${m.n} test images (in Keras: ${m.keras}).`,
};
const SMOKE = { zh: "冒烟测试的模型，不是结果。", en: "A smoke-run model, not a result." };

export function modelLine({ info, record }) {
  const percent = (x) => `${(100 * x).toFixed(2)}%`;
  const line = MODEL_LINE[lang]({
    file: info.file.split("/").pop(),
    precision: info.precision,
    mb: (info.bytes / 1e6).toFixed(1),
    accuracy: percent(info.test_accuracy[`onnx_${info.precision}`]),
    keras: percent(info.test_accuracy.keras),
    n: info.n_test.toLocaleString("en"),
  });
  return record.provenance.smoke ? `${line} ${SMOKE[lang]}` : line;
}

// Element helper: el("div", {class: "x"}, child, "text").
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

// Rows of labelled bars; update(probabilities, order) shows the classes of order (all, in
// their own order, by default) and marks the most probable one.
export function barChart(labels, rows = labels.length) {
  const list = el("ol", { class: "book-bars" });
  const items = Array.from({ length: rows }, () => {
    const name = el("span", { class: "book-bars__label" });
    const fill = el("span", { class: "book-bars__fill" });
    const value = el("span", { class: "book-bars__value" });
    const item = el("li", {}, name, el("span", { class: "book-bars__track" }, fill), value);
    list.append(item);
    return { item, name, fill, value };
  });
  function update(probabilities, order = labels.map((_, i) => i)) {
    const best = probabilities ? ranked(probabilities)[0] : -1;
    items.forEach((row, k) => {
      const c = order[k];
      const p = probabilities ? probabilities[c] : 0;
      row.name.textContent = labels[c];
      row.fill.style.width = `${(100 * p).toFixed(1)}%`;
      row.value.textContent = probabilities ? `${(100 * p).toFixed(1)}%` : "";
      row.item.classList.toggle("book-bars__best", Boolean(probabilities) && c === best);
      row.item.dataset.class = c;
      row.item.dataset.probability = p;
    });
  }
  update(null);
  return { element: list, update };
}

// Class indices from the most probable down.
export function ranked(probabilities) {
  return probabilities.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
}
