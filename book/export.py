"""The book's trained models in the reader's browser: ONNX files, checked on the test set.

Chapters 02 and 05 let the reader try the chapter's own model on the page. The model is the
very one the chapter trained and evaluated, exported with Keras 3's
``model.export(path, format="onnx")`` and run in the browser by ONNX Runtime Web. Two
choices keep the browser's answer the chapter's answer:

* the chapter's preprocessing goes *into* the exported model (:func:`pixel_input_model`):
  it takes pixels 0..255, as the dataset stores them, so the page's JavaScript only has to
  make such pixels and cannot get the scaling or the mean image wrong;
* the exported file is run over the whole test set by ONNX Runtime (Python), and its
  accuracy is recorded beside the Keras model's (:func:`export_for_the_browser`). A float16
  copy, half the download, is kept only if it loses at most ``FLOAT16_TOLERANCE``.

Exporting on TensorFlow needs ``tf2onnx`` and ``onnx``, measuring needs ``onnxruntime`` and
float16 needs ``onnxconverter-common``: the ``export`` extra
(``pip install "image-classification-book[tf,export]"``). On JAX, Keras exports through
``jax2onnx`` instead, which the extra leaves out (the book's exports run on TensorFlow).
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

from companion._io import atomic_path

#: The most test accuracy (a fraction: 0.001 is 0.1 percentage point) a float16 copy may lose.
FLOAT16_TOLERANCE = 0.001
#: pip name of each optional module this file imports.
PACKAGES = {
    "onnx": "onnx",
    "tf2onnx": "tf2onnx",
    "onnxruntime": "onnxruntime",
    "onnxconverter_common": "onnxconverter-common",
    "jax2onnx": "jax2onnx",
}
#: What model.export(format="onnx") needs on each backend (on PyTorch, torch.onnx and onnx).
EXPORTERS = {"tensorflow": ("onnx", "tf2onnx"), "jax": ("onnx", "jax2onnx"), "torch": ("onnx",)}


def _need(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = (
            ""
            if module == "jax2onnx"
            else ', or all that the export needs: pip install "image-classification-book[export]"'
        )
        raise ImportError(
            f"exporting the book's models to ONNX needs the {PACKAGES[module]} "
            f"package: pip install {PACKAGES[module]}{extra}"
        ) from None


class SubtractMean(keras.layers.Layer):
    """``x - mean`` for a fixed ``mean`` (chapter 05's mean image, one value per pixel and channel).

    The mean is a non-trainable weight, so that the export writes it into the ONNX file as a
    constant. (``Normalization(mean=...)`` keeps it as a tensor outside the graph, which
    tf2onnx turns into an extra input of the model.)
    """

    def __init__(self, mean, **kwargs):
        super().__init__(**kwargs)
        self.mean_value = np.asarray(mean, dtype="float32")

    def build(self, input_shape):
        self.mean = self.add_weight(
            name="mean", shape=self.mean_value.shape, initializer="zeros", trainable=False
        )
        self.mean.assign(self.mean_value)

    def call(self, inputs):
        return inputs - self.mean

    def get_config(self):
        return {**super().get_config(), "mean": self.mean_value.tolist()}


def pixel_input_model(model, image_shape, *, pixel_mean=None, name=None) -> keras.Model:
    """``model`` behind the chapter's preprocessing: it takes pixels 0..255 of ``image_shape``.

    The pixels are scaled to [0, 1] (``Rescaling(1/255)``, as ``scale_pixels`` and the
    chapters' ``/ 255``), the training set's mean image is subtracted when ``pixel_mean`` is
    given (chapter 05), and the result is reshaped to what ``model`` expects (chapter 02's
    MLP takes 784 values, the reader draws 28x28).
    """
    image_shape = tuple(int(d) for d in image_shape)
    inputs = keras.Input(shape=image_shape, name="pixels")
    x = keras.layers.Rescaling(1 / 255, name="scale_pixels")(inputs)
    if pixel_mean is not None:
        mean = np.asarray(pixel_mean, dtype="float32")
        if mean.shape != image_shape:
            raise ValueError(f"pixel_mean has shape {mean.shape}; the images {image_shape}")
        x = SubtractMean(mean, name="subtract_pixel_mean")(x)
    wanted = tuple(model.input_shape[1:])
    if wanted != image_shape:
        if int(np.prod(wanted)) != int(np.prod(image_shape)):
            raise ValueError(
                f"the model takes inputs of shape {wanted}, which images of shape "
                f"{image_shape} cannot be reshaped to"
            )
        x = keras.layers.Reshape(wanted, name="reshape")(x)
    return keras.Model(inputs, model(x), name=name or f"{model.name}_on_pixels")


def export_onnx(model, path) -> Path:
    """``model.export(path, format="onnx")``, written atomically (no half-written file)."""
    for module in EXPORTERS.get(keras.backend.backend(), ()):
        _need(module)
    if not model._called:  # Keras exports only a model that has run once
        zeros = [np.zeros((1, *t.shape[1:]), dtype=t.dtype) for t in model.inputs]
        model(zeros[0] if len(zeros) == 1 else zeros)
    with atomic_path(path) as tmp:
        model.export(str(tmp), format="onnx", verbose=False)
    return Path(path)


def float16_copy(source, dest) -> Path:
    """A copy of an ONNX model with float16 weights and arithmetic, float32 inputs and outputs.

    ``keep_io_types``: the page feeds float32 pixels to either file and reads float32
    probabilities, so it need not know which precision it got.
    """
    onnx = _need("onnx")
    float16 = _need("onnxconverter_common").float16
    converted = float16.convert_float_to_float16(onnx.load(str(source)), keep_io_types=True)
    with atomic_path(dest) as tmp:
        onnx.save(converted, str(tmp))
    return Path(dest)


def onnx_probabilities(path, x, *, batch_size: int = 500) -> np.ndarray:
    """The class probabilities an ONNX model gives for ``x``, by ONNX Runtime on the CPU."""
    ort = _need("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    x = np.asarray(x, dtype="float32")
    return np.concatenate(
        [session.run(None, {name: x[i : i + batch_size]})[0] for i in range(0, len(x), batch_size)]
    )


def onnx_accuracy(path, x, y, *, batch_size: int = 500) -> float:
    """Top-1 accuracy of an ONNX model on ``x`` with labels ``y``."""
    predicted = onnx_probabilities(path, x, batch_size=batch_size).argmax(axis=1)
    return float((predicted == np.asarray(y).reshape(-1)).mean())


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def export_for_the_browser(model, path, x_test, y_test, *, reference_accuracy: float) -> dict:
    """Export ``model`` (one that takes pixels) to ``path`` as ONNX for the book's pages.

    Both precisions are measured on ``x_test`` with ONNX Runtime; the float16 copy replaces
    the float32 one only if its accuracy is within ``FLOAT16_TOLERANCE`` of
    ``reference_accuracy`` (the Keras model's). Returns the record's entry: the file's
    sha256 and size, its input, and every accuracy measured.
    """
    onnx, ort = _need("onnx"), _need("onnxruntime")
    path = Path(path)
    accuracy, size, errors = {"keras": float(reference_accuracy)}, {}, {}
    with tempfile.TemporaryDirectory(prefix="companion-onnx-") as tmp:
        candidates = {"float32": Path(tmp) / "float32.onnx", "float16": Path(tmp) / "float16.onnx"}
        export_onnx(model, candidates["float32"])
        float16_copy(candidates["float32"], candidates["float16"])
        for precision, candidate in candidates.items():
            size[precision] = candidate.stat().st_size
            try:
                accuracy[f"onnx_{precision}"] = onnx_accuracy(candidate, x_test, y_test)
            except Exception as exc:  # an operator ONNX Runtime has no float16 kernel for
                accuracy[f"onnx_{precision}"] = None
                errors[precision] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        if accuracy["onnx_float32"] is None:
            raise RuntimeError(f"ONNX Runtime cannot run the exported model: {errors['float32']}")
        kept16 = (
            accuracy["onnx_float16"] is not None
            and abs(accuracy["onnx_float16"] - reference_accuracy) <= FLOAT16_TOLERANCE
        )
        precision = "float16" if kept16 else "float32"
        with atomic_path(path) as out:
            shutil.copyfile(candidates[precision], out)  # /tmp may be another file system
        graph = onnx.load(str(path)).graph
    entry = {
        "file": path.name,
        "sha256": sha256(path),
        "bytes": path.stat().st_size,
        "precision": precision,
        "input": {
            "name": graph.input[0].name,
            "shape": _shape(graph.input[0]),
            "pixels": "0..255 as the dataset stores them; the preprocessing is in the model",
        },
        "output": {"name": graph.output[0].name, "shape": _shape(graph.output[0])},
        "n_test": int(len(x_test)),
        "test_accuracy": accuracy,
        "bytes_by_precision": size,
        "float16_tolerance": FLOAT16_TOLERANCE,
        "versions": {
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
            **_exporter_versions(),
        },
    }
    if errors:
        entry["errors"] = errors
    return entry


def _shape(value_info) -> list:
    """An ONNX input's or output's shape; None where a dimension is free (the batch)."""
    dims = value_info.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") else None for d in dims]


def _exporter_versions() -> dict:
    found = {}
    for module in ("tf2onnx", "jax2onnx", "onnxconverter_common"):
        try:
            found[module] = importlib.import_module(module).__version__
        except ImportError:
            pass
    return found
