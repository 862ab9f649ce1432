"""Array preprocessing used by the CIFAR-10 chapters: scaling, mean subtraction, grayscale."""

from __future__ import annotations

import numpy as np

from .statistics import pixel_mean

#: ITU-R BT.601 luma weights, the ones source 003 uses for its grayscale images.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def scale_pixels(x) -> np.ndarray:
    """Pixels 0..255 as float32 in [0, 1].

    Args:
        x: an array of pixels 0..255, any shape and real dtype (usually uint8).

    Returns:
        ``x / 255`` as float32, same shape.
    """
    return np.asarray(x, dtype="float32") / 255.0


def subtract_pixel_mean(x_train, *others):
    """Subtract the training set's mean image (one mean per pixel and channel) from every set.

    The mean comes from the training images only: the test set must not inform the
    preprocessing.

    Args:
        x_train: the training images, (N, height, width, channels).
        *others: more sets of the same image shape (validation, test), each
            (M, height, width, channels).

    Returns:
        ``(x_train - mean, *[x - mean for x in others], mean)``, all float32; ``mean``
            has shape (height, width, channels).

    Raises:
        ValueError: if ``x_train`` holds fewer than two images.
    """
    x_train = np.asarray(x_train, dtype="float32")
    mean = pixel_mean(x_train).astype("float32")  # summed in float64: see statistics.py
    return (x_train - mean, *[np.asarray(x, dtype="float32") - mean for x in others], mean)


def to_grayscale(x) -> np.ndarray:
    """Colour images to grayscale with the BT.601 weights (``LUMA_WEIGHTS``).

    Args:
        x: colour images, (N, height, width, 3), any real dtype.

    Returns:
        float32 grayscale images, (N, height, width, 1), on the scale of ``x``.

    Raises:
        ValueError: ``x`` is not of shape (N, height, width, 3).
    """
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"to_grayscale expects colour images of shape (N, H, W, 3), got {x.shape}")
    return (x.astype("float32") @ np.asarray(LUMA_WEIGHTS, dtype="float32"))[..., None]
