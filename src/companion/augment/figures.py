"""Before/after grids: the same images on the top row, augmented versions below."""

from __future__ import annotations

import numpy as np


def _display(image: np.ndarray) -> np.ndarray:
    """Stretch one image to [0, 1] for display (standardized or whitened pixels are not in
    0–255)."""
    image = np.asarray(image, dtype="float32")
    low, high = image.min(), image.max()
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def augmentation_grid(original, *augmented, titles=None, row_titles=None, cmap: str = "gray"):
    """The ``original`` images on the first row and each batch of ``augmented`` on a row below.

    Each column follows one image; a line separates the originals from the rest. Every
    image is stretched to its own minimum and maximum for display.

    Args:
        original: a batch (N, height, width, channels).
        *augmented: batches of the same images in the same order, one row each.
        titles: captions of the columns (e.g. the labels), or None.
        row_titles: labels of the rows, one per row including the originals (e.g. the
            option that made them), or None.
        cmap: the colour map of one-channel images.

    Returns:
        A matplotlib ``Figure`` with as many columns as the shortest row has images.

    Raises:
        ValueError: if a row has no image.
    """
    from ..visualize import _pyplot

    plt = _pyplot()
    rows = [np.asarray(original)] + [np.asarray(a) for a in augmented]
    cols = min(len(r) for r in rows)
    if cols == 0:
        raise ValueError("augmentation_grid needs at least one image per row")
    fig, axes = plt.subplots(
        len(rows), cols, figsize=(cols * 1.15, len(rows) * 1.2 + 0.2), squeeze=False
    )
    for r, batch in enumerate(rows):
        for c in range(cols):
            ax = axes[r, c]
            image = _display(batch[c])
            grey = image.shape[-1] == 1
            ax.imshow(image[..., 0] if grey else image, cmap=cmap if grey else None, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0 and titles is not None:
                ax.set_title(str(titles[c]), fontsize=9)
            if c == 0 and row_titles is not None and row_titles[r]:
                ax.set_ylabel(str(row_titles[r]), fontsize=8, rotation=0, ha="right", va="center")
    fig.tight_layout(h_pad=0.3, w_pad=0.2)
    if len(rows) > 1:  # a rule under the originals
        y = (axes[0, 0].get_position().y0 + axes[1, 0].get_position().y1) / 2
        fig.add_artist(plt.Line2D([0.02, 0.98], [y, y], color="tab:red", linewidth=1.2))
    return fig
