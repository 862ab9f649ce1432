"""One fixed transform in ``ImageAugmenter``'s units: what a single random draw does.

``apply_transform`` takes one set of geometric parameters as plain numbers and applies
the matrices the augmenter builds from its draws (see ``affine``), in the same order, with
one resampling. Chapter 07's figures and tests use it.
"""

# The browser playground (docs/assets/js/augment-playground.js) repeats this arithmetic in
# JavaScript; tests/test_browser.py checks that the two agree pixel by pixel.

from __future__ import annotations

import math

import keras
import numpy as np

from . import options
from .checks import check_batch


def _pair(name: str, value) -> tuple[float, float]:
    """``zoom`` as ``(horizontal, vertical)``: one number zooms both axes alike."""
    values = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    if len(values) != 2:
        raise ValueError(
            f"{name} must be one number or a pair (horizontal, vertical), got {value!r}"
        )
    pair = tuple(options._number(name, v) for v in values)
    if min(pair) <= 0:
        raise ValueError(
            f"{name}={value!r} must be above 0: 0.8 zooms in, 1.25 out, 1 keeps the size."
        )
    return pair


def _fraction(name: str, value) -> float:
    fraction = options._number(name, value)
    if abs(fraction) >= 1:
        raise ValueError(
            f"{name}={value} is a fraction of the image size; pass a value "
            f"between -1 and 1 (e.g. {name}=0.1 moves by a tenth)."
        )
    return fraction


def _flip(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def transform_matrix(
    height: int,
    width: int,
    rotation: float = 0.0,
    width_shift: float = 0.0,
    height_shift: float = 0.0,
    shear: float = 0.0,
    zoom=1.0,
    horizontal_flip: bool = False,
    vertical_flip: bool = False,
) -> np.ndarray:
    """The 3×3 matrix taking an output pixel (x, y, 1) to the input point it reads.

    Each step's matrix is the one ``affine.layer_matrix`` builds from that layer's draw, and
    they multiply in the order the augmenter stacks its layers: the picture is rotated first
    and flipped last, every step about the image centre.

    Args:
        height: the image's height in pixels.
        width: the image's width in pixels.
        rotation: the angle in degrees, positive counter-clockwise.
        width_shift: the horizontal shift, a signed fraction of the width in (-1, 1).
        height_shift: the vertical shift, a signed fraction of the height in (-1, 1).
        shear: the shear angle in degrees, between -45 and 45.
        zoom: the zoom factor, or a pair (horizontal, vertical); below 1 zooms in.
        horizontal_flip: mirror left to right.
        vertical_flip: mirror top to bottom.

    Returns:
        A float64 array (3, 3) whose last row is (0, 0, 1).

    Raises:
        TypeError: for a parameter that is not a finite number, or a flip that is not a bool.
        ValueError: for a shift of 1 or more, a shear beyond 45 degrees or a zoom not above 0.
    """
    rotation = options._number("rotation", rotation)
    width_shift = _fraction("width_shift", width_shift)
    height_shift = _fraction("height_shift", height_shift)
    shear = options._number("shear", shear)
    if abs(shear) > options.MAX_SHEAR_DEGREES:
        raise ValueError(
            f"shear={shear} is an angle in degrees; pass one between "
            f"-{options.MAX_SHEAR_DEGREES:g} and {options.MAX_SHEAR_DEGREES:g}."
        )
    zx, zy = _pair("zoom", zoom)
    horizontal_flip = _flip("horizontal_flip", horizontal_flip)
    vertical_flip = _flip("vertical_flip", vertical_flip)

    cx, cy = (width - 1) / 2, (height - 1) / 2  # the centre, in pixel coordinates
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    k = math.tan(math.radians(shear))  # RandomShear's factor: the slope
    steps = [
        # RandomRotation's own matrix: a turn about the centre (positive: counter-clockwise)
        [[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy]],
        [[1, k, -k * cy], [0, 1, 0]],  # CentredShear: rows slide in proportion to y - cy
        [[zx, 0, cx * (1 - zx)], [0, zy, cy * (1 - zy)]],  # zoom about the centre
        [[1, 0, -width_shift * width], [0, 1, -height_shift * height]],  # shift, in pixels
        [[-1, 0, width - 1], [0, 1, 0]] if horizontal_flip else [[1, 0, 0], [0, 1, 0]],
        [[1, 0, 0], [0, -1, height - 1]] if vertical_flip else [[1, 0, 0], [0, 1, 0]],
    ]
    total = np.eye(3)
    for rows in steps:
        total = total @ np.array([*rows, [0, 0, 1]], dtype="float64")
    return total


def apply_transform(
    images,
    rotation: float = 0.0,
    width_shift: float = 0.0,
    height_shift: float = 0.0,
    shear: float = 0.0,
    zoom=1.0,
    horizontal_flip: bool = False,
    vertical_flip: bool = False,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    interpolation: str = "bilinear",
) -> np.ndarray:
    """Move ``images`` by one fixed set of parameters.

    >>> moved = apply_transform(image, rotation=30, width_shift=0.1, fill_mode="reflect")

    Args:
        images: one image (height, width, channels) or a batch (n, height, width,
            channels); every image of a batch gets the same transform.
        rotation: the angle in degrees, positive counter-clockwise.
        width_shift: the horizontal shift, a signed fraction of the width in (-1, 1).
        height_shift: the vertical shift, a signed fraction of the height in (-1, 1).
        shear: the shear angle in degrees, between -45 and 45.
        zoom: the zoom factor, or a pair (horizontal, vertical); below 1 zooms in.
        horizontal_flip: mirror left to right.
        vertical_flip: mirror top to bottom.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``, as for
            ``ImageAugmenter``.
        cval: the fill value for ``fill_mode="constant"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.

    Returns:
        A NumPy float32 array of the same shape as ``images``.

    Raises:
        ValueError: for images of another shape, or a parameter out of range.
        TypeError: for a parameter of the wrong type, or images that are not numbers.
    """
    x = np.asarray(images)
    single = x.ndim == 3
    if single and x.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            "apply_transform takes one image (height, width, channels) or a batch (n, height, "
            f"width, channels); got shape {x.shape}. Grey images such as MNIST's need the "
            "channel axis: x[..., None]."
        )
    batch = check_batch(x[None] if single else x)
    height, width = batch[1], batch[2]
    matrix = transform_matrix(
        height,
        width,
        rotation,
        width_shift,
        height_shift,
        shear,
        zoom,
        horizontal_flip,
        vertical_flip,
    )
    # affine_transform takes the first eight entries; the last row is always (0, 0, 1)
    flat = np.tile(matrix.reshape(9)[:8], (batch[0], 1)).astype("float32")
    moved = keras.ops.image.affine_transform(
        keras.ops.convert_to_tensor((x[None] if single else x).astype("float32")),
        flat,
        interpolation=options.check_interpolation(interpolation),
        fill_mode=options.check_fill_mode(fill_mode),
        fill_value=float(cval),
        data_format="channels_last",
    )
    moved = keras.ops.convert_to_numpy(moved)
    return moved[0] if single else moved
