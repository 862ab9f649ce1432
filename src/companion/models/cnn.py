"""The small CIFAR-10 convolutional network of chapter 03 (the classic Keras example).

Two blocks of ``conv-conv-pool-dropout`` (32 then 64 filters), then a 512-unit dense
layer and a softmax over the ten classes. With the defaults its summary reports
1,250,858 parameters, as in source 000:

=========================  =======================================  =========
layer                      output                                   params
=========================  =======================================  =========
conv 3x3, 32, same         32x32x32     3*3*3*32 + 32               896
conv 3x3, 32, valid        30x30x32     3*3*32*32 + 32              9,248
max pool 2x2               15x15x32
conv 3x3, 64, same         15x15x64     3*3*32*64 + 64              18,496
conv 3x3, 64, valid        13x13x64     3*3*64*64 + 64              36,928
max pool 2x2               6x6x64  ->  flatten 2,304
dense 512                  2,304*512 + 512                          1,180,160
dense 10                   512*10 + 10                              5,130
=========================  =======================================  =========

The second convolution of each block has no padding ("valid"), as in the source; that is
why the feature maps shrink from 32 to 30 and from 15 to 13.
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
    """The chapter-03 CNN; ``augmentation`` (e.g. :func:`shift_and_flip`) goes in front.

    Augmentation has no parameters and acts only while training: 1,250,858 parameters.
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


def shift_and_flip(
    shift: float = 0.1, rotation_degrees: float = 0.0, seed: int | None = None
) -> keras.Sequential:
    """Random shifts (a fraction of the size), horizontal flips and, optionally, small rotations.

    The Keras 3 version of ``ImageDataGenerator(width_shift_range=shift,
    height_shift_range=shift, horizontal_flip=True, rotation_range=rotation_degrees)``:
    ``fill_mode="nearest"`` fills the uncovered border as ImageDataGenerator did
    (the Keras 3 layers would otherwise reflect the image). Chapter 03 uses
    ``shift_and_flip(0.1)``; chapter 04 ``shift_and_flip(0.2, rotation_degrees=10)``.
    """
    if not 0.0 <= shift < 1.0:
        raise ValueError(f"shift is a fraction of the image size in [0, 1), got {shift}")
    if not 0.0 <= rotation_degrees <= 180.0:
        raise ValueError(f"rotation_degrees must be between 0 and 180, got {rotation_degrees}")
    # --8<-- [start:shift_and_flip]
    # Each layer gets its own seed: layers given the same seed draw the same numbers, so
    # the flip would be decided by the very draw that sets the rotation angle.
    seeds = layer_seeds(seed, 3)
    layers = []
    if rotation_degrees:
        # RandomRotation takes a fraction of a full turn: 10 degrees = 10/360
        layers.append(
            keras.layers.RandomRotation(
                rotation_degrees / 360, fill_mode="nearest", seed=seeds[0], name="rotate"
            )
        )
    if shift:
        layers.append(
            keras.layers.RandomTranslation(
                shift, shift, fill_mode="nearest", seed=seeds[1], name="shift"
            )
        )
    layers.append(keras.layers.RandomFlip("horizontal", seed=seeds[2], name="flip"))
    return keras.Sequential(layers, name="augmentation")
    # --8<-- [end:shift_and_flip]


def layer_seeds(seed: int | None, count: int) -> list[int | None]:
    """``count`` different seeds derived from ``seed`` (all None when ``seed`` is None)."""
    return [None] * count if seed is None else [int(seed) + 1009 * i for i in range(count)]
