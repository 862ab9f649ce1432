"""The old ``ImageDataGenerator`` options, checked and turned into Keras 3 layer arguments.

Plain Python: it validates what a reader passes and converts the old API's units (degrees,
fractions or pixels) into the ones the ``keras.layers.Random*`` layers expect.
"""

from __future__ import annotations

import math
import numbers

FILL_MODES = ("constant", "nearest", "reflect", "wrap")
INTERPOLATIONS = ("nearest", "bilinear")
#: RandomShear accepts factors up to 1, i.e. tan(45°); larger shears fold the image over.
MAX_SHEAR_DEGREES = 45.0


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def rotation_factor(rotation_range) -> float:
    """``rotation_range`` in degrees -> ``RandomRotation``'s factor, a fraction of a full turn.

    Args:
        rotation_range: the largest angle either way, in degrees (0 to 180).

    Returns:
        ``degrees / 360``.

    Raises:
        TypeError: if it is not a finite number.
        ValueError: if it is negative or above 180.
    """
    degrees = _number("rotation_range", rotation_range)
    if degrees < 0:
        raise ValueError(
            f"rotation_range={rotation_range} is negative; "
            "it is the largest angle in degrees either way "
            "(e.g. rotation_range=30 rotates by -30° to +30°). Pass a value between 0 and 180."
        )
    if degrees > 180:
        raise ValueError(
            f"rotation_range={rotation_range} is more than 180°; pass a value between 0 and 180."
        )
    return degrees / 360.0


def shift_range(name: str, value):
    """A shift range as the old API took it: a fraction below 1, or an ``int`` number of pixels.

    A float of 1 or more is refused: the old API silently read it as pixels, which hides a
    typo such as ``2.0`` for ``0.2``.

    Args:
        name: the option's name, for messages.
        value: a float below 1 (a fraction of the size) or an int (pixels), not negative.

    Returns:
        ``("fraction", f)`` or ``("pixels", n)``.

    Raises:
        TypeError: if it is not a real number (or is a bool).
        ValueError: if it is negative, or a float of 1 or more.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a fraction (float below 1) or whole pixels (int), got {value!r}"
        )
    if value < 0:
        raise ValueError(
            f"{name}={value} is negative; shifts go both ways already. "
            "Pass e.g. 0.1 (10% of the size) or 3 (pixels)."
        )
    if isinstance(value, numbers.Integral):
        return ("pixels", int(value))
    if value >= 1:
        raise ValueError(
            f"{name}={value} is a float of 1 or more. Write a fraction of the image size below 1 "
            f"(e.g. {name}=0.2 for 20%) or whole pixels as an int (e.g. {name}={int(value)})."
        )
    return ("fraction", float(value))


def shift_fraction(kind_value, size: int) -> float:
    """A checked shift range as a fraction of the image size (what ``RandomTranslation`` wants).

    Args:
        kind_value: what ``shift_range`` returned.
        size: the image's width or height in pixels.

    Returns:
        The largest shift as a fraction of ``size``.

    Raises:
        ValueError: if a shift in pixels is not under ``size``.
    """
    kind, value = kind_value
    if kind == "fraction":
        return value
    if value >= size:
        raise ValueError(
            f"a shift of {value} pixels is at least the image size ({size}); pass fewer pixels."
        )
    return value / size


def shear_factor(shear_range) -> float:
    """``shear_range`` in degrees -> the shear factor ``tan(angle)`` of ``RandomShear``.

    Args:
        shear_range: the largest shear angle in degrees (0 to 45).

    Returns:
        ``tan(shear_range)``, at most 1.

    Raises:
        TypeError: if it is not a finite number.
        ValueError: if it is negative or above 45 (the message explains the old radians).
    """
    degrees = _number("shear_range", shear_range)
    if degrees < 0:
        raise ValueError(
            f"shear_range={shear_range} is negative; "
            "pass the largest shear angle in degrees (e.g. 15)."
        )
    if degrees > MAX_SHEAR_DEGREES:
        raise ValueError(
            f"shear_range={shear_range}° is more than {MAX_SHEAR_DEGREES:g}°. "
            "shear_range is an angle in degrees (Keras 2.2 and later). "
            "Keras 2.1 read it in radians: the old value 1.25 meant about 71.6°; "
            "pass degrees up to 45."
        )
    return math.tan(math.radians(degrees))


def zoom_bounds(zoom_range) -> tuple[float, float]:
    """``zoom_range`` (a float z, or ``[lower, upper]``) -> ``(lower, upper)`` as the old API
    used them.

    A zoom of 0.8 samples the input at 0.8 times the distance from the centre, so the content
    looks larger (zoom in); 1.2 makes it smaller (zoom out).

    Args:
        zoom_range: ``z`` in [0, 1), giving ``[1 - z, 1 + z]``, or ``[lower, upper]``.

    Returns:
        ``(lower, upper)`` with ``0 < lower <= upper``.

    Raises:
        TypeError: if a value is not a finite number.
        ValueError: for a ``z`` outside [0, 1), a list that is not a pair, or bounds out of
            order.
    """
    if isinstance(zoom_range, (list, tuple)):
        if len(zoom_range) != 2:
            raise ValueError(f"zoom_range must be a float or [lower, upper], got {zoom_range!r}")
        lower, upper = (_number("zoom_range", v) for v in zoom_range)
    else:
        z = _number("zoom_range", zoom_range)
        if z < 0 or z >= 1:
            raise ValueError(
                f"zoom_range={zoom_range} must be between 0 and 1 (it gives [1 - z, 1 + z]); "
                "pass e.g. 0.2."
            )
        lower, upper = 1.0 - z, 1.0 + z
    if not 0 < lower <= upper:
        raise ValueError(
            f"zoom_range=[{lower}, {upper}] must satisfy 0 < lower <= upper (e.g. [0.8, 1.2])."
        )
    return lower, upper


def flip_mode(horizontal_flip: bool, vertical_flip: bool) -> str | None:
    """The ``RandomFlip`` mode for the two old switches.

    Args:
        horizontal_flip: flip left to right.
        vertical_flip: flip top to bottom.

    Returns:
        ``"horizontal"``, ``"vertical"``, ``"horizontal_and_vertical"``, or None when
            neither is on.

    Raises:
        TypeError: if a switch is not a bool.
    """
    for name, value in (("horizontal_flip", horizontal_flip), ("vertical_flip", vertical_flip)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")
    if horizontal_flip and vertical_flip:
        return "horizontal_and_vertical"
    if horizontal_flip:
        return "horizontal"
    if vertical_flip:
        return "vertical"
    return None


def check_fill_mode(fill_mode: str) -> str:
    """Check a ``fill_mode``.

    Args:
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.

    Returns:
        ``fill_mode``, unchanged.

    Raises:
        ValueError: for any other value.
    """
    if fill_mode not in FILL_MODES:
        raise ValueError(f"unknown fill_mode {fill_mode!r}; choose one of {', '.join(FILL_MODES)}.")
    return fill_mode


def check_interpolation(interpolation: str) -> str:
    """Check an ``interpolation``.

    Args:
        interpolation: ``"nearest"`` or ``"bilinear"``.

    Returns:
        ``interpolation``, unchanged.

    Raises:
        ValueError: for any other value.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"unknown interpolation {interpolation!r}; choose one of {', '.join(INTERPOLATIONS)}."
        )
    return interpolation


def check_rescale(rescale):
    """Check a ``rescale`` factor.

    Args:
        rescale: the factor pixels are multiplied by; None or 0 for none (as the old API).

    Returns:
        The factor as a float, or None.

    Raises:
        TypeError: if it is not a finite number.
    """
    if rescale is None or rescale == 0:
        return None  # the old API treated 0 and None as "no rescaling"
    return _number("rescale", rescale)
