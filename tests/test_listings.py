"""Listings: the package's own source, shown on the chapter pages.

Where a chapter teaches how something works (a residual block, an Inception module, the
gradient-ascent loop), the page includes that part of the ``companion`` module at build
time, so the code a reader studies is the code that runs: one source of truth. A module
marks the part with pymdownx.snippets section markers::

    # --8<-- [start:resnet_layer]
    def resnet_layer(...):
        ...
    # --8<-- [end:resnet_layer]

and the page includes it in a *tilde* fence titled with the file::

    ~~~python title="companion/models/resnet.py"
    --8<-- "companion/models/resnet.py:resnet_layer"
    ~~~

Why tildes: a listing is shown, not run (a section is a fragment of a module, and the
chapter's runnable blocks import the same code from ``companion``). pytest-codeblocks
only sees backtick fences, so it neither runs a tilde listing nor lets the next block's
``<!--pytest-codeblocks:cont-->`` continue it (``cont`` joins a block to the fence just
before it, whatever that fence is: after a backtick listing marked skip, the rest of the
chapter's chain would silently be skipped with it). The notebook hook
(``book/hooks/notebooks.py``) expands the listing into a Markdown cell. The ``--8<--`` lines are
read by ``book.hooks.snippets``, as the notebooks read them.
"""

import re
import textwrap
from pathlib import Path

import pytest

from book.hooks import snippets
from book.hooks.snippets import SECTION_MARKER, SNIPPET, read_snippet, snippet_bases, split_spec

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = ROOT / "src"
LANGS = ("zh", "en")

#: The widest line a listing or a chapter code block may have (no sideways scrolling).
MAX_WIDTH = 88
#: A listing is for reading on one screen: a function with its Keras-style docstring
#: (Args / Returns / Raises) fits in 42 lines.
MAX_LISTING_LINES = 42
FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})(.*)$")
LISTING_INFO = re.compile(r'^python title="([^"]+)"$')
CHAPTER = re.compile(r"^\d\d-[a-z0-9-]+\.md$")


def chapters(lang):
    return sorted(p for p in (DOCS / lang).glob("*.md") if CHAPTER.match(p.name))


def fences(path: Path):
    """(fence characters, info string, content lines, line number) of each fenced block."""
    found, current = [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if current is None:
            match = FENCE_OPEN.match(stripped)
            if match:
                current = (match.group(1), match.group(2).strip(), [], number)
        elif stripped == current[0]:
            found.append(current)
            current = None
        else:
            current[2].append(line)
    return found


def listings(path: Path):
    """(title, [snippet specs], line number) of each listing fence of a page."""
    out = []
    for chars, info, lines, number in fences(path):
        specs = snippets.specs("\n".join(lines))
        if specs and ":" in specs[0] and chars.startswith("~"):
            out.append(
                (
                    LISTING_INFO.match(info).group(1) if LISTING_INFO.match(info) else info,
                    specs,
                    number,
                )
            )
    return out


def marker_problems(text: str) -> list[str]:
    """What is wrong with a module's section markers: unbalanced, nested in itself, repeated."""
    problems, open_at, seen = [], {}, set()
    for number, line in enumerate(text.splitlines(), start=1):
        marker = SECTION_MARKER.search(line)
        if not marker:
            continue
        kind, name = marker.group(1).lower(), marker.group(2)
        if kind == "start":
            if name in open_at:
                problems.append(f"line {number}: [start:{name}] again before its end")
            elif name in seen:
                problems.append(f"line {number}: a second section named {name!r}")
            open_at[name] = number
            seen.add(name)
        elif name not in open_at:
            problems.append(f"line {number}: [end:{name}] without a start")
        else:
            del open_at[name]
    problems += [f"line {number}: [start:{name}] never ends" for name, number in open_at.items()]
    return problems


def modules():
    return sorted(p for p in (SRC / "companion").rglob("*.py"))


def test_the_marker_check_finds_what_it_should():
    good = (
        "# --8<-- [start:a]\nx = 1\n# --8<-- [start:b]\ny = 2\n# --8<-- [end:b]\n# --8<-- [end:a]\n"
    )
    assert marker_problems(good) == []
    assert "never ends" in marker_problems("# --8<-- [start:a]\nx = 1\n")[0]
    assert "without a start" in marker_problems("x = 1\n# --8<-- [end:a]\n")[0]
    assert "second section" in marker_problems(good + good)[0]


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_section_markers_are_balanced(module):
    problems = marker_problems(module.read_text(encoding="utf-8"))
    assert not problems, f"{module.relative_to(ROOT)}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_every_listing_includes_a_section_that_exists(lang):
    problems = []
    for page in chapters(lang):
        for title, specs, number in listings(page):
            for spec in specs:
                path = split_spec(spec)[0]
                if not (SRC / path).is_file():
                    problems.append(f"{lang}/{page.name}:{number}: {spec}: no file src/{path}")
                    continue
                if title != path:
                    problems.append(
                        f"{lang}/{page.name}:{number}: titled {title!r}, includes {path}"
                    )
                try:
                    read_snippet(spec, snippet_bases(ROOT / "includes"))
                except LookupError as error:
                    problems.append(f"{lang}/{page.name}:{number}: {error}")
    assert not problems, "\n".join(problems)


def test_a_missing_section_is_an_error():
    with pytest.raises(LookupError, match="not found"):
        read_snippet(
            "companion/filters/ascent.py:no_such_section", snippet_bases(ROOT / "includes")
        )


@pytest.mark.parametrize("lang", LANGS)
def test_listings_are_short_and_fit_the_page(lang):
    problems = []
    for page in chapters(lang):
        for _, specs, number in listings(page):
            text = "\n".join(read_snippet(spec, snippet_bases(ROOT / "includes")) for spec in specs)
            lines = text.rstrip("\n").splitlines()
            if len(lines) > MAX_LISTING_LINES:
                problems.append(
                    f"{lang}/{page.name}:{number}: {len(lines)} lines (at most {MAX_LISTING_LINES})"
                )
            problems += [
                f"{lang}/{page.name}:{number}: {len(line)} characters: {line.strip()[:60]}"
                for line in lines
                if len(line) > MAX_WIDTH
            ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_listings_are_tilde_fences_of_snippets_only(lang):
    """pytest-codeblocks must not see a listing: see the module docstring."""
    problems = []
    for page in chapters(lang):
        for chars, info, lines, number in fences(page):
            includes_source = any(
                split_spec(spec)[1] is not None and (SRC / split_spec(spec)[0]).is_file()
                for spec in snippets.specs("\n".join(lines))
            )
            if not includes_source:
                continue
            where = f"{lang}/{page.name}:{number}"
            if not chars.startswith("~"):
                problems.append(
                    f"{where}: a listing in a backtick fence (use ~~~, see tests/test_listings.py)"
                )
            if not LISTING_INFO.match(info):
                problems.append(
                    f'{where}: a listing needs the info string python title="companion/..."'
                )
            if any(line.strip() and not SNIPPET.match(line) for line in lines):
                problems.append(
                    f"{where}: a listing holds only --8<-- lines (the code stays in the module)"
                )
    assert not problems, "\n".join(problems)


def test_zh_and_en_show_the_same_listings():
    for zh in chapters("zh"):
        en = DOCS / "en" / zh.name
        assert [s for _, s, _ in listings(zh)] == [s for _, s, _ in listings(en)], zh.name


@pytest.mark.parametrize("lang", LANGS)
def test_chapter_code_blocks_fit_the_page(lang):
    """No block of a chapter scrolls sideways: every line at most MAX_WIDTH characters."""
    problems = []
    for page in chapters(lang):
        for _, info, lines, number in fences(page):
            for offset, line in enumerate(lines, start=1):
                if len(line) > MAX_WIDTH:
                    problems.append(
                        f"{lang}/{page.name}:{number + offset} ({info or 'text'}): "
                        f"{len(line)} characters"
                    )
    assert not problems, f"lines over {MAX_WIDTH} characters:\n" + "\n".join(problems)


def test_listings_read_as_dedented_source():
    text = read_snippet("companion/filters/ascent.py:ascent", snippet_bases(ROOT / "includes"))
    assert text.startswith("for start in range(") and text == textwrap.dedent(text)
    assert "--8<--" not in text


def test_included_files_expand_at_their_indentation_and_nested(tmp_path):
    (tmp_path / "outer.md").write_text('| a |\n--8<-- "inner.md"\n', encoding="utf-8")
    (tmp_path / "inner.md").write_text("| b |\n", encoding="utf-8")
    page = '!!! note\n    --8<-- "outer.md"\n--8<-- "missing.md"\n'
    assert snippets.expand(page, [tmp_path], nested=True, missing="") == (
        "!!! note\n    | a |\n    | b |\n\n"
    )
    assert '--8<-- "inner.md"' in snippets.expand(page, [tmp_path], missing="")
    with pytest.raises(FileNotFoundError, match="missing.md"):
        snippets.expand(page, [tmp_path], nested=True)
