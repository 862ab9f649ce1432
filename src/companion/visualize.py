"""Figures for the chapters: sample grids, learning curves, confusion matrices, filter images.

The plotting functions return a matplotlib ``Figure`` (so a notebook shows it); those with
words on them take ``lang="zh"`` or ``"en"``. ``save_figure`` writes a PNG atomically.
Chinese labels need a CJK font (Debian: ``fonts-noto-cjk``); without one a warning says so.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ._fonts import CJK_FONTS, cjk_fonts
from ._io import atomic_path

LABELS = {
    "zh": {
        "epoch": "轮次（epoch）",
        "loss": "损失",
        "accuracy": "准确率",
        "train": "训练集",
        "val": "验证集",
        "true": "真实类别",
        "pred": "预测类别",
        "confusion": "混淆矩阵（测试集）",
        "mistake": "真 {t} → 判 {p}（{c:.1%}）",
        "per_class": "各类别的测试准确率",
        "overall": "总体 {a:.1%}",
        "truth": "真：{t}",
    },
    "en": {
        "epoch": "epoch",
        "loss": "loss",
        "accuracy": "accuracy",
        "train": "training",
        "val": "validation",
        "true": "true class",
        "pred": "predicted class",
        "confusion": "Confusion matrix (test set)",
        "mistake": "true {t} → pred {p} ({c:.1%})",
        "per_class": "Test accuracy per class",
        "overall": "overall {a:.1%}",
        "truth": "true: {t}",
    },
}


def _words(lang: str) -> dict:
    if lang not in LABELS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return LABELS[lang]


def _pyplot():
    import matplotlib

    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("MPLBACKEND")
        and "inline" not in matplotlib.get_backend()
    ):
        matplotlib.use("Agg")  # no screen (tests, CI, a server): draw to files
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = cjk_fonts(font_manager)  # also when matplotlib's font cache predates the font
    if cjk:
        plt.rcParams["font.sans-serif"] = cjk + ["DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
        plt.rcParams["axes.unicode_minus"] = False
    return plt


def _start(lang: str):
    """pyplot with the fonts set, and the words of ``lang``, for a figure that holds words."""
    plt = _pyplot()
    _cjk_check(lang, plt)
    return plt, _words(lang)


def _cjk_check(lang: str, plt) -> None:
    if lang == "zh" and not any(f in plt.rcParams["font.sans-serif"] for f in CJK_FONTS):
        warnings.warn(
            "No CJK font found, Chinese labels will show as boxes; install one "
            "(Debian/Ubuntu: apt-get install fonts-noto-cjk) and run again.",
            stacklevel=3,
        )


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


def plot_history(history: dict, lang: str = "zh", metrics=("loss", "accuracy")):
    """Learning curves: one panel per metric, training (dashed) and validation (solid).

    Args:
        history: metric name -> one value per epoch (``model.fit(...).history``).
        lang: ``"zh"`` or ``"en"``, the language of the labels.
        metrics: the metrics to draw, one panel each (``val_`` curves are added).

    Returns:
        The ``Figure``.

    Raises:
        ValueError: an unknown ``lang``.
        KeyError: a metric the history lacks.
    """
    return plot_histories({None: history}, lang, metrics)


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """The confusion matrix of class labels.

    Args:
        y_true: the true classes, any shape (flattened).
        y_pred: the predicted classes, as many.
        num_classes: the number of classes.

    Returns:
        An int64 array (num_classes, num_classes): ``[i, j]`` counts the samples of
        class i predicted as class j.

    Raises:
        ValueError: ``y_true`` and ``y_pred`` differ in length.
    """
    y_true, y_pred = np.ravel(y_true).astype(int), np.ravel(y_pred).astype(int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(y_true, y_pred, class_names, lang: str = "zh"):
    """The confusion matrix as a heat map with the counts written in.

    Args:
        y_true: the true classes.
        y_pred: the predicted classes.
        class_names: one name per class.
        lang: ``"zh"`` or ``"en"``, the language of the labels.

    Returns:
        The ``Figure``.

    Raises:
        ValueError: an unknown ``lang``, or ``y_true`` and ``y_pred`` differ in length.
    """
    plt = _pyplot()
    w = _words(lang)
    _cjk_check(lang, plt)
    counts = confusion_matrix(y_true, y_pred, len(class_names))
    size = max(4.5, 0.5 * len(class_names) + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    ax.imshow(np.log1p(counts), cmap="Blues")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45 if max(map(len, class_names)) > 2 else 0)
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel(w["pred"])
    ax.set_ylabel(w["true"])
    ax.set_title(w["confusion"])
    threshold = np.log1p(counts).max() / 2
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if np.log1p(value) > threshold else "black",
            )
    fig.tight_layout()
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


def plot_histories(histories: dict, lang: str = "zh", metrics=("loss", "accuracy")):
    """Learning curves of several runs on one figure: one colour per run, dashed = training.

    Args:
        histories: a run's name (shown in the legend; None for a single unnamed run) ->
            its history dict (``model.fit(...).history``).
        lang: ``"zh"`` or ``"en"``, the language of the labels.
        metrics: the metrics to draw, one panel each (``val_`` curves are added).

    Returns:
        The ``Figure``.

    Raises:
        ValueError: an unknown ``lang``, or no runs.
        KeyError: a metric a history lacks.
    """
    plt, w = _start(lang)
    if not histories:
        raise ValueError("plot_histories needs at least one run")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.8), squeeze=False)
    from matplotlib.ticker import MaxNLocator

    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes.flat, metrics, strict=True):
        for colour, (name, history) in zip(colours, histories.items(), strict=False):
            if metric not in history:
                raise KeyError(f"history has no {metric!r}; it has {sorted(history)}")
            epochs = np.arange(1, len(history[metric]) + 1)
            prefix = "" if name is None else f"{name} · "
            ax.plot(
                epochs,
                history[metric],
                "o--",
                color=colour,
                markersize=3,
                label=prefix + w["train"],
            )
            if f"val_{metric}" in history:
                ax.plot(
                    epochs,
                    history[f"val_{metric}"],
                    "s-",
                    color=colour if name is not None else colours[1],
                    markersize=3,
                    label=prefix + w["val"],
                )
        ax.set_xlabel(w["epoch"])
        ax.set_ylabel(w.get(metric, metric))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_per_class_accuracy(y_true, y_pred, class_names, lang: str = "zh"):
    """A bar per class: the share of its test images predicted correctly.

    Args:
        y_true: the true classes.
        y_pred: the predicted classes.
        class_names: one name per class.
        lang: ``"zh"`` or ``"en"``, the language of the labels.

    Returns:
        The ``Figure``, with the overall accuracy as a dashed line.

    Raises:
        ValueError: an unknown ``lang``, or ``y_true`` and ``y_pred`` differ in length.
    """
    plt, w = _start(lang)
    counts = confusion_matrix(y_true, y_pred, len(class_names))
    totals = counts.sum(axis=1)
    accuracy = np.divide(np.diag(counts), totals, out=np.zeros(len(class_names)), where=totals > 0)
    overall = np.trace(counts) / max(1, counts.sum())
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(class_names) + 1.2))
    rows = np.arange(len(class_names))
    ax.barh(rows, accuracy, color="#4c72b0")
    ax.axvline(overall, color="#c44e52", linestyle="--", label=w["overall"].format(a=overall))
    for row, value in zip(rows, accuracy, strict=True):
        ax.text(min(value + 0.01, 0.9), row, f"{value:.0%}", va="center", fontsize=8)
    ax.set_yticks(rows, class_names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(w["per_class"])
    ax.legend(loc="lower right", fontsize=8)
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


def save_figure(fig, path: str | os.PathLike, dpi: int = 110) -> Path:
    """Write ``fig`` as a PNG atomically and close it.

    Args:
        fig: a matplotlib ``Figure``.
        path: the PNG file; its folder is created if needed.
        dpi: the resolution, in dots per inch.

    Returns:
        ``path``, as a ``Path``.
    """
    plt = _pyplot()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


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
    from .filters import strongest

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
    from .filters import strongest

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


def shrink_png(path: str | os.PathLike, scale: float = 1.0, colors: int = 256) -> Path:
    """Rewrite a PNG smaller: scaled and reduced to a palette, atomically.

    For pictures full of fine texture (filter images), which compress badly as plain RGB PNGs.

    Args:
        path: the PNG file, rewritten in place.
        scale: the factor for width and height (Lanczos resampling).
        colors: the palette's size, at most 256.

    Returns:
        ``path``, as a ``Path``.
    """
    from PIL import Image

    path = Path(path)
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    if scale != 1.0:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.LANCZOS
        )
    with atomic_path(path) as tmp:
        image.quantize(colors, method=Image.Quantize.MEDIANCUT).save(
            tmp, format="PNG", optimize=True
        )
    return path
