"""Named augmentation recipes: the sources' settings as ``ImageAugmenter`` options.

``ImageAugmenter.preset(name)`` makes one. The units are the augmenter's (the old
``ImageDataGenerator``'s): angles in degrees, shifts and zooms as fractions of the size.
Each recipe applies its random layers in the order the chapter chose, each resampling
the image in turn (``resample="each"``, what a stack of ``keras.layers.Random*`` layers
does), and zooms both axes alike (``keep_aspect``).
"""

from __future__ import annotations

import math

# --8<-- [start:presets]
PRESETS = {
    # chapters 03, 05 and 13: shifts of up to 10% each way and left-right flips
    "cifar10_cnn": dict(
        width_shift_range=0.1,
        height_shift_range=0.1,
        horizontal_flip=True,
        order=("rotation", "shift", "horizontal_flip"),
    ),
    # chapter 04: shifts of up to 20%, rotations of up to 10 degrees, flips
    "cifar10_deep_cnn": dict(
        rotation_range=10,
        width_shift_range=0.2,
        height_shift_range=0.2,
        horizontal_flip=True,
        order=("rotation", "shift", "horizontal_flip"),
    ),
    # --8<-- [start:cats_vs_dogs]
    # chapter 11, from scratch; the source's shear_range=0.2 was in radians: 11.46°
    "cats_vs_dogs": dict(
        horizontal_flip=True,
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.2,
        zoom_range=0.2,
        shear_range=math.degrees(0.2),
        order=("horizontal_flip", "rotation", "shift", "zoom", "shear"),
    ),
    # --8<-- [end:cats_vs_dogs]
    # --8<-- [start:lite0]
    # chapter 11, EfficientNet-Lite0 transfer: milder (18 degrees, 10%)
    "cats_vs_dogs_lite0": dict(
        horizontal_flip=True,
        rotation_range=18,
        width_shift_range=0.1,
        height_shift_range=0.1,
        zoom_range=0.1,
        order=("horizontal_flip", "rotation", "shift", "zoom"),
    ),
    # --8<-- [end:lite0]
}
# every recipe: one Keras layer after another, zooming both axes by one draw
LAYER_STACK = dict(resample="each", keep_aspect=True)
# --8<-- [end:presets]


def preset_options(name: str) -> dict:
    """The ``ImageAugmenter`` options of the recipe ``name``.

    Args:
        name: a key of ``PRESETS``.

    Returns:
        A new dict of options (the recipe's, with ``LAYER_STACK``'s).

    Raises:
        ValueError: for an unknown name; the message lists the names.
    """
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown augmentation preset {name!r}; the presets: {', '.join(PRESETS)}")
    return {**PRESETS[name], **LAYER_STACK}
