"""Where a classifier goes wrong: the confusion matrix, and the test accuracy of each class."""

from __future__ import annotations

import numpy as np

from .figures import _cjk_check, _pyplot, _start, _words


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
