"""Pretrained ImageNet classifiers from ``keras.applications``, one call away (chapter 10).

``MODELS`` holds the seven networks of source 004 §5 with their input size, their own
``preprocess_input`` and the weight files Keras downloads into ``~/.keras/models/``;
``classify`` loads, resizes, predicts and decodes with the class index shipped in the
package. ``model="EfficientNetLite0"`` uses ``companion.pretrained_lite0`` instead, whose
weights install from the package index and work offline.

``ensure_weights(name)`` is the one way in to every network's ImageNet weights (the other
modules call it); ``WeightsUnavailableError`` is what it raises when they cannot be had.

Import everything from here: the registry (``_pretrained_registry``), the class index
(``_imagenet_classes``) and the weights cache (``_pretrained_weights``) live beside it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import config
from ._imagenet_classes import CLASS_INDEX_MD5, Prediction, class_index, decode_predictions
from ._pretrained_registry import (
    LITE0,
    MODELS,
    ORIGINAL_BASE_URL,
    PretrainedModel,
    UnknownModelError,
    _is_lite0,
    get_model_spec,
)
from ._pretrained_weights import ensure_weights, keras_cache_dir, weights_path
from .errors import (
    DataFormatError,
    WeightsUnavailableError,  # noqa: F401 (pretrained.WeightsUnavailableError)
)

__all__ = [
    # the registry (_pretrained_registry.py)
    "ORIGINAL_BASE_URL",
    "UnknownModelError",
    "PretrainedModel",
    "MODELS",
    "LITE0",
    "get_model_spec",
    # the ImageNet class index (_imagenet_classes.py)
    "CLASS_INDEX_MD5",
    "class_index",
    "Prediction",
    "decode_predictions",
    # weights (_pretrained_weights.py)
    "keras_cache_dir",
    "weights_path",
    "ensure_weights",
    # building and classifying (here)
    "build",
    "load_image",
    "EXAMPLE_IMAGE",
    "example_image",
    "classify",
]


def build(
    model: str | PretrainedModel = "resnet50",
    weights: str | None = "imagenet",
    include_top: bool = True,
):
    """Build a ``keras.applications`` network, or EfficientNet-Lite0.

    Args:
        model: a name or entry, as ``get_model_spec`` takes it; ``"EfficientNetLite0"``
            builds ``companion.pretrained_lite0.build``'s network.
        weights: ``"imagenet"`` (downloaded once, see ``ensure_weights``), None
            (untrained), or the path of a weights file.
        include_top: keep the 1000-class ImageNet classifier.

    Returns:
        The ``keras.Model``.

    Raises:
        UnknownModelError: no such network.
        FileNotFoundError: ``weights`` names a file that does not exist.
        WeightsUnavailableError: the ImageNet weights cannot be had (see ``ensure_weights``).
        ChecksumError: the cached weights are damaged.
        DataFormatError: EfficientNet-Lite0's weights file cannot be read.
    """
    if _is_lite0(model):
        from . import pretrained_lite0

        return pretrained_lite0.build(weights, include_top=include_top)
    spec = get_model_spec(model)
    if weights == "imagenet":
        # a clear error now rather than a traceback from Keras; then Keras loads exactly this file
        weights = str(ensure_weights(spec, include_top))
    elif weights is not None and not Path(weights).exists():
        raise FileNotFoundError(
            f"weights file {weights} does not exist (use 'imagenet', None or a .h5 path)"
        )
    return spec.builder(weights=weights, include_top=include_top)


@lru_cache(maxsize=2)
def _cached_model(name: str, weights: str | None):
    # Building a large network is slow; classify() reuses the last two models built.
    return build(name, weights=weights)


def load_image(path: str | os.PathLike, size: tuple[int, int]) -> np.ndarray:
    """An image file as a float32 RGB array in 0..255, resized.

    Resizing uses Keras' ``load_img`` default (nearest neighbour), as the source did.

    Args:
        path: the image file (JPEG, PNG, ... anything Pillow reads).
        size: (height, width) in pixels.

    Returns:
        A float32 array (height, width, 3).

    Raises:
        FileNotFoundError: no file at ``path``.
        DataFormatError: the file is not an image Pillow can read (or is too large).
    """
    import keras
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No image file at {path}")
    try:
        image = keras.utils.load_img(path, target_size=size, color_mode="rgb")
    # DecompressionBombError: more pixels than Pillow's safety limit, a crafted file's way to
    # exhaust memory
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        detail = "" if isinstance(exc, UnidentifiedImageError) else f" ({exc})"
        raise DataFormatError(
            f"{path} is not an image Pillow can read (JPEG, PNG, ...){detail}."
        ) from None
    return keras.utils.img_to_array(image, dtype="float32")


def _as_batch(image, size: tuple[int, int] | None) -> np.ndarray:
    """One image (a path or an array) as a (1, height, width, 3) float32 batch of the model's
    size (or its own size, where ``size`` is None)."""
    if isinstance(image, (str, os.PathLike)):
        return load_image(image, size)[None]
    array = np.asarray(image)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(
            f"classify expects one RGB image of shape (height, width, 3) or (1, height, width, 3), "
            f"or an image file path; got an array of shape {array.shape}."
        )
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"image array must hold numbers (pixels 0..255), got dtype {array.dtype}")
    array = array.astype("float32")
    if size is not None and array.shape[:2] != size:  # None: keep the image's own size
        import keras

        array = keras.ops.convert_to_numpy(
            keras.ops.image.resize(array[None], size, interpolation="nearest")
        )[0]
    return array[None]


EXAMPLE_IMAGE = "creative_commons_elephant.jpg"


def example_image() -> Path:
    """The chapter's photo, an African elephant and her calf.

    Returns:
        ``$COMPANION_DATA_DIR/images/creative_commons_elephant.jpg``.

    Raises:
        FileNotFoundError: ``COMPANION_DATA_DIR`` is not set, or holds no such photo.
    """
    folder = config.data_dir()
    path = (folder / "images" / EXAMPLE_IMAGE) if folder else None
    if path is None or not path.is_file():
        raise FileNotFoundError(
            f"The example photo {EXAMPLE_IMAGE} is not at {path or '$COMPANION_DATA_DIR/images/'}. "
            "Set COMPANION_DATA_DIR to a folder with images/"
            + EXAMPLE_IMAGE
            + ", or use any photo of your own: "
            "classify('my_photo.jpg')."
        )
    return path


# --8<-- [start:classify]
def classify(
    image, model: str = "resnet50", top: int = 5, weights: str | None = "imagenet"
) -> list[Prediction]:
    """The ``top`` most probable ImageNet classes of one image.

    Args:
        image: a file path, or an RGB array, pixels 0..255, any size (it is resized).
        model: a network's name (see ``MODELS``, or ``"EfficientNetLite0"``).
        top: how many classes, 1 to 1000.
        weights: ``"imagenet"``, None (untrained, to test the plumbing) or a file.

    Returns:
        A list of ``Prediction`` (id, name, probability), most probable first.

    Raises:
        FileNotFoundError: no file at ``image``.
        DataFormatError: the image file cannot be read.
        ValueError: an unknown ``model``, not one RGB image, or ``top`` out of range.
        WeightsUnavailableError: the ImageNet weights cannot be had.
    """
    if _is_lite0(model):  # weights from the package index, not a download
        from .pretrained_lite0 import classify as classify_lite0

        return classify_lite0(image, top=top, weights=weights)
    spec = get_model_spec(model)  # the network, its input size and its preprocessing
    batch = _as_batch(image, spec.input_size)  # one image -> a batch of one, resized
    if weights == "imagenet":
        weights = str(ensure_weights(spec))  # downloaded once, then read from the cache
    network = _cached_model(spec.name, weights)
    # each family expects its own input scaling (caffe-style BGR, -1..1, ...)
    probabilities = network.predict(spec.preprocess_input(batch), verbose=0)
    # 1,000 probabilities -> the top rows, with the class names of the ImageNet index
    return decode_predictions(np.asarray(probabilities), top=top)[0]
    # --8<-- [end:classify]
