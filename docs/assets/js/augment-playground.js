// Chapter 07's augmentation playground: one fixed transform of ImageAugmenter, live.
//
// The arithmetic repeats companion.augment.apply_transform as it runs on TensorFlow, the
// book's default backend: the same 3×3 matrices composed in the same order about the same
// centre (src/companion/augment/fixed.py), then the resampling of TensorFlow's
// ImageProjectiveTransformV3 kernel, which keras.ops.image.affine_transform calls: its four
// fill modes, its bilinear and nearest interpolation, its float32 coordinates.
// tests/test_browser.py checks that this file and the package agree pixel by pixel.
//
// The page holds the markup (labels in its own language); this module only wires it up.

const f32 = Math.fround; // TensorFlow computes the coordinates in float32
const radians = (degrees) => (degrees * Math.PI) / 180;

function multiply(a, b) {
  // 3×3 matrices as row-major arrays of nine numbers
  const product = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += a[3 * row + k] * b[3 * k + col];
      product.push(sum);
    }
  }
  return product;
}

// The matrix taking an output pixel (x, y, 1) to the input point it reads; `params` has the
// names of apply_transform's arguments.
export function transformMatrix(height, width, params) {
  const p = { rotation: 0, width_shift: 0, height_shift: 0, shear: 0, zoom: 1, ...params };
  const [zx, zy] = Array.isArray(p.zoom) ? p.zoom : [p.zoom, p.zoom];
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const c = Math.cos(radians(p.rotation));
  const s = Math.sin(radians(p.rotation));
  const k = Math.tan(radians(p.shear));
  const steps = [
    [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0, 1], // turn about the centre
    [1, k, -k * cy, 0, 1, 0, 0, 0, 1], // rows slide in proportion to y - cy
    [zx, 0, cx * (1 - zx), 0, zy, cy * (1 - zy), 0, 0, 1], // zoom about the centre
    [1, 0, -p.width_shift * width, 0, 1, -p.height_shift * height, 0, 0, 1], // shift
    p.horizontal_flip ? [-1, 0, width - 1, 0, 1, 0, 0, 0, 1] : null,
    p.vertical_flip ? [1, 0, 0, 0, -1, height - 1, 0, 0, 1] : null,
  ];
  return steps.filter(Boolean).reduce(multiply); // rotated first, flipped last
}

// Where a coordinate outside 0 … len - 1 reads, per fill mode: TensorFlow's rules, line by
// line (tensorflow/core/kernels/image/image_ops.h), quirks included.
const clamp = (c, len) => Math.min(Math.max(c, 0), len - 1);
// C++'s std::round: halves go away from zero (Math.round(-0.5) would give 0, not -1)
const round = (v) => Math.sign(v) * Math.round(Math.abs(v));
const MAP = {
  constant: (c) => c, // left outside: the pixels there read as cval
  nearest: clamp,
  reflect(c, len) {
    // ... d c b a | a b c d | d c b a ...
    if (len <= 1) return 0;
    const twice = 2 * len;
    if (c < 0) {
      c += twice * Math.trunc(-c / twice);
      c = c < -len ? c + twice : -c - 1;
    } else if (c > len - 1) {
      c -= twice * Math.trunc(c / twice);
      if (c >= len) c = twice - c - 1;
    }
    return clamp(c, len);
  },
  wrap(c, len) {
    // ... a b c d | a b c d | a b c d ...
    if (len <= 1) return 0;
    if (c < 0) c += len * (Math.trunc(-c / (len - 1)) + 1);
    else if (c > len - 1) c -= len * Math.trunc(c / (len - 1));
    return clamp(c, len);
  },
};

// `image`: {width, height, channels, data} with data row by row, channels last (as NumPy's
// (height, width, channels)). Returns the moved pixels in a Float32Array of the same layout.
export function applyTransform(image, params = {}) {
  const { width: w, height: h, channels: n, data } = image;
  const fill = params.fill_mode ?? "nearest";
  const cval = params.cval ?? 0;
  const bilinear = (params.interpolation ?? "bilinear") === "bilinear";
  const map = MAP[fill];
  if (!map) throw new Error(`unknown fill_mode ${fill}`);
  const [a0, a1, a2, b0, b1, b2] = transformMatrix(h, w, params).map(f32);
  // an input pixel, or cval outside the image
  const at = (y, x, c) => (y >= 0 && y < h && x >= 0 && x < w ? data[(y * w + x) * n + c] : cval);
  const out = new Float32Array(w * h * n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = map(f32(f32(f32(a0 * x) + f32(a1 * y)) + a2), w);
      const sy = map(f32(f32(f32(b0 * x) + f32(b1 * y)) + b2), h);
      const o = (y * w + x) * n;
      for (let c = 0; c < n; c++) {
        if (!bilinear) {
          out[o + c] = at(round(sy), round(sx), c);
          continue;
        }
        // near the edge in "constant" mode, cval blends in with the picture's own pixels
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const top = (x0 + 1 - sx) * at(y0, x0, c) + (sx - x0) * at(y0, x0 + 1, c);
        const bottom = (x0 + 1 - sx) * at(y0 + 1, x0, c) + (sx - x0) * at(y0 + 1, x0 + 1, c);
        out[o + c] = (y0 + 1 - sy) * top + (sy - y0) * bottom;
      }
    }
  }
  return out;
}

// The pixels of a loaded <img> as {width, height, channels: 3, data}: 0–255, as Python reads
// the same PNG with Pillow (grey images become three equal channels).
export function readPixels(img) {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(img, 0, 0);
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const data = new Float32Array(canvas.width * canvas.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) data.set(rgba.subarray(i, i + 3), j);
  return { width: canvas.width, height: canvas.height, channels: 3, data };
}

function draw(canvas, image, pixels) {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  const picture = context.createImageData(image.width, image.height);
  for (let i = 0, j = 0; j < pixels.length; i += 4, j += 3) {
    picture.data.set(pixels.subarray(j, j + 3), i); // Uint8ClampedArray rounds and clips
    picture.data[i + 3] = 255;
  }
  context.putImageData(picture, 0, 0);
}

// The same parameters as Python: the deterministic call, and an ImageAugmenter whose random
// draws include this one (its ranges are the sizes of the values shown).
const DEFAULTS = { rotation: 0, width_shift: 0, height_shift: 0, shear: 0, zoom: 1,
  horizontal_flip: false, vertical_flip: false, fill_mode: "nearest", interpolation: "bilinear" };
function python(value) {
  if (typeof value === "boolean") return value ? "True" : "False";
  return typeof value === "string" ? `"${value}"` : String(value);
}

// `comment` is the page's words for the second line, with %s where the augmenter goes.
export function pythonCode(params, comment = "one of the draws of %s") {
  const given = Object.entries(params).filter(([name, value]) => value !== DEFAULTS[name]);
  const call = ["image", ...given.map(([name, value]) => `${name}=${python(value)}`)];
  const ranges = [];
  const range = (name, value) => value !== 0 && ranges.push(`${name}=${python(Math.abs(value))}`);
  range("rotation_range", params.rotation);
  range("width_shift_range", params.width_shift);
  range("height_shift_range", params.height_shift);
  range("shear_range", params.shear);
  // zoom_range=z draws from [1 - z, 1 + z]; rounded, as 0.8 - 1 is not quite -0.2 in floats
  if (params.zoom !== 1) {
    ranges.push(`zoom_range=${Math.round(Math.abs(params.zoom - 1) * 100) / 100}`);
  }
  if (params.horizontal_flip) ranges.push("horizontal_flip=True");
  if (params.vertical_flip) ranges.push("vertical_flip=True");
  for (const name of ["fill_mode", "interpolation"]) {
    if (params[name] !== DEFAULTS[name]) ranges.push(`${name}=${python(params[name])}`);
  }
  return `moved = apply_transform(${call.join(", ")})\n`
    + `# ${comment.replace("%s", `ImageAugmenter(${ranges.join(", ")})`)}`;
}

function setUp(root) {
  const live = root.querySelector(".augment-playground__live");
  const form = live.querySelector("form");
  const samples = [...root.querySelectorAll(".augment-playground__samples img")];
  const [before, after] = live.querySelectorAll("canvas");
  const code = live.querySelector(".augment-playground__code code");
  let image = null;

  function params() {
    const field = (name) => form.elements[name];
    const number = (name) => Number(field(name).value);
    return {
      rotation: number("rotation"), width_shift: number("width_shift"),
      height_shift: number("height_shift"), shear: number("shear"), zoom: number("zoom"),
      horizontal_flip: field("horizontal_flip").checked,
      vertical_flip: field("vertical_flip").checked,
      fill_mode: field("fill_mode").value, interpolation: field("interpolation").value,
    };
  }

  function update() {
    const p = params();
    for (const output of form.querySelectorAll("output")) {
      output.value = form.elements[output.htmlFor.value].value;
    }
    code.textContent = pythonCode(p, code.dataset.comment);
    if (image) draw(after, image, applyTransform(image, p));
    root.dataset.drawn = String(Number(root.dataset.drawn || 0) + 1); // tests wait for this
  }

  async function choose(img) {
    for (const other of samples) other.setAttribute("aria-pressed", String(other === img));
    await img.decode();
    image = readPixels(img);
    draw(before, image, image.data);
    update();
  }

  for (const img of samples) {
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.addEventListener("click", () => choose(img));
    img.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(img);
      }
    });
  }
  form.addEventListener("input", update);
  form.addEventListener("reset", () => setTimeout(update)); // once the fields are reset
  root.querySelector(".augment-playground__fallback").hidden = true;
  live.hidden = false;
  choose(samples[0]);
}

for (const root of document.querySelectorAll(".augment-playground")) setUp(root);
