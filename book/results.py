"""Result records: every number on the site, with where and how it was measured.

A record is plain JSON written by ``scripts/build_figures.py``::

    {"chapter": "02-mnist-mlp",
     "provenance": {... see provenance() ...},
     "comparisons": [{"key": "test_accuracy", "label": {"zh": ..., "en": ...},
                      "source": 0.9821, "source_ref": "000", "ours": 0.9830, "format": "percent"}],
     "history": {...}}

:func:`comparison_table` turns a record into the Markdown table a chapter includes,
the source's claim beside ours, and labels smoke runs as such.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
from pathlib import Path

from companion import __version__, config
from companion._io import write_json, write_text
from companion.machine import describe_device

from . import lock
from .recipes import run_label, what_ran
from .vocabulary import LANGS, ZH_PHRASES, word


def git_commit(root: str | os.PathLike | None = None) -> str:
    """The checkout's commit, with ``+dirty`` when its code differs from it; ``unknown`` outside
    git.

    ``root`` is the checkout's top folder (default: the one above ``book/``). It must be the
    top of a git repository itself: a copy lying elsewhere, perhaps inside some other
    repository, has a HEAD that says nothing about this code.
    """
    root = Path(root or Path(__file__).resolve().parents[1]).resolve()
    try:

        def git(*args: str) -> str:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=True
            ).stdout.strip()

        if Path(git("rev-parse", "--show-toplevel")).resolve() != root:
            return "unknown"
        commit = git("rev-parse", "--short=12", "HEAD")
        # New files count (a module not yet committed changes the code); the run's own outputs
        # (figures, records, tables) and ignored files do not.
        dirty = git(
            "status",
            "--porcelain",
            "--untracked-files=normal",
            "--",
            ".",
            ":(exclude)docs/assets",
            ":(exclude)includes/results",
        )
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


_pinned_commit: str | None = None


def pin_commit() -> str:
    """Read the commit now and record it in every later record of this process.

    A long run reads its code at the start; edits made to the checkout while it trains
    must not be credited to it (``scripts/build_figures.py`` pins before training).
    """
    global _pinned_commit
    _pinned_commit = git_commit()
    return _pinned_commit


def provenance(
    *,
    dataset: str,
    n_train: int,
    n_test: int,
    epochs: int | None = None,
    batch_size: int | None = None,
    wall_time_s: float | None = None,
    images_per_s: float | None = None,
    **extra,
) -> dict:
    """Everything a reader needs to judge a number: data, budget, software, device, time."""
    import keras

    backend = keras.backend.backend()
    backend_module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    backend_version = "unknown"
    if backend_module:
        try:
            backend_version = __import__(backend_module).__version__
        except ImportError:
            pass
    record = {
        "smoke": config.smoke(),
        "dataset": dataset,
        "n_train": None if n_train is None else int(n_train),
        "n_test": int(n_test),
        "epochs": epochs,
        "batch_size": batch_size,
        "wall_time_s": wall_time_s,
        "images_per_s": images_per_s,
        "backend": backend,
        "backend_version": backend_version,
        "keras_version": keras.__version__,
        "companion_version": __version__,
        "python": platform.python_version(),
        "device": describe_device(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": _pinned_commit or git_commit(),
        "load_average": lock.load_average_span(),
    }
    record.update(extra)
    return record


def run_provenance(
    run,
    *,
    dataset: str,
    n_test: int,
    recipe=None,
    budget: str | None = None,
    validation_images: int = 0,
    lossy_data: bool = False,
    **extra,
) -> dict:
    """:func:`provenance` of a :class:`companion.train.TrainingRun`: its data size, epochs, time and
    speed.

    With a :class:`book.recipes.Recipe` and the budget's name, the record also keeps the
    recipe, what ran and its cuts (:func:`book.recipes.what_ran`), from which the
    table's label is computed.
    """
    speed = run.images_per_s
    if run.load_average:
        # the training's own load: a finished run reused later keeps it
        extra.setdefault("load_average", run.load_average)
    if recipe is not None:
        if budget is None:
            raise ValueError(
                "run_provenance: a recipe needs the budget's name (smoke, cpu or full)"
            )
        extra.update(
            what_ran(
                recipe,
                budget,
                train_images=run.train_samples or 0,
                epochs=run.epochs,
                batch_size=run.batch_size or recipe.batch_size,
                validation_images=validation_images,
                lossy_data=lossy_data,
                resumed_at_epoch=run.resumed_at_epoch,
            )
        )
    return provenance(
        dataset=dataset,
        n_train=run.train_samples,
        n_test=n_test,
        epochs=run.epochs,
        batch_size=run.batch_size,
        wall_time_s=run.wall_time_s,
        images_per_s=None if speed is None else round(speed, 1),
        **extra,
    )


def save_record(record: dict, path: str | os.PathLike) -> Path:
    """Write a record as JSON, atomically."""
    return write_json(path, record)


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{100 * value:.2f}%"
    if kind == "int":
        return f"{round(value):,}"  # round, not truncate: 41.67 images/s is 42
    if kind == "seconds":
        return f"{value:.1f} s"
    if kind == "minutes":
        return f"{value / 60:.1f} min"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def localize(text: str, lang: str) -> str:
    """A recorded English description (dataset, device) in the page's language.

    Chinese translates the phrases that :data:`book.vocabulary.ZH_PHRASES` knows and keeps
    anything else as recorded.
    """
    if lang != "zh":
        return text
    for pattern, replacement in ZH_PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


def _count(n) -> str:
    return "?" if n is None else f"{n:,}"


def provenance_line(prov: dict, lang: str) -> str:
    """One sentence of provenance for the foot of a table."""
    label = run_label(prov, lang)
    parts = [label] if label else []
    parts.append(
        word("run_data", lang).format(
            dataset=localize(prov["dataset"], lang),
            train=_count(prov["n_train"]),
            test=_count(prov["n_test"]),
        )
    )
    if prov.get("epochs") is not None:
        parts.append(
            word("run_epochs", lang).format(epochs=prov["epochs"], batch=prov.get("batch_size"))
        )
    if prov.get("wall_time_s") is not None:
        # Wall time only: speeds are published from benchmarks/ on a quiet machine, not from long
        # runs.
        parts.append(f"{prov['wall_time_s']:.0f} s")
    if prov.get("load_average"):
        start, end = prov["load_average"]["start"], prov["load_average"]["end"]
        parts.append(f"{word('run_load', lang)} {start:.1f} → {end:.1f}")
    parts.append(f"Keras {prov['keras_version']} / {prov['backend']} {prov['backend_version']}")
    parts.append(localize(prov["device"], lang))
    parts.append(word("run_commit", lang).format(date=prov["date"][:10], commit=prov["git_commit"]))
    return word("run_title", lang) + word("colon", lang) + " · ".join(parts)


def comparison_table(record: dict, lang: str) -> str:
    """The Markdown table of a record: each quantity, the source's value, ours."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    refs = sorted({c["source_ref"] for c in record["comparisons"] if c.get("source_ref")})
    source_header = " / ".join(word(f"source_{ref}", lang) for ref in refs) or "—"
    lines = []
    if record["provenance"].get("smoke"):
        lines += [f'!!! warning "smoke run"\n    {word("table_smoke", lang)}', ""]
    quantity, ours = word("table_quantity", lang), word("table_ours", lang)
    lines += [f"| {quantity} | {source_header} | {ours} |", "|---|---:|---:|"]
    for c in record["comparisons"]:
        kind = c.get("format", "")
        lines.append(
            f"| {c['label'][lang]} | {_fmt(c.get('source'), kind)} | {_fmt(c.get('ours'), kind)} |"
        )
    lines += ["", f"<small>{provenance_line(record['provenance'], lang)}</small>", ""]
    return "\n".join(lines)


def write_tables(record: dict, folder: str | os.PathLike, stem: str) -> list[Path]:
    """Write ``<stem>.zh.md`` and ``<stem>.en.md`` tables for the chapters to include."""
    return [
        write_text(Path(folder) / f"{stem}.{lang}.md", comparison_table(record, lang))
        for lang in LANGS
    ]
