"""The source's cats-vs-dogs convnet, built from scratch, and how it is compiled (11.1).

``compile_binary`` (RMSprop, binary cross-entropy) compiles every model of the chapter,
the transfer models included.
"""

from __future__ import annotations

import keras
from keras import layers

#: The source's optimiser setting for every model of the chapter.
LEARNING_RATE = 1e-4


# --8<-- [start:build_small_convnet]
def build_small_convnet(
    input_shape: tuple[int, int, int] = (150, 150, 3),
    dropout: float = 0.0,
    augment: keras.Layer | None = None,
) -> keras.Sequential:
    """The source's cats-vs-dogs convnet; it rescales the raw 0-255 pixels itself.

    Args:
        input_shape: (height, width, channels), at least 46x46 pixels.
        dropout: the rate after ``Flatten``; the source's second model has 0.5.
        augment: random layers put in front (e.g. an ``ImageAugmenter``), or None.

    Returns:
        An uncompiled ``keras.Sequential``, 3,453,121 parameters at 150x150x3.

    Raises:
        ValueError: for ``dropout`` outside [0, 1) or images under 46x46."""
    _check_small_convnet_args(input_shape, dropout)
    stack = [keras.Input(shape=input_shape, name="pixels")]
    if augment is not None:
        stack.append(augment)  # random layers: they act while training only
    stack.append(layers.Rescaling(1 / 255, name="rescale"))  # the old rescale=1./255
    for i, filters in enumerate((32, 64, 128, 128), start=1):
        stack.append(layers.Conv2D(filters, 3, activation="relu", name=f"conv2d_{i}"))
        stack.append(layers.MaxPooling2D(2, name=f"max_pooling2d_{i}"))
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))  # where the source has it
    stack.append(layers.Dense(512, activation="relu", name="dense_1"))
    stack.append(layers.Dense(1, activation="sigmoid", name="dog_probability"))
    name = "small_convnet" + ("_augmented" if augment is not None else "")
    return keras.Sequential(stack, name=name)
    # --8<-- [end:build_small_convnet]


def _check_small_convnet_args(input_shape, dropout) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a fraction in [0, 1), got {dropout}")
    height, width = input_shape[:2]
    if min(height, width) < 46:
        raise ValueError(
            f"input_shape {input_shape} is too small: four 3x3 convolutions and four 2x2 poolings "
            "need images of at least 46x46 pixels."
        )


def compile_binary(model: keras.Model, learning_rate: float = LEARNING_RATE) -> keras.Model:
    """Compile with RMSprop and binary cross-entropy, as the source does.

    Args:
        model: a model with one sigmoid output.
        learning_rate: RMSprop's learning rate (the source's ``lr=1e-4``).

    Returns:
        ``model``, compiled with the accuracy metric.
    """
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
