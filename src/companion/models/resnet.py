"""ResNet v1 and v2 for CIFAR-10 (He et al. 2016a, 2016b), as in source 000.

Both versions follow the Keras example ``cifar10_resnet.py`` and are built from one brick,
``resnet_layer``, stacked in three stages; every convolution uses He-normal
initialisation and an L2 penalty of ``WEIGHT_DECAY``.
"""

from __future__ import annotations

import keras
from keras import layers

WEIGHT_DECAY = 1e-4


# --8<-- [start:resnet_layer]
def resnet_layer(
    inputs,
    num_filters: int = 16,
    kernel_size: int = 3,
    strides: int = 1,
    activation: str | None = "relu",
    batch_normalization: bool = True,
    conv_first: bool = True,
):
    """One ``Conv2D`` with optional batch normalization and activation.

    Args:
        inputs: the input tensor.
        num_filters: the convolution's filters.
        kernel_size: its square kernel's side.
        strides: its strides (2 halves the height and width).
        activation: the activation's name, or None for none.
        batch_normalization: whether to normalize the batch.
        conv_first: True gives ``conv-BN-activation`` (v1); False gives
            ``BN-activation-conv``, the pre-activation order of v2.

    Returns:
        The output tensor.
    """
    conv = layers.Conv2D(
        num_filters,
        kernel_size,
        strides=strides,
        padding="same",
        kernel_initializer="he_normal",
        kernel_regularizer=keras.regularizers.L2(WEIGHT_DECAY),
    )
    x = inputs
    if conv_first:
        x = conv(x)
    if batch_normalization:
        x = layers.BatchNormalization()(x)
    if activation is not None:
        x = layers.Activation(activation)(x)
    if not conv_first:
        x = conv(x)
    return x
    # --8<-- [end:resnet_layer]


def _blocks_per_stage(depth: int, per_block: int, version: int, examples: str) -> int:
    if not isinstance(depth, int) or depth < per_block + 2 or (depth - 2) % per_block != 0:
        raise ValueError(
            f"ResNet v{version} needs depth = {per_block}n + 2 with n >= 1 (for example "
            f"{examples}), got {depth!r}"
        )
    return (depth - 2) // per_block


def _classifier(x, num_classes: int):
    # The feature map is 8x8 here: pooling over all of it leaves one vector per image.
    x = layers.AveragePooling2D(pool_size=8)(x)
    x = layers.Flatten()(x)
    return layers.Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(x)


def build_resnet_v1(depth: int = 20, input_shape=(32, 32, 3), num_classes: int = 10) -> keras.Model:
    """ResNet v1: stages of 16, 32 and 64 filters, two 3x3 ``conv-BN-ReLU`` layers per block.

    Args:
        depth: the number of layers, 6n + 2 with n >= 1 (20, 32, 44, 56, 110 ...).
        input_shape: (height, width, channels) of the images; the head's 8x8 average
            pooling expects 32x32 inputs.
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` named ``resnet<depth>_v1``.

    Raises:
        ValueError: if ``depth`` is not 6n + 2.
    """
    n = _blocks_per_stage(depth, 6, 1, "20, 32, 44, 56 or 110")
    inputs = keras.Input(shape=input_shape)
    num_filters = 16
    x = resnet_layer(inputs)
    # fmt: off
    # --8<-- [start:v1_stack]
    for stage in range(3):
        for block in range(n):
            # The first block of stages 2 and 3 halves the map and doubles the filters.
            strides = 2 if stage > 0 and block == 0 else 1
            y = resnet_layer(x, num_filters, strides=strides)  # conv-BN-ReLU
            y = resnet_layer(y, num_filters, activation=None)  # conv-BN
            if strides == 2:
                # The shortcut must change shape too: a strided 1x1 convolution.
                x = resnet_layer(x, num_filters, kernel_size=1, strides=2,
                                 activation=None, batch_normalization=False)
            x = layers.Activation("relu")(layers.add([x, y]))  # F(x) + x, then ReLU
        num_filters *= 2
    # --8<-- [end:v1_stack]
    # fmt: on
    return keras.Model(inputs, _classifier(x, num_classes), name=f"resnet{depth}_v1")


def build_resnet_v2(depth: int = 29, input_shape=(32, 32, 3), num_classes: int = 10) -> keras.Model:
    """ResNet v2: 1x1-3x3-1x1 bottleneck blocks in the pre-activation order ``BN-ReLU-conv``.

    Args:
        depth: the number of layers, 9n + 2 with n >= 1 (11, 20, 29, 56, 110 ...).
        input_shape: (height, width, channels) of the images; the head's 8x8 average
            pooling expects 32x32 inputs.
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` named ``resnet<depth>_v2``.

    Raises:
        ValueError: if ``depth`` is not 9n + 2.
    """
    n = _blocks_per_stage(depth, 9, 2, "11, 20, 29, 56 or 110")
    inputs = keras.Input(shape=input_shape)
    num_filters_in = 16
    # v2 convolves once (conv-BN-ReLU) before the input splits into the two paths.
    x = resnet_layer(inputs, num_filters_in)
    # fmt: off
    # --8<-- [start:v2_stack]
    for stage in range(3):
        num_filters_out = num_filters_in * (4 if stage == 0 else 2)
        for block in range(n):
            activation, batch_normalization, strides = "relu", True, 1
            if block == 0 and stage == 0:
                # x has just been through BN-ReLU: the first block does not repeat them.
                activation, batch_normalization = None, False
            elif block == 0:
                strides = 2
            # the bottleneck, each layer BN-ReLU-conv: 1x1 narrows, 3x3, 1x1 widens
            y = resnet_layer(x, num_filters_in, kernel_size=1, strides=strides,
                             activation=activation,
                             batch_normalization=batch_normalization, conv_first=False)
            y = resnet_layer(y, num_filters_in, conv_first=False)
            y = resnet_layer(y, num_filters_out, kernel_size=1, conv_first=False)
            if block == 0:
                # Filters (and after stage 1 the size) change: project the shortcut.
                x = resnet_layer(x, num_filters_out, kernel_size=1, strides=strides,
                                 activation=None, batch_normalization=False)
            x = layers.add([x, y])  # no ReLU after the addition
        num_filters_in = num_filters_out
    # --8<-- [end:v2_stack]
    # fmt: on
    # Pre-activation blocks end without BN-ReLU, so the head adds them before pooling.
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    return keras.Model(inputs, _classifier(x, num_classes), name=f"resnet{depth}_v2")
