"""Figures about *how* a model trains: learning-rate schedules and batch-size studies.

Same conventions as :mod:`companion.visualize`: each function returns a matplotlib
``Figure`` and takes ``lang="zh"`` or ``"en"`` for its words.
"""

from __future__ import annotations

import numpy as np

from companion.visualize import _cjk_check, _pyplot

WORDS = {
    "zh": {
        "epoch": "轮次（epoch，从 0 数起）",
        "lr": "学习率（对数坐标）",
        "batch": "批大小",
        "images_s": "训练速度（图像/秒）",
        "memory": "内存（GiB）",
        "speed_title": "训练速度",
        "memory_title": "内存：原文公式的估计与实测",
        "estimate": "原文公式的估计",
        "corrected": "改正后的估计（参数只算一次）",
        "measured": "实测（进程内存峰值的增量）",
        "ours": "本书（CPU）",
        "source": "原文 003（Colab GPU，由秒/轮换算）",
    },
    "en": {
        "epoch": "epoch (counted from 0)",
        "lr": "learning rate (log scale)",
        "batch": "batch size",
        "images_s": "training speed (images/s)",
        "memory": "memory (GiB)",
        "speed_title": "Training speed",
        "memory_title": "Memory: the source's estimate vs measured",
        "estimate": "source's formula",
        "corrected": "corrected estimate (weights counted once)",
        "measured": "measured (increase of peak process memory)",
        "ours": "this book (CPU)",
        "source": "source 003 (Colab GPU, from its s/epoch)",
    },
}


def _w(lang: str) -> dict:
    if lang not in WORDS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return WORDS[lang]


def plot_learning_rate(curves: dict, lang: str = "zh", title: str | None = None):
    """One step line per entry of ``curves`` (label -> learning rate of each epoch)."""
    plt = _pyplot()
    w = _w(lang)
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
    ax.set_xlabel(w["epoch"])
    ax.set_ylabel(w["lr"])
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
    w = _w(lang)
    _cjk_check(lang, plt)
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = np.arange(len(batch_sizes))
    speed.plot(x, images_per_s, "o-", label=w["ours"])
    if source_images_per_s is not None:
        speed.plot(x, source_images_per_s, "s--", label=w["source"])
        speed.set_yscale("log")
    speed.set_title(w["speed_title"])
    speed.set_ylabel(w["images_s"])
    bars = [(estimated_gib, w["estimate"])]
    if corrected_gib is not None:
        bars.append((corrected_gib, w["corrected"]))
    bars.append((measured_gib, w["measured"]))
    width = 0.8 / len(bars)
    for i, (values, label) in enumerate(bars):
        memory.bar(x + (i - (len(bars) - 1) / 2) * width, values, width, label=label)
    memory.set_title(w["memory_title"])
    memory.set_ylabel(w["memory"])
    for ax in (speed, memory):
        ax.set_xticks(x, [str(b) for b in batch_sizes])
        ax.set_xlabel(w["batch"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
