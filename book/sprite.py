"""A few dozen test images in one PNG (a sprite) for a page to pick from.

Chapter 05's page lets the reader classify CIFAR-10 test images in the browser. Shipping them
as one PNG costs one request; a small JSON beside it says which test image each tile is and
its true label. The pixels are the dataset's own: PNG is lossless, so the page reads exactly
the values the Python model sees.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from companion._io import write_bytes


def first_of_each_class(labels, per_class: int, num_classes: int) -> np.ndarray:
    """Indices of the first ``per_class`` images of every class, in the set's own order.

    Not hand-picked: row ``r`` of the result holds the ``r``-th image of each class, so a
    sprite with ``num_classes`` columns has one class per column.
    """
    labels = np.asarray(labels).reshape(-1)
    chosen = []
    for c in range(num_classes):
        found = np.flatnonzero(labels == c)[:per_class]
        if len(found) < per_class:
            raise ValueError(f"class {c} has only {len(found)} images; {per_class} were asked for")
        chosen.append(found)
    return np.stack(chosen, axis=1).reshape(-1)


def write_sprite(images, path, columns: int) -> Path:
    """Write ``images`` (N, H, W, C uint8) as one PNG, ``columns`` tiles a row, row by row."""
    from PIL import Image

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(
            "write_sprite takes uint8 images of shape (N, H, W, C), "
            f"got {images.dtype} {images.shape}"
        )
    n, h, w, c = images.shape
    rows = -(-n // columns)
    sheet = np.zeros((rows * h, columns * w, c), dtype=np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        sheet[r * h : (r + 1) * h, col * w : (col + 1) * w] = image
    buffer = io.BytesIO()
    # No colour profile and no gamma chunk: a browser then gives the page these very values.
    image = Image.fromarray(sheet.squeeze(-1) if c == 1 else sheet)
    image.save(buffer, format="PNG", optimize=True)
    return write_bytes(path, buffer.getvalue())


def read_tile(path, index: int, tile: tuple[int, int], columns: int) -> np.ndarray:
    """Tile ``index`` of a sprite, as the uint8 array it was written from."""
    from PIL import Image

    h, w = tile
    r, col = divmod(index, columns)
    with Image.open(path) as image:
        sheet = np.asarray(image)
    return sheet[r * h : (r + 1) * h, col * w : (col + 1) * w]
