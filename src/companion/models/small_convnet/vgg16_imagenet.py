"""VGG16's convolutional base with ImageNet weights, downloaded by Keras.

Where the weights are neither in Keras' cache nor downloadable, ``vgg16_base`` raises
``PretrainedWeightsUnavailable`` with a message that says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from ...errors import CompanionError

VGG16_NOTOP = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"


class PretrainedWeightsUnavailable(CompanionError, FileNotFoundError):
    """Pretrained weights are neither cached nor downloadable here (see ``vgg16_base``)."""


def vgg16_base(input_shape=(150, 150, 3)) -> keras.Model:
    """VGG16's convolutional base with ImageNet weights, or a clear error where they are missing.

    Args:
        input_shape: (height, width, 3) of raw 0-255 RGB pixels; VGG16's preprocessing
            is inside the base.

    Returns:
        A ``keras.Model`` named ``vgg16_base`` that wraps ``keras.applications.VGG16``.

    Raises:
        PretrainedWeightsUnavailable: if the weights are not in Keras' cache
            (``~/.keras/models/``) and cannot be downloaded; the message says what to do.
    """
    cached = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models" / VGG16_NOTOP
    try:
        base = keras.applications.VGG16(
            weights="imagenet", include_top=False, input_shape=input_shape
        )
    except Exception as exc:  # no network, a proxy, a truncated file ...
        raise PretrainedWeightsUnavailable(
            f"VGG16's ImageNet weights could not be loaded ({type(exc).__name__}: {exc}).\n"
            "What to do: on a machine with network, run "
            "keras.applications.VGG16(weights='imagenet', "
            f"include_top=False) once, then copy {VGG16_NOTOP} to {cached}. Without the weights, "
            "use chapter 03's trained CIFAR-10 network as the base, "
            "cifar10_cnn_base(network) (chapter 11 shows how)."
        ) from None
    # VGG16 expects its own preprocessing (BGR, ImageNet means); put it inside the base.
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = keras.applications.vgg16.preprocess_input(inputs)
    return keras.Model(inputs, base(x), name="vgg16_base")
