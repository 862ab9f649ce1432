"""What every figure shares: pyplot with a CJK font, the labels of both languages, saving.

``LABELS`` holds the words the figures write, in Chinese and English; ``save_figure`` writes a
PNG atomically and ``shrink_png`` rewrites one smaller. Chinese labels need a CJK font
(Debian: ``fonts-noto-cjk``); without one a warning says so.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .._fonts import CJK_FONTS, cjk_fonts
from .._io import atomic_path

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
