"""VGG16's convolutional base with ImageNet weights, from ``companion.pretrained``.

The weights come through ``companion.pretrained.ensure_weights`` (the Keras cache, a
mirror, or the original address); where they cannot be had, ``vgg16_base`` raises its
``WeightsUnavailableError``, whose message says what to do.
"""

from __future__ import annotations

import keras

#: The last remedy the error message offers: chapter 11 works without ImageNet weights too.
WITHOUT_IMAGENET = (
    "use chapter 03's trained CIFAR-10 network as the base instead, "
    "cifar10_cnn_base(network) (chapter 11 shows how)"
)


def vgg16_base(input_shape=(150, 150, 3)) -> keras.Model:
    """VGG16's convolutional base with ImageNet weights, or a clear error where they are missing.

    Args:
        input_shape: (height, width, 3) of raw 0-255 RGB pixels; VGG16's preprocessing
            is inside the base.

    Returns:
        A ``keras.Model`` named ``vgg16_base`` that wraps ``keras.applications.VGG16``.

    Raises:
        WeightsUnavailableError: the weights are not in Keras' cache (``~/.keras/models/``)
            and cannot be downloaded; the message says what to do.
        ChecksumError: the cached weights are damaged.
    """
    from ... import pretrained

    path = pretrained.ensure_weights("vgg16", include_top=False, instead=WITHOUT_IMAGENET)
    base = keras.applications.VGG16(weights=str(path), include_top=False, input_shape=input_shape)
    # VGG16 expects its own preprocessing (BGR, ImageNet means); put it inside the base.
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = keras.applications.vgg16.preprocess_input(inputs)
    return keras.Model(inputs, base(x), name="vgg16_base")
