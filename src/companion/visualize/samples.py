"""Grids of images: samples of a dataset, one row per class, the mistakes, the top guesses."""

from __future__ import annotations

import numpy as np

from .figures import _cjk_check, _pyplot, _start, _words


def sample_grid(
    images, labels=None, class_names=None, rows: int = 4, cols: int = 10, title: str | None = None
):
    """A grid of the first ``rows * cols`` images, each captioned with its label.

    Args:
        images: images (N, height, width[, channels]); grey ones are drawn dark on light.
        labels: one class number per image, or None for no captions.
        class_names: names to caption with instead of the numbers, or None.
        rows: rows at most (fewer when there are fewer images).
        cols: images per row.
        title: a title over the grid, or None.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: no images.
    """
    plt = _pyplot()
    images = np.asarray(images)
    n = min(rows * cols, len(images))
    if n == 0:
        raise ValueError("sample_grid needs at least one image")
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.9, rows * 1.05), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i]
        grey = image.ndim == 2 or image.shape[-1] == 1
        ax.imshow(image.squeeze() if grey else image, cmap="gray_r" if grey else None)
        if labels is not None:
            label = int(np.ravel(labels[i])[0])
            ax.set_title(class_names[label] if class_names else str(label), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def class_samples_grid(images, labels, class_names, per_class: int = 8):
    """One row per class: its first ``per_class`` images, the class name at the left.

    Args:
        images: the images.
        labels: one class number per image.
        class_names: one name per class, in class order.
        per_class: images per row.

    Returns:
        The ``Figure``.
    """
    plt = _pyplot()
    labels = np.ravel(labels).astype(int)
    fig, axes = plt.subplots(
        len(class_names),
        per_class,
        figsize=(per_class * 0.8 + 1.0, len(class_names) * 0.8),
        squeeze=False,
    )
    for row, name in enumerate(class_names):
        chosen = np.flatnonzero(labels == row)[:per_class]
        for col, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if col < len(chosen):
                # whole pixels, not smoothed: tiny images stay sharp and the PNG stays small
                ax.imshow(np.asarray(images[chosen[col]]).squeeze(), interpolation="nearest")
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def misclassified_grid(
    images, y_true, probabilities, class_names, lang: str = "zh", rows: int = 3, cols: int = 8
):
    """The test images the model got wrong, most confident mistakes first.

    Args:
        images: the test images.
        y_true: their true classes.
        probabilities: the model's class probabilities, (N, classes).
        class_names: one name per class.
        lang: ``"zh"`` or ``"en"``, the language of the captions.
        rows: rows at most.
        cols: images per row.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: an unknown ``lang``.
    """
    plt = _pyplot()
    w = _words(lang)
    _cjk_check(lang, plt)
    probabilities = np.asarray(probabilities)
    y_true = np.ravel(y_true).astype(int)
    y_pred = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(y_pred != y_true)
    wrong = wrong[np.argsort(-probabilities[wrong, y_pred[wrong]])][: rows * cols]
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.55), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        image = np.asarray(images[i])
        grey = image.ndim == 2 or image.shape[-1] == 1
        ax.imshow(image.squeeze() if grey else image, cmap="gray_r" if grey else None)
        ax.set_title(
            w["mistake"].format(
                t=class_names[y_true[i]], p=class_names[y_pred[i]], c=probabilities[i, y_pred[i]]
            ),
            fontsize=7,
        )
    fig.tight_layout()
    return fig


def prediction_grid(
    images,
    y_true,
    probabilities,
    class_names,
    lang: str = "zh",
    rows: int = 3,
    cols: int = 6,
    top: int = 3,
):
    """Test images with the model's ``top`` guesses and their probabilities.

    Args:
        images: the test images.
        y_true: their true classes.
        probabilities: the model's class probabilities, (N, classes).
        class_names: one name per class.
        lang: ``"zh"`` or ``"en"``, the language of the captions.
        rows: rows of images.
        cols: images per row.
        top: guesses shown per image (green when the first is right, red otherwise).

    Returns:
        The ``Figure``.

    Raises:
        ValueError: an unknown ``lang``.
    """
    plt, w = _start(lang)
    probabilities = np.asarray(probabilities)
    y_true = np.ravel(y_true).astype(int)
    n = min(rows * cols, len(probabilities))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.7, rows * 2.25), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(np.asarray(images[i]).squeeze())
        best = np.argsort(-probabilities[i])[:top]
        right = best[0] == y_true[i]
        ax.set_title(w["truth"].format(t=class_names[y_true[i]]), fontsize=8)
        guesses = "\n".join(f"{class_names[k]} {probabilities[i, k]:.0%}" for k in best)
        ax.text(
            0.5,
            -0.04,
            guesses,
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=7.5,
            color="#2a7f2a" if right else "#c03030",
        )
    fig.subplots_adjust(hspace=0.9, wspace=0.15)
    return fig
