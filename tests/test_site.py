"""The site builds with ``mkdocs build --strict`` in both languages, notebooks included."""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(built_site):
    # Built once per session (tests/conftest.py), shared with the browser and link tests.
    return built_site


def chapters():
    return sorted(p.stem for p in (ROOT / "docs" / "zh").glob("[0-9][0-9]-*.md"))


def test_both_languages_are_built(site):
    for page in [
        "index.html",
        "install/index.html",
        "results/index.html",
        "errata/index.html",
        "keras3/index.html",
    ]:
        assert (site / page).exists() and (site / "en" / page).exists(), page
    assert '<html lang="zh"' in (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in (site / "en" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_keras3_table_holds_every_chapter_row(site, lang):
    """The API table is put together from one include per chapter: every row must stay in the
    table (a blank line between two includes used to end it after chapter 01's rows)."""
    parts = sorted((ROOT / "includes" / "pages" / "keras3").glob(f"*.{lang}.md"))
    rows = sum(
        line.startswith("| ") for p in parts for line in p.read_text(encoding="utf-8").splitlines()
    )
    page = (site / ("" if lang == "zh" else "en") / "keras3" / "index.html").read_text("utf-8")
    table = page[page.index('id="api-by-api"') :]
    table = table[: table.index("</table>")]
    # the header, the row the page writes itself ("import keras"), and every chapter's rows
    assert table.count("<tr>") == 2 + rows, (lang, table.count("<tr>"), rows)


def test_every_chapter_is_in_the_navigation(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    # A chapter is one page or several section pages (05-resnet, 05-resnet-schedules ...).
    assert len({stem[:2] for stem in chapters()}) == 13
    for stem in chapters():
        assert (site / stem / "index.html").exists() and (
            site / "en" / stem / "index.html"
        ).exists()
        assert f'href="{stem}/"' in html and f'href="{stem}/"' in english, stem


def test_language_switcher_points_to_the_same_page(site):
    html = (site / "02-mnist-mlp" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="en"' in html and "/en/02-mnist-mlp/" in html
    english = (site / "en" / "02-mnist-mlp" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="zh"' in english and "/02-mnist-mlp/" in english


def test_search_index_holds_chinese_words(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "\u200b" in text, "jieba did not segment the Chinese text"
    assert "多层感知机" in text.replace("\u200b", "")


def test_chapters_with_code_have_valid_notebooks(site):
    written = [
        stem
        for stem in chapters()
        if "notebook: false"
        not in (ROOT / "docs" / "zh" / f"{stem}.md").read_text(encoding="utf-8")
    ]
    assert "02-mnist-mlp" in written
    for stem in written:
        for prefix in ("", "en/"):
            path = site / prefix / "notebooks" / stem / f"{stem}.ipynb"
            notebook = nbformat.read(path, as_version=4)
            nbformat.validate(notebook)
            code = [c for c in notebook.cells if c.cell_type == "code"]
            assert code and not any("pytest-codeblocks" in c.source for c in notebook.cells)
            page = (site / prefix / stem / "index.html").read_text(encoding="utf-8")
            assert f"{stem}.ipynb" in page and "colab.research.google.com" in page
            assert (site / prefix / "notebooks" / stem / "index.html").exists()


COLAB_LINK = re.compile(r'href="(https://colab\.research\.google\.com/github/[^"]+)"')
DOWNLOAD_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*\bdownload\b')
COLAB_PREFIX = "https://colab.research.google.com/github/{repo}/blob/gh-pages/"


def repo_url() -> str:
    return (
        re.search(r"^repo_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
        .group(1)
        .rstrip("/")
    )


def test_every_colab_and_download_link_names_a_notebook_in_the_build(site):
    """Colab opens a file of the gh-pages branch (the built site as deployed); the download link
    is relative to its page. Both must name a notebook that the build really holds."""
    prefix = COLAB_PREFIX.format(repo=repo_url().removeprefix("https://github.com/"))
    problems, linked = [], {}
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site)
        lang = "en" if rel.parts[0] == "en" else "zh"
        text = html.read_text(encoding="utf-8")
        for url in COLAB_LINK.findall(text):
            if not url.startswith(prefix):
                problems.append(f"{rel}: Colab link not into {prefix}: {url}")
                continue
            target = site / url[len(prefix) :]
            if not target.is_file() or target.suffix != ".ipynb":
                problems.append(f"{rel}: Colab link to a file the build does not have: {url}")
            elif (
                lang == "en"
                and not url[len(prefix) :].startswith("en/")
                or lang == "zh"
                and url[len(prefix) :].startswith("en/")
            ):
                problems.append(f"{rel}: Colab link to the other language's notebook: {url}")
            linked.setdefault(rel, {})["colab"] = target.resolve()
        for href in DOWNLOAD_LINK.findall(text):
            target = (html.parent / href).resolve()
            if not target.is_file() or target.suffix != ".ipynb":
                problems.append(f"{rel}: download link to a file the build does not have: {href}")
            linked.setdefault(rel, {})["download"] = target
    assert not problems, "\n".join(problems)
    for stem in chapters():
        if "notebook: false" in (ROOT / "docs" / "zh" / f"{stem}.md").read_text(encoding="utf-8"):
            continue
        for prefix_dir in ("", "en/"):
            links = linked.get(Path(prefix_dir + stem) / "index.html", {})
            assert links.get("colab") and links.get("colab") == links.get("download"), (
                f"{prefix_dir}{stem}: the Colab and download links must name the same notebook: "
                f"{links}"
            )
            nbformat.validate(nbformat.read(links["colab"], as_version=4))
