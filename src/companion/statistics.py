"""Dataset statistics for standardization, accumulated in float64, a slice at a time.

A float32 sum of a whole dataset stops growing long before the end (chapter 07 shows why);
summing slices into float64 keeps every value's share, and the slices keep memory small.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_image_count

#: images per slice: 1,024 CIFAR-10 images are 25 MB in float64
SLICE = 1024


# --8<-- [start:channel_mean_std]
def channel_mean_std(images, slice_size: int = SLICE):
    """The mean and standard deviation of each channel over a whole set of images.

    Args:
        images: array of shape (N, height, width, channels), any real dtype.
        slice_size: how many images are converted to float64 at a time.

    Returns:
        ``(mean, std)``: float64 arrays of shape (channels,); ``std`` is the
            population standard deviation, as the old ``ImageDataGenerator.fit``'s.

    Raises:
        ValueError: if there are fewer than two images.
    """
    x = np.asarray(images)
    check_image_count(x, "channel_mean_std")
    count = x.shape[0] * x.shape[1] * x.shape[2]  # values per channel
    slices = [x[i : i + slice_size] for i in range(0, len(x), slice_size)]
    mean = sum(s.sum(axis=(0, 1, 2), dtype="float64") for s in slices) / count
    # then the squared distances from the mean: no cancellation between two large
    # sums, as sum(x**2) - n * mean**2 would have
    distances = (s.astype("float64") - mean for s in slices)
    squares = sum(np.square(d).sum(axis=(0, 1, 2)) for d in distances)
    return mean, np.sqrt(squares / count)
    # --8<-- [end:channel_mean_std]


def pixel_mean(images, slice_size: int = SLICE) -> np.ndarray:
    """The mean image: one mean per pixel and channel, summed in float64 a slice at a time.

    Args:
        images: array of shape (N, height, width, channels), any real dtype.
        slice_size: how many images are summed in float64 at a time.

    Returns:
        The float64 mean over the N images, shape (height, width, channels).

    Raises:
        ValueError: if there are fewer than two images.
    """
    x = np.asarray(images)
    check_image_count(x, "pixel_mean")
    total = sum(
        x[i : i + slice_size].sum(axis=0, dtype="float64") for i in range(0, len(x), slice_size)
    )
    return total / len(x)
