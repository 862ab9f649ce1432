"""The chapters as files: fences the tests can run, zh/en pairs that match, links that exist."""

import io
import itertools
import re
import tokenize
from pathlib import Path

import pytest

from book.hooks import snippets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("zh", "en")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\n`]*)$")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LISTING = re.compile(r'^python title="[^"]+"$')


def pages(lang):
    return sorted(
        p.relative_to(DOCS / lang)
        for p in (DOCS / lang).rglob("*.md")
        if "notebooks" not in p.parts
    )


def code_blocks(path: Path):
    """(info string, code) of every fenced block of a Markdown file."""
    blocks, lines, info, fence = [], [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence, info, lines = match.group(2), match.group(3).strip(), []
        elif fence is not None and line.strip() == fence:
            blocks.append((info, "\n".join(lines)))
            fence = None
        elif fence is not None:
            lines.append(line)
    return blocks


def skeleton(code: str) -> list:
    """The code without its comments, with every string literal replaced by a placeholder.

    The two languages may translate strings and comments, nothing else.
    """
    tokens = []
    for tok in tokenize.generate_tokens(io.StringIO(code + "\n").readline):
        if tok.type == tokenize.COMMENT or tok.type in (
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
        ):
            continue
        if tok.type == tokenize.STRING or tok.type in (getattr(tokenize, "FSTRING_START", -1),):
            tokens.append("<str>")
        elif tok.type in (
            getattr(tokenize, "FSTRING_MIDDLE", -2),
            getattr(tokenize, "FSTRING_END", -3),
        ):
            continue
        else:
            tokens.append(tok.string)
    return tokens


def test_every_page_exists_in_both_languages():
    zh, en = set(pages("zh")), set(pages("en"))
    assert zh == en, (
        f"only in zh: {sorted(map(str, zh - en))}; only in en: {sorted(map(str, en - zh))}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_python_fences_are_collected_by_pytest_codeblocks(lang):
    bad = []
    for page in pages(lang):
        for info, code in code_blocks(DOCS / lang / page):
            if LISTING.match(info) and all(
                snippets.SNIPPET.match(line) for line in code.splitlines() if line.strip()
            ):
                continue  # a listing: shown, not run (tests/test_listings.py)
            if info.lstrip("{.").startswith("python") and info != "python":
                bad.append(f"{lang}/{page}: ```{info}")
            if info in ("sh", "bash", "zsh"):
                bad.append(f"{lang}/{page}: ```{info} would be executed by the tests; use ```shell")
    assert not bad, (
        "fences pytest-codeblocks would not collect (use a bare ```python):\n" + "\n".join(bad)
    )


@pytest.mark.parametrize("page", pages("zh"), ids=str)
def test_zh_and_en_have_the_same_code(page):
    zh = [(i, code) for i, code in code_blocks(DOCS / "zh" / page) if i == "python"]
    en = [(i, code) for i, code in code_blocks(DOCS / "en" / page) if i == "python"]
    assert len(zh) == len(en), f"{page}: {len(zh)} python blocks in zh, {len(en)} in en"
    for n, ((_, a), (_, b)) in enumerate(zip(zh, en, strict=True), start=1):
        assert skeleton(a) == skeleton(b), (
            f"{page}: python block {n} differs between zh and en:\n{a}\n----\n{b}"
        )


def expanded(lang: str, page) -> str:
    """A page's Markdown with its included files (``--8<--``, nested too) written out; the
    listings (sections of the package's source) left out."""
    text = (DOCS / lang / page).read_text(encoding="utf-8")
    return snippets.expand(text, [ROOT / "includes"], nested=True, missing="")


def headings(text: str) -> list:
    """The (level, title) of every Markdown heading outside fenced code."""
    found, fence = [], None
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and (heading := HEADING.match(line)):
            found.append((len(heading.group(1)), heading.group(2).strip()))
    return found


def side_by_side(zh: list, en: list) -> str:
    rows = [f"  {a!s:<48} | {b!s}" for a, b in itertools.zip_longest(zh, en, fillvalue="—")]
    return "\n".join(["  zh" + " " * 46 + "| en", *rows])


@pytest.mark.parametrize("page", pages("zh"), ids=str)
def test_zh_and_en_show_the_same_figures(page):
    def figures(lang):
        return [
            re.sub(r"\.(zh|en)\.png$", ".{lang}.png", src)
            for _, src in IMAGE.findall(expanded(lang, page))
        ]

    zh, en = figures("zh"), figures("en")
    assert zh == en, (
        f"{page}: the figures differ between zh and en (a figure with words has one file per "
        "language):\n" + side_by_side(zh, en)
    )


@pytest.mark.parametrize("page", pages("zh"), ids=str)
def test_zh_and_en_have_the_same_sections(page):
    zh, en = headings(expanded("zh", page)), headings(expanded("en", page))
    zh_levels, en_levels = [level for level, _ in zh], [level for level, _ in en]
    first = next(
        (i for i, (a, b) in enumerate(zip(zh_levels, en_levels, strict=False)) if a != b),
        min(len(zh), len(en)),
    )
    assert zh_levels == en_levels, (
        f"{page}: the sections differ between zh ({len(zh)} headings) and en ({len(en)}), "
        f"first at heading {first + 1} (the two languages keep the same sections):\n"
        + side_by_side(["#" * n + " " + t for n, t in zh], ["#" * n + " " + t for n, t in en])
    )


@pytest.mark.parametrize("lang", LANGS)
def test_images_exist_and_have_alt_text(lang):
    problems = []
    for page in pages(lang):
        for alt, src in IMAGE.findall((DOCS / lang / page).read_text(encoding="utf-8")):
            if src.startswith("http"):
                continue
            if not (DOCS / lang / page).parent.joinpath(src).resolve().exists():
                problems.append(f"{lang}/{page}: missing image {src}")
            if not alt.strip():
                problems.append(f"{lang}/{page}: image {src} has no alt text")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_included_result_tables_exist_in_the_page_language(lang):
    for page in pages(lang):
        for include in snippets.specs((DOCS / lang / page).read_text(encoding="utf-8")):
            if snippets.split_spec(include)[1] is not None:
                continue  # a listing: a section of a module (tests/test_listings.py)
            assert (ROOT / "includes" / include).exists(), (
                f"{lang}/{page} includes missing {include}"
            )
            assert include.endswith(f".{lang}.md"), (
                f"{lang}/{page} includes {include}, a table in another language"
            )


# --------------------------------------------------------------------------- chapter shape

CHAPTER_PAGE = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
#: A page a student can finish in one sitting (DESIGN.md: "at most ~350 lines"; a few lines of
#: slack for a table or a figure caption).
MAX_PAGE_LINES = 360
CLOSING = {"zh": ("## 小结", "## 练习"), "en": ("## Summary", "## Exercises")}
RUN_BOX = {"zh": '??? note "我们的运行记录"', "en": '??? note "How our run went"'}


def chapter_pages(lang):
    return [p for p in pages(lang) if CHAPTER_PAGE.match(p.name)]


@pytest.mark.parametrize("lang", LANGS)
def test_every_chapter_page_is_one_lesson_with_summary_and_exercises(lang):
    """Each chapter (or section) page: at most MAX_PAGE_LINES lines, a Summary of at most six
    bullets, then 3-6 Exercises; at most one collapsed box for the story of a run."""
    problems = []
    for page in chapter_pages(lang):
        text = (DOCS / lang / page).read_text(encoding="utf-8")
        if re.search(r"^notebook:\s*false", text, re.M):
            continue  # a "coming soon" page
        lines = text.splitlines()
        if len(lines) > MAX_PAGE_LINES:
            problems.append(f"{page}: {len(lines)} lines (at most {MAX_PAGE_LINES})")
        summary, exercises = CLOSING[lang]
        if summary not in lines or exercises not in lines:
            problems.append(f"{page}: needs {summary!r} and {exercises!r}")
            continue
        start, end = lines.index(summary), lines.index(exercises)
        bullets = [ln for ln in lines[start:end] if ln.startswith("- ")]
        if not 1 <= len(bullets) <= 6 or start > end:
            problems.append(f"{page}: the summary has {len(bullets)} bullets (1-6)")
        after = lines[end + 1 :]
        stop = next((i for i, ln in enumerate(after) if ln.startswith("## ")), len(after))
        numbered = [ln for ln in after[:stop] if re.match(r"^\d+\. ", ln)]
        if not 3 <= len(numbered) <= 6:
            problems.append(f"{page}: {len(numbered)} exercises (3-6)")
        if text.count(RUN_BOX[lang]) > 1:
            problems.append(f"{page}: more than one {RUN_BOX[lang]!r} box")
    assert not problems, "\n".join(problems)
