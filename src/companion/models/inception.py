"""The Inception-v1-style network of chapter 06 (source 003), for 32x32 images.

Four inception modules (``inception_module``), each followed by batch normalization and
a 2x2 max pooling, then average pooling and a dense head of ``dense_block`` layers.
"""

from __future__ import annotations

import keras
from keras import layers

#: Filters per module, in the order [1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj]
#: (the numbers of GoogLeNet's modules 3a, 3b, 4a and 4b).
INCEPTION_FILTERS = (
    (64, 96, 128, 16, 32, 32),
    (128, 128, 192, 32, 96, 64),
    (192, 96, 208, 16, 48, 64),
    (160, 112, 224, 24, 64, 64),
)
CONV_WEIGHT_DECAY = 2e-4
DENSE_WEIGHT_DECAY = 1e-2  # the source passes the string "l2", whose default factor is 0.01


# fmt: off
# --8<-- [start:inception_module]
def inception_module(x, filters, number: int, batch_normalization: bool = True,
                     dropout: float = 0.0):
    """An inception module: four branches, concatenated; then BN and 2x2 max pooling.

    Args:
        x: the module's input tensor.
        filters: six numbers of filters: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5 and
            pool proj.
        number: the module's number, in its layers' names (``inception_<number>_...``).
        batch_normalization: whether BN follows the concatenation.
        dropout: the dropout rate after the concatenation (0: none).

    Returns:
        The output tensor, half the input's height and width.

    Raises:
        ValueError: ``filters`` does not hold six numbers.
    """
    f1, f3r, f3, f5r, f5, fpool = _six_filters(filters)
    name = f"inception_{number}"

    def conv(inputs, n, size, part):  # every convolution: "same" padding, ReLU, L2
        return layers.Conv2D(
            n, size, padding="same", activation="relu", name=f"{name}_{part}",
            kernel_regularizer=keras.regularizers.L2(CONV_WEIGHT_DECAY),
        )(inputs)

    branch_1x1 = conv(x, f1, 1, "1x1")
    # a 1x1 "reduce" convolution first: fewer channels for the larger kernel to see
    branch_3x3 = conv(conv(x, f3r, 1, "3x3_reduce"), f3, 3, "3x3")
    branch_5x5 = conv(conv(x, f5r, 1, "5x5_reduce"), f5, 5, "5x5")
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_pool = conv(pooled, fpool, 1, "pool_proj")
    # all four keep the height and width, so they can be stacked along the channels
    branches = [branch_1x1, branch_3x3, branch_5x5, branch_pool]
    x = layers.Concatenate(axis=-1, name=f"{name}_output")(branches)
    if dropout:
        x = layers.Dropout(dropout, name=f"inception_{number}_dropout")(x)
    if batch_normalization:
        x = layers.BatchNormalization(name=f"inception_{number}_norm")(x)
    return layers.MaxPooling2D(2, padding="same", name=f"{name}_subsample")(x)
# --8<-- [end:inception_module]
# fmt: on


def _six_filters(filters):
    if len(filters) != 6:
        raise ValueError(
            "an inception module needs 6 filter numbers [1x1, 3x3r, 3x3, 5x5r, 5x5, pool], got "
            f"{filters!r}"
        )
    return filters


def dense_block(x, units: int, number: int, dropout: float = 0.5, batch_normalization: bool = True):
    """``Dense`` (L2-regularised, no activation, as in the source), then dropout and BN.

    Args:
        x: the input tensor (batch, features).
        units: the dense layer's units.
        number: the block's number, used in the layer names (``dense_<number>_...``).
        dropout: the dropout rate; 0 for no dropout layer.
        batch_normalization: end with a ``BatchNormalization`` layer.

    Returns:
        The output tensor (batch, ``units``).
    """
    x = layers.Dense(
        units,
        kernel_regularizer=keras.regularizers.L2(DENSE_WEIGHT_DECAY),
        name=f"dense_{number}_{units}",
    )(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"dense_{number}_dropout")(x)
    if batch_normalization:
        x = layers.BatchNormalization(name=f"dense_{number}_norm")(x)
    return x


def build_inception(
    input_shape=(32, 32, 3),
    num_classes: int = 10,
    filters=INCEPTION_FILTERS,
    dense_units=(128, 64),
    batch_normalization: bool = True,
) -> keras.Model:
    """The source's network: four inception modules and a 128-64-``num_classes`` head.

    Args:
        input_shape: (height, width, channels); ``(32, 32, 1)`` builds the grayscale
            variant the source prepared data for but never trained (1,420,418 parameters).
        num_classes: the number of classes.
        filters: six filter numbers per module (see ``INCEPTION_FILTERS``).
        dense_units: the units of the hidden dense layers.
        batch_normalization: put batch normalization after every module and dense block.

    Returns:
        An uncompiled ``keras.Model`` named ``inception_cifar10``; with the defaults it has
            1,420,834 parameters.

    Raises:
        ValueError: if a module is not given six filter numbers.
    """
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for number, module_filters in enumerate(filters, start=1):
        x = inception_module(x, module_filters, number, batch_normalization=batch_normalization)
    # After four 2x2 poolings a 32x32 image is 2x2; pooling it once more averages it to 1x1.
    x = layers.AveragePooling2D(2, name="average_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    for number, units in enumerate(dense_units, start=1):
        x = dense_block(x, units, number, batch_normalization=batch_normalization)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="inception_cifar10")
