"""Checks on the images a reader passes in: a batch of rank 4, numbers, channels last, finite.

They run where the package first sees the images (the augmenter's ``fit``, call and
``augment``, ``flow``, ``companion.train.fit``), so a mistake is named there, not later as a
NaN loss. The NaN check itself, ``check_finite``, is shared with the rest of the package
(``companion._validation``).
"""

from __future__ import annotations

import keras

from .._validation import FINITE_CHUNK, check_finite

__all__ = [
    "FINITE_CHUNK",
    "check_batch",
    "check_finite",
    "check_fit_inputs",
    "check_statistics_batch",
]


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
