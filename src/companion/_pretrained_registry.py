"""The registry of ``keras.applications`` networks that ``companion.pretrained`` builds.

One ``PretrainedModel`` per network of source 004 §5 (``MODELS``): its input size, its own
``preprocess_input`` and the weight files Keras downloads; ``get_model_spec`` finds an entry
by a forgiving name. Imported through ``companion.pretrained``.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from .errors import CompanionError

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
