"""Every Chinese and English label and phrase the book's build writes, in one place.

Records, tables, figures drawn by the build and the notebooks' cells name their words by a
key; :func:`label` gives the pair a record stores (``{"zh": ..., "en": ...}``) and
:func:`word` one language's text. A label that differs only by a run's name is composed
(:func:`label` with ``run=``), not written out once per run.

The reader's library (``companion``) keeps its own few words (class names, axis titles):
it may not import the build.
"""

from __future__ import annotations

LANGS = ("zh", "en")

#: key -> {"zh": ..., "en": ...}. Keep each section sorted by key.
WORDS: dict[str, dict[str, str]] = {
    # --- result rows shared by several chapters -------------------------------------------
    "params": {"zh": "参数量", "en": "Parameters"},
    "test_accuracy": {"zh": "测试准确率", "en": "Test accuracy"},
    "test_loss": {"zh": "测试损失", "en": "Test loss"},
    "train_accuracy": {"zh": "最后一轮训练准确率", "en": "Training accuracy, last epoch"},
    "training_time": {"zh": "训练时间", "en": "Training time"},
    # --- chapters 01-06 ----------------------------------------------------------------------
    # --- chapters 07-13 ----------------------------------------------------------------------
    # --- records, result tables and the results page -----------------------------------------
    # --- hooks: notebooks, pages -------------------------------------------------------------
}


def label(key: str | dict[str, str], run: str | dict[str, str] | None = None) -> dict[str, str]:
    """The ``{"zh", "en"}`` pair for ``key`` (a key of :data:`WORDS`, or a pair itself).

    With ``run`` (a key or a pair naming one run of a chapter, e.g. "with augmentation"),
    the run's name follows in brackets: "测试准确率（有增强）" / "Test accuracy (with
    augmentation)".

    Raises:
        KeyError: for a key that :data:`WORDS` does not hold (add it there).
    """
    pair = dict(key) if isinstance(key, dict) else dict(WORDS[key])
    if run is not None:
        name = dict(run) if isinstance(run, dict) else WORDS[run]
        pair = {"zh": f"{pair['zh']}（{name['zh']}）", "en": f"{pair['en']} ({name['en']})"}
    return pair


def word(key: str, lang: str) -> str:
    """One language's text for ``key``.

    Raises:
        KeyError: for an unknown key; ValueError for a language other than zh or en.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return WORDS[key][lang]
