"""The site builds with ``mkdocs build --strict`` in both languages, notebooks included."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))


@pytest.fixture(scope="module")
def site(built_site):
    # Built once per session (tests/conftest.py), shared with the browser and link tests.
    return built_site


def chapters():
    return sorted(p.stem for p in (ROOT / "docs" / "zh").glob("[0-9][0-9]-*.md"))


def test_both_languages_are_built(site):
    for page in ["index.html", "install/index.html", "results/index.html", "errata/index.html", "keras3/index.html"]:
        assert (site / page).exists() and (site / "en" / page).exists(), page
    assert '<html lang="zh"' in (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in (site / "en" / "index.html").read_text(encoding="utf-8")


def test_every_chapter_is_in_the_navigation(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert len(chapters()) == 12
    for stem in chapters():
        assert (site / stem / "index.html").exists() and (site / "en" / stem / "index.html").exists()
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
    written = [stem for stem in chapters() if "notebook: false" not in (ROOT / "docs" / "zh" / f"{stem}.md").read_text(encoding="utf-8")]
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
