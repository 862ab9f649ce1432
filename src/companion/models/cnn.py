"""The small CIFAR-10 convolutional network of chapter 03 (the classic Keras example).

Two blocks of ``conv-conv-pool-dropout`` (32 then 64 filters), a 512-unit dense layer and a
softmax, plus ``shift_and_flip``, the augmentation chapters 03 and 04 put in front of it.
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
    """The chapter-03 CNN; ``augmentation`` (e.g. ``shift_and_flip``) goes in front.

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
    """Random shifts, horizontal flips and, optionally, small rotations.

    The Keras 3 version of ``ImageDataGenerator(width_shift_range=shift,
    height_shift_range=shift, horizontal_flip=True, rotation_range=rotation_degrees)``:
    ``fill_mode="nearest"`` fills the uncovered border as ImageDataGenerator did
    (the Keras 3 layers would otherwise reflect the image). Chapter 03 uses
    ``shift_and_flip(0.1)``; chapter 04 ``shift_and_flip(0.2, rotation_degrees=10)``.

    Args:
        shift: the largest shift, a fraction of the width and of the height, in [0, 1).
        rotation_degrees: the largest rotation either way, in degrees (0 to 180); 0 for none.
        seed: seed of the random draws (each layer gets its own, derived from it); None
            for fresh ones.

    Returns:
        A ``keras.Sequential`` named ``augmentation``; it has no weights and acts only
        while training.

    Raises:
        ValueError: for ``shift`` outside [0, 1) or ``rotation_degrees`` outside [0, 180].
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
    """Different seeds for ``count`` random layers, derived from one seed.

    Args:
        seed: the seed to derive them from, or None.
        count: how many seeds.

    Returns:
        ``count`` distinct integers, or ``count`` Nones when ``seed`` is None.
    """
    return [None] * count if seed is None else [int(seed) + 1009 * i for i in range(count)]
