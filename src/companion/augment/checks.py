"""Checks on the images a reader passes in: a batch of rank 4, numbers, channels last."""

from __future__ import annotations

import keras


def check_batch(images, what: str = "images"):
    """Raise a clear error unless ``images`` is a (batch, height, width, channels) batch of numbers.

    Works on NumPy arrays and on backend tensors (eager or symbolic): it only reads the
    shape and the dtype.
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
    return shape
