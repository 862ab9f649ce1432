"""Chapter 11's data augmentation (11.2): random flips, rotations, shifts, zooms, shears."""

from __future__ import annotations

import math

import keras
from keras import layers

from ..cnn import layer_seeds


# --8<-- [start:augmentation]
def augmentation(
    rotation: float = 40,
    shift: float = 0.2,
    zoom: float = 0.2,
    shear: float = 0.2,
    seed: int | None = None,
) -> keras.Sequential:
    """Random flips, rotations, shifts, zooms and shears: the old generator as layers.

    Args:
        rotation: the largest angle either way in degrees, as ``rotation_range``.
        shift: the largest shift, a fraction of the width and of the height.
        zoom: the largest zoom in or out, a fraction of the size, as ``zoom_range``.
        shear: the largest shear in radians (Keras 2.0.9's unit), about the centre.
        seed: derives one seed per layer (layers sharing one draw the same numbers).

    Returns:
        A ``keras.Sequential`` whose layers act only while training.
    """
    from companion.augment.shear import CentredShear

    flip, rotate, shift_seed, zoom_seed, shear_seed = layer_seeds(seed, 5)
    stack = [
        layers.RandomFlip("horizontal", seed=flip),
        layers.RandomRotation(rotation / 360, fill_mode="nearest", seed=rotate),
        layers.RandomTranslation(shift, shift, fill_mode="nearest", seed=shift_seed),
        layers.RandomZoom(zoom, fill_mode="nearest", seed=zoom_seed),
    ]
    if shear:
        slant = math.tan(shear)  # horizontal offset per pixel of height
        stack.append(CentredShear(x_factor=slant, fill_mode="nearest", seed=shear_seed))
    return keras.Sequential(stack, name="augmentation")
    # --8<-- [end:augmentation]
