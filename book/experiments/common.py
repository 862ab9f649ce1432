"""What several chapters' experiments share: chapter 03's trained network, result rows,
phrases from the vocabulary, and writing records, figures and tables in both languages."""

import json
import time

from book import vocabulary
from companion import config
from companion.errors import CompanionError
from companion.models import build_cnn


def chapter03_network(ctx):
    """The chapter-03 CNN with the weights of chapter 03's run without augmentation, and its record.

    Chapter 03's run (same budget) keeps its finished weights in the cache; a smoke run gets
    an untrained network and no record (it only checks that the code runs).
    """
    model = build_cnn()
    if config.smoke():
        return model, None
    folder = ctx.runs_root.parents[1] / "03-cifar10-cnn" / ctx.budget / "plain"
    record = ctx.out / "docs" / "assets" / "results" / "03-cifar10-cnn.json"
    if not (folder / "finished.weights.h5").exists() or not record.exists():
        raise CompanionError(
            f"This chapter uses chapter 03's trained network, but {folder} holds no finished run. "
            f"Run: python scripts/build_figures.py --chapter 03 --budget {ctx.budget}, then this "
            "chapter again."
        )
    model.load_weights(str(folder / "finished.weights.h5"))
    return model, json.loads(record.read_text())


def row(key, ours, *, source=None, ref=None, fmt="float", label=None):
    """One comparison row of a record: our number beside the source's.

    ``label`` is a key of :mod:`book.vocabulary` or a ``{"zh", "en"}`` pair (default: the
    vocabulary's words for ``key``). ``fmt`` is how the table prints the values:
    ``percent``, ``float``, ``int``, ``seconds`` or ``minutes``.
    """
    return {
        "key": key,
        "label": vocabulary.label(label or key),
        "source": source,
        "source_ref": ref,
        "ours": ours,
        "format": fmt,
    }


# --- chapters 07-13: rows without a source, phrases, summaries of training runs -----------------


def note(key, ours, *, fmt="", label=None):
    """A row of our own measurement, with no source to compare (its record keeps no
    ``source_ref``)."""
    entry = row(key, ours, fmt=fmt, label=label)
    del entry["source_ref"]
    return entry


def phrase(key, **values):
    """The vocabulary's pair for ``key``, each language's text formatted with ``values``; a
    value that is itself a ``{"zh", "en"}`` pair (or a vocabulary key given as ``label(...)``)
    gives each language its own words."""
    return {
        lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
        for lang, text in vocabulary.label(key).items()
    }


def figure_per_lang(ctx, name, draw):
    """``draw(lang)`` once per language, written as ``<name>.<lang>.png``; returns the paths."""
    return [ctx.figure(draw(lang), name, lang) for lang in vocabulary.LANGS]


def table_per_lang(ctx, stem, render):
    """A chapter's own table, ``includes/results/<stem>.<lang>.md``, from ``render(lang)``."""
    from companion._io import write_text

    for lang in vocabulary.LANGS:
        path = write_text(ctx.out / "includes" / "results" / f"{stem}.{lang}.md", render(lang))
        print(f"  wrote {path.relative_to(ctx.out)}")


def save(ctx, provenance, comparisons, stem=None, *, chapter=None, **extra):
    """Write the record ``{"chapter", "provenance", "comparisons", **extra}`` and its tables as
    ``stem`` (default: the chapter's); returns the record."""
    record = {"chapter": chapter or ctx.chapter, "provenance": provenance}
    record.update(comparisons=comparisons, **extra)
    ctx.record(record, stem)
    return record


# --- timing and chapters' own tables


def timed(call, *args, **kwargs):
    """``call(*args, **kwargs)`` and the seconds it took: ``(result, seconds)``."""
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - start


def markdown_table(lang, header, rule, rows, *, smoke=False, banner="smoke_numbers", foot=None):
    """A Markdown table in ``lang`` as text: the vocabulary's ``banner`` and a blank line where
    ``smoke``, the vocabulary's ``header``, ``rule`` (``"|---|---:|"``), one line per row of
    cells, and ``foot`` in ``<small>`` under it; ends with a newline."""
    lines = [vocabulary.word(banner, lang), ""] if smoke else []
    lines += [vocabulary.word(header, lang), rule]
    lines += ["| " + " | ".join(str(cell) for cell in cells) + " |" for cells in rows]
    lines += ["", f"<small>{foot}</small>"] if foot else []
    return "\n".join([*lines, ""])


def params_row(name, model, *, source, ref, label):
    """The row ``params_<name>``: ``model``'s parameter count beside the source's."""
    count = model.count_params()
    return row(f"params_{name}", count, source=source, ref=ref, fmt="int", label=label)
