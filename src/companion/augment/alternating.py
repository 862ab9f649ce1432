"""Chapter 13's augmentation: alternating flips and small translations, a whole epoch at a time.

Random flips show an image in the same orientation two epochs running half of the time;
alternating them (Jordan 2024) shows every image both ways in every pair of epochs. The
translations draw a new shift of up to ``pad`` pixels per image and epoch, from a copy
padded by reflection. Both work on NumPy arrays, before the batches are cut.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:epoch_images]
def epoch_images(images, epoch: int, *, seed: int = 0, flip: bool = True, pad: int = 2):
    """The training images of epoch ``epoch``: alternately flipped, randomly translated.

    Args:
        images: array (N, height, width, channels).
        epoch: the epoch, counted from 0; the same epoch and seed give the same images, so
            a resumed run sees what it would have seen.
        seed: the run's seed.
        flip: flip a fixed random half of the images in even epochs and the other half in
            odd epochs.
        pad: the largest shift in pixels (0: none); the borders are filled by reflection.

    Returns:
        A new array of the same shape and dtype.

    Raises:
        ValueError: if ``images`` is not a 4-D batch or ``pad`` is negative or too large.
    """
    x = np.asarray(images)
    if x.ndim != 4:
        raise ValueError(f"epoch_images needs images (N, height, width, channels), got {x.shape}")
    if pad < 0 or pad >= min(x.shape[1:3]):
        raise ValueError(f"pad must be between 0 and the image size - 1, got {pad}")
    # --8<-- [start:alternate]
    if flip:
        first_half = np.random.default_rng(seed).random(len(x)) < 0.5  # fixed for the run
        flipped = first_half if epoch % 2 == 0 else ~first_half
        x = np.where(flipped[:, None, None, None], x[:, :, ::-1], x)
    if pad:
        x = translate(x, np.random.default_rng([seed, epoch]), pad)
    return x
    # --8<-- [end:alternate]


# --8<-- [end:epoch_images]


def translate(x: np.ndarray, rng: np.random.Generator, pad: int) -> np.ndarray:
    """Shift each image by its own (dy, dx) in [-pad, pad], reflecting at the borders.

    Args:
        x: images (N, height, width, channels).
        rng: the generator that draws the shifts.
        pad: the largest shift in pixels, under the image size.

    Returns:
        A new array of the same shape and dtype.
    """
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    shifts = rng.integers(0, 2 * pad + 1, size=(n, 2))
    out = np.empty_like(x)
    for dy in range(2 * pad + 1):  # one slice per shift: a loop of 25, not of 50,000
        for dx in range(2 * pad + 1):
            chosen = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            out[chosen] = padded[chosen, dy : dy + h, dx : dx + w]
    return out
