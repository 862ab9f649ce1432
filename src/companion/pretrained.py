"""Pretrained ImageNet classifiers from ``keras.applications``, one call away (chapter 10).

``MODELS`` holds the seven networks of source 004 §5 with their input size, their own
``preprocess_input`` and the weight files Keras downloads into ``~/.keras/models/``;
``classify`` loads, resizes, predicts and decodes with the class index shipped in the
package. ``model="EfficientNetLite0"`` uses ``companion.pretrained_lite0`` instead, whose
weights install from the package index and work offline.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import config
from .errors import ChecksumError, CompanionError, DataFormatError, WeightsUnavailableError

#: Where keras.applications downloads its weights from; every model has a folder below it.
ORIGINAL_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


class UnknownModelError(CompanionError, ValueError):
    """A model name that is not in the registry. Takes one argument, the message."""


# --8<-- [start:pretrained_model]
@dataclass(frozen=True)
class PretrainedModel:
    """One ``keras.applications`` network and what it needs to classify a photo.

    Args:
        name: the class in ``keras.applications``, e.g. ``"ResNet50"``.
        module: its submodule, which holds its ``preprocess_input``.
        input_size: (height, width) in pixels of the images it was trained on.
        url_folder: the sub-folder of ``ORIGINAL_BASE_URL`` holding its weights.
        weights_file: the weights file with the 1000-class top.
        weights_file_no_top: the convolutional base's file (``include_top=False``).
        md5: the hashes Keras checks for the two files (None: none checked).
    """

    name: str  # the class in keras.applications, e.g. "ResNet50"
    module: str  # its submodule, which holds its preprocess_input
    input_size: tuple[int, int]  # (height, width) of the images it was trained on
    url_folder: str  # sub-folder of ORIGINAL_BASE_URL holding its weights
    weights_file: str  # with the 1000-class top
    weights_file_no_top: str  # convolutional base only (include_top=False)
    md5: tuple[str | None, str | None]  # the hashes Keras checks (None: none checked)

    @property
    def builder(self):
        """The ``keras.applications`` function that builds the network."""
        import keras

        return getattr(keras.applications, self.name)

    @property
    def preprocess_input(self):
        """The model's own preprocessing: each family has its own pixel scale."""
        module = importlib.import_module(f"keras.applications.{self.module}")
        return module.preprocess_input

    # --8<-- [end:pretrained_model]

    def weights_name(self, include_top: bool = True) -> str:
        """The name of a weights file.

        Args:
            include_top: the file with the ImageNet classifier, or the base's only.

        Returns:
            ``weights_file`` or ``weights_file_no_top``.
        """
        return self.weights_file if include_top else self.weights_file_no_top

    def weights_url(self, include_top: bool = True) -> str:
        """The address Keras downloads a weights file from.

        Args:
            include_top: the file with the ImageNet classifier, or the base's only.

        Returns:
            The URL below ``ORIGINAL_BASE_URL``.
        """
        return f"{ORIGINAL_BASE_URL}{self.url_folder}/{self.weights_name(include_top)}"


def _spec(name, module, size, folder, stem, md5, no_top_suffix="_notop"):
    return PretrainedModel(
        name, module, (size, size), folder, f"{stem}.h5", f"{stem}{no_top_suffix}.h5", md5
    )


_TF_KERNELS = "_weights_tf_dim_ordering_tf_kernels"
#: The source's seven networks, keyed by a lower-case name without punctuation.
MODELS: dict[str, PretrainedModel] = {
    "vgg16": _spec(
        "VGG16",
        "vgg16",
        224,
        "vgg16",
        "vgg16" + _TF_KERNELS,
        ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    ),
    "vgg19": _spec(
        "VGG19",
        "vgg19",
        224,
        "vgg19",
        "vgg19" + _TF_KERNELS,
        ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
    ),
    "resnet50": _spec(
        "ResNet50",
        "resnet50",
        224,
        "resnet",
        "resnet50" + _TF_KERNELS,
        ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    ),
    "inceptionv3": _spec(
        "InceptionV3",
        "inception_v3",
        299,
        "inception_v3",
        "inception_v3" + _TF_KERNELS,
        ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63"),
    ),
    "inceptionresnetv2": _spec(
        "InceptionResNetV2",
        "inception_resnet_v2",
        299,
        "inception_resnet_v2",
        "inception_resnet_v2" + _TF_KERNELS,
        ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4"),
    ),
    # Keras publishes no hash for the MobileNet files, so none is checked.
    "mobilenet": _spec(
        "MobileNet",
        "mobilenet",
        224,
        "mobilenet",
        "mobilenet_1_0_224_tf",
        (None, None),
        no_top_suffix="_no_top",
    ),
    "xception": _spec(
        "Xception",
        "xception",
        299,
        "xception",
        "xception" + _TF_KERNELS,
        ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97"),
    ),
}


#: The network whose ImageNet weights install from the package index (companion.pretrained_lite0).
LITE0 = "EfficientNetLite0"


def _is_lite0(model) -> bool:
    return isinstance(model, str) and re.sub(r"[^a-z0-9]", "", model.lower()) == LITE0.lower()


def get_model_spec(model: str | PretrainedModel) -> PretrainedModel:
    """The registry entry for a model name.

    Args:
        model: a name in any case, ``_`` optional ("ResNet50", "resnet50",
            "inception_v3" ...), or an entry, returned as it is.

    Returns:
        The ``PretrainedModel``.

    Raises:
        UnknownModelError: no such network in ``MODELS``.
    """
    if isinstance(model, PretrainedModel):
        return model
    key = re.sub(r"[^a-z0-9]", "", str(model).lower())
    if key not in MODELS:
        known = ", ".join([spec.name for spec in MODELS.values()] + [LITE0])
        raise UnknownModelError(
            f"Unknown model {model!r}. Known models: {known} (any case, '_' optional)."
        )
    return MODELS[key]


# --- the ImageNet class index, shipped with the package ----------------------------------

CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"  # the hash Keras checks for the same file


@lru_cache(maxsize=1)
def class_index() -> dict[int, tuple[str, str]]:
    """The ImageNet class index shipped with the package (read once).

    Returns:
        Class number -> (WordNet id, name), e.g. 386 -> ("n02504458", "African_elephant").
    """
    text = (
        resources.files("companion")
        .joinpath("resources/imagenet_class_index.json")
        .read_text(encoding="utf-8")
    )
    return {int(k): (v[0], v[1]) for k, v in json.loads(text).items()}


class Prediction(NamedTuple):
    """One row of a top-k answer: a named tuple ``(class_id, name, probability)``.

    Attributes:
        class_id: the WordNet id, e.g. ``"n02504458"``.
        name: the class name, e.g. ``"African_elephant"``.
        probability: the model's probability for the class, 0..1.
    """

    class_id: str  # WordNet id, e.g. "n02504458"
    name: str  # e.g. "African_elephant"
    probability: float


def decode_predictions(probabilities, top: int = 5) -> list[list[Prediction]]:
    """The ``top`` most probable classes of each row of ImageNet probabilities.

    The same answer as ``keras.applications.imagenet_utils.decode_predictions``, read from the
    class index inside this package instead of a download.

    Args:
        probabilities: a (batch, 1000) array of class probabilities.
        top: how many classes per row, 1 to 1000.

    Returns:
        One list of ``Prediction`` per row, most probable first.

    Raises:
        ValueError: ``probabilities`` is not (batch, 1000), or ``top`` is out of range.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != 1000:
        raise ValueError(
            f"decode_predictions expects a (batch, 1000) array of ImageNet class probabilities, "
            f"got shape {probabilities.shape}."
        )
    if not 1 <= top <= 1000:
        raise ValueError(f"top must be between 1 and 1000, got {top}")
    index = class_index()
    rows = []
    for p in probabilities:
        best = np.argsort(-p, kind="stable")[:top]
        rows.append([Prediction(*index[int(i)], float(p[i])) for i in best])
    return rows


# --- weights --------------------------------------------------------------------------------


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded weights.

    Returns:
        ``$KERAS_HOME/models``, or ``~/.keras/models`` (it may not exist yet).
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def weights_path(model: str | PretrainedModel, include_top: bool = True) -> Path:
    """The file Keras loads a network's ImageNet weights from.

    Args:
        model: a name or entry, as ``get_model_spec`` takes it.
        include_top: the file with the ImageNet classifier, or the base's only.

    Returns:
        The path in ``keras_cache_dir()`` (it may not exist yet).

    Raises:
        UnknownModelError: no such network.
    """
    spec = get_model_spec(model)
    return keras_cache_dir() / spec.weights_name(include_top)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@cache
def _checked(path: str, md5: str | None, size: int) -> None:
    # Checked once per process and file size: hashing VGG's 500 MB of weights is slow.
    if md5 and _md5(Path(path)) != md5:
        raise ChecksumError(
            f"{path} has the wrong md5 (expected {md5}): it is truncated or not the official file. "
            "Delete it and run again to download it afresh."
        )


def ensure_weights(model: str | PretrainedModel, include_top: bool = True) -> Path:
    """Make sure the ImageNet weights of ``model`` are in the Keras cache; return their path.

    Tries the cache, then ``COMPANION_MIRROR`` (a base URL serving the file under its own
    name), then the original address.

    Args:
        model: a name or entry, as ``get_model_spec`` takes it.
        include_top: the file with the ImageNet classifier, or the base's only.

    Returns:
        The weights file's path.

    Raises:
        UnknownModelError: no such network.
        ChecksumError: the cached file has the wrong md5.
        ConfigError: ``COMPANION_MIRROR`` is not a usable URL.
        WeightsUnavailableError: no address could deliver the file; the message names
            the file, where to put it and how to use a mirror.
    """
    import keras

    spec = get_model_spec(model)
    name = spec.weights_name(include_top)
    md5 = spec.md5[0 if include_top else 1]
    target = weights_path(spec, include_top)
    if target.exists():
        _checked(str(target), md5, target.stat().st_size)
        return target

    urls = ([config.mirror() + name] if config.mirror() else []) + [spec.weights_url(include_top)]
    failures = []
    for url in urls:
        try:
            path = keras.utils.get_file(
                name, url, cache_subdir="models", file_hash=md5, cache_dir=str(target.parent.parent)
            )
            return Path(path)
        except Exception as exc:  # keras wraps every network failure in a bare Exception
            # keras repeats the URL before " -- "
            reason = str(exc).splitlines()[0].split(" -- ")[-1]
            failures.append(f"    {url}: {reason[:200]}")
    raise WeightsUnavailableError(
        f"The ImageNet weights of {spec.name} are not on this machine and could not be "
        "downloaded.\n"
        f"  file needed: {name}" + (f" (md5 {md5})" if md5 else "") + "\n"
        f"  Keras looks for it at: {target}\n"
        "  tried:\n" + "\n".join(failures) + "\n"
        "What to do (any one):\n"
        f"  * download {spec.weights_url(include_top)} by hand and save it as {target};\n"
        f"  * copy {name} from the ~/.keras/models/ folder of a machine where "
        f"keras.applications.{spec.name}() has run once;\n"
        f"  * set COMPANION_MIRROR to a base URL that serves {name} (for example a local copy of "
        f"{ORIGINAL_BASE_URL}{spec.url_folder}/), then run again;\n"
        "  * or pass weights=None for an untrained network (its answers are meaningless)."
    )


# --- building and classifying ---------------------------------------------------------------


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
        FileNotFoundError, DataFormatError: the image file is missing or unreadable.
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
