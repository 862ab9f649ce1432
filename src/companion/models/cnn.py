"""The small CIFAR-10 convolutional network of chapter 03 (the classic Keras example).

Two blocks of ``conv-conv-pool-dropout`` (32 then 64 filters), a 512-unit dense layer and a
softmax. The augmentation put in front of it is ``ImageAugmenter.preset("cifar10_cnn")``
(``companion.augment``).
"""

from __future__ import annotations

import keras

from ._checks import check_classifier_args


# --8<-- [start:build_cnn]
def build_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    augmentation: keras.layers.Layer | None = None,
    name: str = "cifar10_cnn",
) -> keras.Sequential:
    """The chapter-03 CNN: 1,250,858 parameters (augmentation adds none).

    Args:
        input_shape: (height, width, channels).
        num_classes: the classes the softmax scores, at least 2.
        augmentation: a layer for training only (e.g. an ``ImageAugmenter``), or None.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        ValueError: for a bad ``input_shape`` or ``num_classes``.
    """
    check_classifier_args(input_shape, num_classes)
    layers = [keras.Input(shape=input_shape, name="image")]
    if augmentation is not None:
        layers.append(augmentation)
    for block, filters in enumerate((32, 64), start=1):
        prefix = f"block{block}"
        layers += [
            keras.layers.Conv2D(
                filters, 3, padding="same", activation="relu", name=f"{prefix}_conv1"
            ),
            # no padding ("valid"): the map shrinks by 2, 32 -> 30 and 15 -> 13
            keras.layers.Conv2D(filters, 3, activation="relu", name=f"{prefix}_conv2"),
            keras.layers.MaxPooling2D(2, name=f"{prefix}_pool"),  # halves height, width
            keras.layers.Dropout(0.25, name=f"{prefix}_dropout"),
        ]
    layers += [
        keras.layers.Flatten(name="flatten"),  # 6 x 6 x 64 = 2,304 numbers
        keras.layers.Dense(512, activation="relu", name="dense"),
        keras.layers.Dropout(0.5, name="dense_dropout"),
        keras.layers.Dense(num_classes, activation="softmax", name="probabilities"),
    ]
    return keras.Sequential(layers, name=name)
    # --8<-- [end:build_cnn]
