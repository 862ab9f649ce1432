"""The results page and the book's assets: nothing written and left unshown, nothing shown that is
missing.

* Every figure under ``docs/assets/figures/`` is shown by a page (directly or through an
  included file), and every figure a page or include file shows exists.
* Every result record ``docs/assets/results/<stem>.json`` has its tables
  (``includes/results/<stem>.{zh,en}.md``), and a page includes them in each language;
  every included table has its record.
* The results page has, for every chapter, its include ``includes/pages/results/NN.{zh,en}.md``:
  present and non-empty in both languages, and either the source's numbers beside ours
  (a table) or "not yet measured" said plainly.
"""

import re
from pathlib import Path

import pytest

from book.hooks import snippets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
INCLUDES = ROOT / "includes"
ASSETS = DOCS / "assets"
LANGS = ("zh", "en")
FIGURE_REF = re.compile(r"""(?:\]\(|src=["'])[^)"'\s]*?(assets/figures/[^)"'\s#?]+)""")
NOT_MEASURED = {"zh": "尚未测量", "en": "not yet measured"}


def markdown_sources():
    """The pages (both languages) and every include file, which pages pull in."""
    pages = [p for lang in LANGS for p in (DOCS / lang).rglob("*.md") if "notebooks" not in p.parts]
    return pages + sorted(INCLUDES.rglob("*.md"))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def chapters():
    return sorted(p.stem for p in (DOCS / "zh").glob("[0-9][0-9]-*.md"))


def shown_figures() -> dict:
    """Figure path (from ``assets/``) -> the files that show it."""
    shown = {}
    for source in markdown_sources():
        for figure in FIGURE_REF.findall(read(source)):
            shown.setdefault(figure, []).append(str(source.relative_to(ROOT)))
    return shown


def included() -> dict:
    """Include path (below includes/) -> the files that include it.

    Only Markdown includes: a listing section of the package's source (``companion/...py:name``)
    is checked by test_listings.py.
    """
    found = {}
    for source in markdown_sources():
        for name in snippets.specs(read(source)):
            if name.endswith(".md"):
                found.setdefault(name, []).append(str(source.relative_to(ROOT)))
    return found


def test_every_figure_is_shown_by_a_page():
    shown = shown_figures()
    figures = sorted(
        str(p.relative_to(DOCS)) for p in (ASSETS / "figures").rglob("*") if p.is_file()
    )
    unshown = [f for f in figures if f not in shown]
    assert not unshown, (
        "figures under docs/assets/ that no page shows (show them or delete them):\n"
        + "\n".join(unshown)
    )


def test_every_shown_figure_exists():
    missing = [
        f"{figure} (shown by {', '.join(sources)})"
        for figure, sources in shown_figures().items()
        if not (DOCS / figure).is_file()
    ]
    assert not missing, "figures shown but missing:\n" + "\n".join(missing)


def test_every_included_file_exists():
    missing = [
        f"includes/{name} (included by {', '.join(by)})"
        for name, by in included().items()
        if not (INCLUDES / name).is_file()
    ]
    assert not missing, "included files that do not exist:\n" + "\n".join(missing)


def test_every_result_record_is_shown_in_both_languages():
    shown = included()
    problems = []
    for record in sorted((ASSETS / "results").glob("*.json")):
        for lang in LANGS:
            table = f"results/{record.stem}.{lang}.md"
            if not (INCLUDES / table).is_file():
                problems.append(
                    f"{record.relative_to(ROOT)}: no table includes/{table} (run "
                    "scripts/build_figures.py)"
                )
            elif table not in shown:
                problems.append(f"{record.relative_to(ROOT)}: no page includes its table {table}")
    assert not problems, "\n".join(problems)


def test_every_result_table_has_its_record():
    records = {p.stem for p in (ASSETS / "results").glob("*.json")}

    def has_record(stem):
        # a table is a record's own ("11-cats-vs-dogs") or derived from one
        # ("11-cats-vs-dogs-approaches")
        return any(stem == r or stem.startswith(r + "-") for r in records)

    orphans = [
        str(t.relative_to(ROOT))
        for t in sorted((INCLUDES / "results").glob("*.md"))
        if not has_record(t.name.rsplit(".", 2)[0])
    ]
    assert not orphans, "result tables without a record in docs/assets/results/:\n" + "\n".join(
        orphans
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("stem", chapters())
def test_results_page_has_the_chapter(stem, lang):
    number = stem[:2]
    name = f"pages/results/{number}.{lang}.md"
    include = INCLUDES / name
    assert include.is_file(), f"missing includes/{name}: chapter {stem} on the results page"
    text = read(include).strip()
    assert text, (
        f"includes/{name} is empty: give the source's numbers beside ours, or say "
        f"'{NOT_MEASURED[lang]}'"
    )
    assert name in snippets.specs(read(DOCS / lang / "results.md")), (
        f"docs/{lang}/results.md does not include {name}"
    )
    expanded = snippets.expand(text, [INCLUDES], missing="")
    has_table = re.search(r"^\|.*\|\s*$", expanded, re.M) is not None
    assert has_table or NOT_MEASURED[lang] in expanded.lower(), (
        f"includes/{name}: neither a table of the source's numbers beside ours nor "
        f"'{NOT_MEASURED[lang]}'"
    )
