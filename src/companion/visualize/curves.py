"""Learning curves: loss and accuracy per epoch, training (dashed) and validation (solid)."""

from __future__ import annotations

import numpy as np

from .figures import _start


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
