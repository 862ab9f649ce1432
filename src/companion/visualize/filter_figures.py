"""Chapter 12's figures: filter images in a grid or one row per layer, Grad-CAM overlays.

The images come from ``companion.filters`` (``visualize_filters``, ``grad_cam``).
"""

from __future__ import annotations

import numpy as np

from .figures import _pyplot


def filter_grid(filter_images, n: int | None = None, title: str | None = None):
    """The source's picture: the n×n strongest filter images of one layer, strongest first.

    Filters that never responded (mean activation 0: gradient ascent could not move them,
    their image is the starting noise) are left out, as the source leaves them out. Each
    tile is captioned with its filter number.

    Args:
        filter_images: what ``companion.filters.visualize_filters`` returns.
        n: tiles per side; None: the largest square the responding filters fill.
        title: a title over the grid, or None.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: no filter responded.
    """
    from ..filters import strongest

    plt = _pyplot()
    live = [item for item in filter_images if item.activation > 0]
    if not live:
        raise ValueError(
            "filter_grid: no filter responded (all mean activations are 0); nothing to draw"
        )
    n = n or max(1, int(np.floor(np.sqrt(len(live)))))
    filter_images = live
    best = strongest(filter_images, n * n)
    fig, axes = plt.subplots(n, n, figsize=(n * 1.0, n * 1.1), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, item in zip(axes.flat, best, strict=False):
        ax.imshow(item.image)
        ax.set_title(str(item.index), fontsize=7, pad=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.3)
    return fig


def filters_by_layer(layers: dict, per_layer: int = 8):
    """One row per layer (input side at the top): the ``per_layer`` strongest filter images of each.

    Args:
        layers: a layer name -> its ``companion.filters.visualize_filters`` result, in
            row order.
        per_layer: images per row.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: no layers.
    """
    from ..filters import strongest

    plt = _pyplot()
    if not layers:
        raise ValueError("filters_by_layer needs at least one layer")
    rows = len(layers)
    fig, axes = plt.subplots(rows, per_layer, figsize=(per_layer * 1.1, rows * 1.2), squeeze=False)
    for row, (name, results) in zip(axes, layers.items(), strict=True):
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        for ax, item in zip(row, strongest(results, per_layer), strict=False):
            ax.imshow(item.image)
        row[0].set_ylabel(name, fontsize=8, family="monospace")
    fig.tight_layout(pad=0.3)
    return fig


def grad_cam_grid(images, heatmaps, titles=None, cols: int = 4, alpha: float = 0.45):
    """Each image beside itself with its Grad-CAM heat map laid over it (pairs in a grid).

    Args:
        images: the images, (N, height, width, 3), pixels 0..255 or 0..1.
        heatmaps: one heat map in 0..1 per image, (N, height, width).
        titles: one caption per image, or None.
        cols: pairs per row.
        alpha: the heat map's opacity, 0..1.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: not as many heat maps as images.
    """
    plt = _pyplot()
    images, heatmaps = np.asarray(images), np.asarray(heatmaps)
    if len(images) != len(heatmaps):
        raise ValueError(f"{len(images)} images but {len(heatmaps)} heat maps")
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(rows, 2 * cols, figsize=(2 * cols * 1.25, rows * 1.45), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, (image, heat) in enumerate(zip(images, heatmaps, strict=True)):
        left, right = axes[i // cols, 2 * (i % cols)], axes[i // cols, 2 * (i % cols) + 1]
        shown = image.astype("uint8") if image.max() > 1 else image
        left.imshow(shown)
        right.imshow(shown)
        right.imshow(heat, cmap="jet", alpha=alpha, vmin=0, vmax=1)
        if titles is not None:
            left.set_title(titles[i], fontsize=7, loc="left")
    fig.tight_layout(pad=0.3)
    return fig
