"""Checks on the images a reader passes in: a batch of rank 4, numbers, channels last, finite.

They run where the package first sees the images (the augmenter's ``fit``, call and
``augment``, ``flow``, ``companion.train.fit``), so a mistake is named there, not later as a
NaN loss.
"""

from __future__ import annotations

import keras
import numpy as np

#: How many values one ``np.isfinite`` pass looks at (bounds its temporary boolean array).
FINITE_CHUNK = 1 << 24


def check_batch(images, what: str = "images"):
    """Refuse anything but a (batch, height, width, channels) batch of finite numbers.

    Works on NumPy arrays and on backend tensors (eager or symbolic): it reads the shape
    and the dtype, and the values only of a NumPy array (see ``check_finite``).

    Args:
        images: the array or tensor to check.
        what: its name in the error messages.

    Returns:
        The shape, as a tuple.

    Raises:
        ValueError: if it is not 4-D, its last axis is not 1 to 4 channels, or it holds
            NaN or infinity.
        TypeError: if it does not hold numbers.
    """
    shape = tuple(images.shape)
    try:
        dtype = keras.backend.standardize_dtype(images.dtype)
    except ValueError:  # strings, objects ...: not a dtype Keras knows
        dtype = str(images.dtype)
    if len(shape) != 4:
        hint = ""
        if len(shape) == 3:
            hint = (
                " If these are grey images such as MNIST's (N, 28, 28), add the channel axis: "
                "x[..., None]. If it is one colour image, add the batch axis: x[None]."
            )
        raise ValueError(
            f"{what} must be a batch of shape (batch, height, width, channels), "
            f"got shape {shape}.{hint}"
        )
    if dtype == "bool" or not (
        dtype.startswith("float") or dtype.startswith("int") or dtype.startswith("uint")
    ):
        raise TypeError(
            f"{what} must hold numbers (uint8 or float), got dtype {dtype}; "
            "convert with x.astype('float32')."
        )
    if shape[-1] is not None and shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            f"{what} has {shape[-1]} channels on the last axis (shape {shape}); "
            "images are channels-last with 1, 3 or 4 channels. "
            "Move the channel axis last, e.g. np.moveaxis(x, 1, -1)."
        )
    check_finite(images, what)
    return shape


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
    raise ValueError(_non_finite_message(values, what))


def check_fit_inputs(x, y=None, validation_data=None) -> None:
    """Check that the arrays given to ``companion.train.fit`` are finite.

    Datasets and tensors are left to their own pipeline.

    Args:
        x: the inputs, an array or a dict of arrays.
        y: the labels, or None.
        validation_data: ``(x, y)`` or ``(x, y, sample_weight)``, or anything else (not
            checked).

    Raises:
        ValueError: if one of the arrays holds NaN or infinity.
    """
    named = [("x", x), ("y", y)]
    if isinstance(validation_data, (tuple, list)):
        named += [(f"validation_data[{k}]", part) for k, part in enumerate(validation_data)]
    for name, value in named:
        if isinstance(value, dict):
            for key, array in value.items():
                check_finite(array, f"{name}[{key!r}]")
        else:
            check_finite(value, name)


def _non_finite_message(values: np.ndarray, what: str) -> str:
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
        "computes a NaN loss. What to do: find where they come from (a division by zero, "
        "a standard deviation of 0, a damaged file) with np.argwhere(~np.isfinite(x)) and "
        f"fix that, or drop those {unit} and their labels: "
        "keep = np.isfinite(x).reshape(len(x), -1).all(axis=1); x, y = x[keep], y[keep]."
    )


def check_statistics_batch(images) -> None:
    """Refuse to learn feature-wise statistics (mean, standard deviation, ZCA) from one image.

    Args:
        images: the images ``fit`` was given.

    Raises:
        ValueError: if there are fewer than two.
    """
    if len(images) < 2:
        raise ValueError(
            "featurewise_center / featurewise_std_normalization / zca_whitening learn "
            f"statistics of the data, and that takes at least two images, got {len(images)}: "
            "the statistics of one image describe that image, not the images the model will "
            "see. Fit on the training set: augmenter.fit(x_train). To standardize each image "
            "on its own, use samplewise_center / samplewise_std_normalization (no fit needed)."
        )
