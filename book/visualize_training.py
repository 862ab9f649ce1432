"""Figures about *how* a model trains: learning-rate schedules and batch-size studies.

Same conventions as :mod:`companion.visualize`: each function returns a matplotlib
``Figure`` and takes ``lang="zh"`` or ``"en"`` for its words.
"""

from __future__ import annotations

import numpy as np

from companion.visualize import _cjk_check, _pyplot

from .vocabulary import LANGS, word


def _words(lang: str):
    """``key -> text`` for the figures' words (``fig_<key>`` in :mod:`book.vocabulary`)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lambda key: word(f"fig_{key}", lang)


def plot_learning_rate(curves: dict, lang: str = "zh", title: str | None = None):
    """One step line per entry of ``curves`` (label -> learning rate of each epoch)."""
    plt = _pyplot()
    w = _words(lang)
    _cjk_check(lang, plt)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    styles = ["-", "--", ":", "-."]
    for i, (label, rates) in enumerate(curves.items()):
        # repeat the last rate so that the last epoch has a width
        rates = list(rates) + list(rates[-1:])
        ax.step(
            np.arange(len(rates)),
            rates,
            where="post",
            linestyle=styles[i % len(styles)],
            linewidth=2,
            label=label,
        )
    ax.set_yscale("log")
    ax.set_xlabel(w("epoch_from_0"))
    ax.set_ylabel(w("learning_rate_log"))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_batch_size_study(
    batch_sizes,
    images_per_s,
    estimated_gib,
    measured_gib,
    lang: str = "zh",
    source_images_per_s=None,
    corrected_gib=None,
):
    """Two panels: training speed per batch size, and memory (estimates vs measured)."""
    plt = _pyplot()
    w = _words(lang)
    _cjk_check(lang, plt)
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = np.arange(len(batch_sizes))
    speed.plot(x, images_per_s, "o-", label=w("speed_ours_cpu"))
    if source_images_per_s is not None:
        speed.plot(x, source_images_per_s, "s--", label=w("speed_source_003"))
        speed.set_yscale("log")
    speed.set_title(w("speed_title"))
    speed.set_ylabel(w("speed_images_s"))
    bars = [(estimated_gib, w("memory_estimate"))]
    if corrected_gib is not None:
        bars.append((corrected_gib, w("memory_corrected")))
    bars.append((measured_gib, w("memory_measured")))
    width = 0.8 / len(bars)
    for i, (values, label) in enumerate(bars):
        memory.bar(x + (i - (len(bars) - 1) / 2) * width, values, width, label=label)
    memory.set_title(w("memory_title"))
    memory.set_ylabel(w("memory_gib"))
    for ax in (speed, memory):
        ax.set_xticks(x, [str(b) for b in batch_sizes])
        ax.set_xlabel(w("batch_size"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
