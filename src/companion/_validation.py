"""The checks on a reader's arrays that every part of the package shares (NumPy only).

``check_finite`` names NaN and infinity where the package first sees the images (the
augmenter, ``flow``, ``companion.train.fit``, ``train_fast``), so a mistake is named there,
not later as a NaN loss; ``check_image_count`` refuses a statistic of too few images. Both
are cheap: one pass over a float array, none over an integer one (it cannot hold NaN).
"""

from __future__ import annotations

import numpy as np

#: How many values one ``np.isfinite`` pass looks at (bounds its temporary boolean array).
FINITE_CHUNK = 1 << 24


def check_finite(values, what: str = "images") -> None:
    """Raise a clear error if a NumPy array of floats holds NaN or infinity.

    Says how many values, of which kind, and in which images (the first few indices along
    the first axis). Backend tensors pass unchecked: inside a traced graph the values are
    not known, and the arrays a reader passes in are checked where they come in.

    Args:
        values: the array to check; anything else passes.
        what: its name in the error message.

    Raises:
        ValueError: if it holds NaN or infinity; the message says where and what to do.
    """
    if not isinstance(values, np.ndarray) or not np.issubdtype(values.dtype, np.inexact):
        return  # integers and booleans are always finite
    if values.ndim == 0:
        values = values.reshape(1)
    step = max(1, FINITE_CHUNK // max(1, values[0].size if len(values) else 1))
    if all(np.isfinite(values[i : i + step]).all() for i in range(0, len(values), step)):
        return
    raise ValueError(non_finite_message(values, what))


def non_finite_message(values: np.ndarray, what: str) -> str:
    """The message of ``check_finite``: how many values, of which kind, in which images.

    Args:
        values: a float array that holds NaN or infinity.
        what: its name in the message.

    Returns:
        The message, with what to do.
    """
    bad = ~np.isfinite(values)
    nan = int(np.isnan(values).sum())
    inf = int(bad.sum()) - nan
    kinds = ", ".join(f"{n} {kind}" for n, kind in ((nan, "NaN"), (inf, "inf")) if n)
    where = np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))
    unit = "images" if values.ndim == 4 else "samples"
    shown = ", ".join(str(i) for i in where[:5]) + (", ..." if len(where) > 5 else "")
    total = nan + inf
    return (
        f"{what} holds {total} non-finite value{'s' if total != 1 else ''} ({kinds}) "
        f"in {len(where)} of its {len(values)} {unit} (indices {shown}); a model fed them "
        "computes a NaN loss. What to do: check how they were loaded and scaled (a division "
        "by zero, a standard deviation of 0, a damaged file) with "
        "np.argwhere(~np.isfinite(x)) and fix that, or drop those "
        f"{unit} and their labels: "
        "keep = np.isfinite(x).reshape(len(x), -1).all(axis=1); x, y = x[keep], y[keep]."
    )


def check_image_count(images, what: str, needed: int = 2) -> None:
    """Refuse to compute a statistic of a set of images from fewer than ``needed`` of them.

    Args:
        images: the images (N, height, width, channels).
        what: the statistic, named in the message.
        needed: the fewest images it takes.

    Raises:
        ValueError: if there are fewer than ``needed`` images.
    """
    if len(images) < needed:
        raise ValueError(
            f"{what} describes a set of images and takes at least {needed}, got "
            f"{len(images)} (shape {tuple(np.shape(images))}): the statistics of one image "
            "describe that image, not the images a model will see. Pass the whole training "
            "set; a single image needs a batch axis too: x[None]."
        )
