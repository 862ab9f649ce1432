"""The notebooks a reader downloads: valid for every chapter, and the quick ones run top to bottom.

Each chapter's notebook is made the way the site build makes it (:mod:`book.hooks.notebooks`).
The chapters in ``QUICK_CHAPTERS`` are executed with nbclient as a smoke run
(``COMPANION_SMOKE=1``), in a kernel on this very interpreter that imports ``companion``
from this checkout's ``src/``. Add a chapter there once its smoke run takes seconds.
"""

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

import notebookrun
from book.hooks.notebooks import DOWNLOAD_TAG, INSTALL_TAG, chapter_to_notebook, wants_notebook

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Chapters whose notebooks run in seconds under COMPANION_SMOKE=1.
QUICK_CHAPTERS = ["02-mnist-mlp"]
LANGS = ("zh", "en")
# The notebook run per quick chapter: the Chinese one, from this checkout (as an author runs it).
# Every notebook, both languages, runs from the wheel in tests/test_journey.py.
RUN_LANGS = ("zh",)


def written_chapters():
    return sorted(p.stem for p in (DOCS / "zh").glob("[0-9][0-9]-*.md") if wants_notebook(p))


def notebook(lang: str, stem: str):
    text = (DOCS / lang / f"{stem}.md").read_text(encoding="utf-8")
    return chapter_to_notebook(text, lang, ROOT / "includes")


@pytest.mark.parametrize(
    "lang,stem", [(lang, stem) for lang in LANGS for stem in written_chapters()]
)
def test_every_chapter_notebook_is_valid(lang, stem):
    nb = nbformat.reads(nbformat.writes(notebook(lang, stem)), as_version=4)  # as a reader saves it
    nbformat.validate(nb)
    assert any(cell.cell_type == "code" for cell in nb.cells), (
        f"{lang}/{stem}: a notebook without code"
    )
    # What only MkDocs understands must not reach Jupyter as raw text.
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for leftover, what in [
        (r"^(?:!!!|\?\?\?)", "an admonition"),
        (r"^--8<--", "an include"),
        (r"pytest-codeblocks", "a test marker"),
    ]:
        assert not re.search(leftover, markdown, re.M), (
            f"{lang}/{stem}: the notebook shows {what} as raw text"
        )


def test_quick_chapters_are_written_chapters():
    missing = sorted(set(QUICK_CHAPTERS) - set(written_chapters()))
    assert not missing, f"QUICK_CHAPTERS names chapters with no notebook: {missing}"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernel spec for this interpreter, found through JUPYTER_PATH (no global install)."""
    with notebookrun.kernel(
        tmp_path_factory.mktemp("jupyter"), sys.executable, "companion-tests"
    ) as name:
        yield name


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The datasets the chapter reads: the developers' real ones if set, else test-made ones."""
    return notebookrun.data_dir(tmp_path_factory)


@pytest.mark.parametrize(
    "lang,stem", [(lang, stem) for stem in QUICK_CHAPTERS for lang in RUN_LANGS]
)
def test_quick_chapter_notebook_runs_top_to_bottom(lang, stem, kernel_name, data_dir, tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = notebook(lang, stem)
    # The install cell (pip install of the release) is the reader's; here the kernel imports
    # companion from this checkout instead.
    install = notebookrun.tagged(nb, INSTALL_TAG)
    assert len(install) == 1 and install[0].source.startswith("%pip install "), (
        f"{lang}/{stem}: no install cell"
    )
    env = {
        **os.environ,
        "COMPANION_SMOKE": "1",
        "COMPANION_DATA_DIR": data_dir,
        "MPLBACKEND": "Agg",
        # The kernel imports companion from this checkout, as the tests do.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    try:
        notebookrun.execute(nb, kernel_name, env, tmp_path, skip_tag=INSTALL_TAG)
    except CellExecutionError as error:
        pytest.fail(f"{lang}/{stem}: a cell failed when the notebook ran top to bottom:\n{error}")
    code = [
        c for c in nb.cells if c.cell_type == "code" and not notebookrun.tagged_with(c, INSTALL_TAG)
    ]
    assert all(cell.execution_count for cell in code), f"{lang}/{stem}: not every code cell ran"
    outputs = notebookrun.stream_text(code)
    assert re.search(r"smoke", outputs, re.I), (
        f"{lang}/{stem}: the run did not say it was a smoke run"
    )


def test_web_only_parts_stay_out_of_the_notebook():
    """A live widget works on the site only; the notebook keeps the text around it."""
    text = (
        '# Title\n\nBefore.\n\n<!-- web-only -->\n<div class="live">sliders</div>\n'
        '<script type="module" src="widget.js"></script>\n<!-- /web-only -->\n\nAfter.\n'
    )
    cells = chapter_to_notebook(text, "en", ROOT / "includes").cells
    source = "".join(cell.source for cell in cells)
    assert "Before." in source and "After." in source
    assert "sliders" not in source and "widget.js" not in source
    for lang in LANGS:  # chapter 07's playground, in both languages
        cells = notebook(lang, "07-augmentation").cells
        assert not any("augment-playground" in cell.source for cell in cells), lang


def test_a_block_needing_a_download_is_tagged_and_explained():
    """A block the tests skip for a download: a tagged cell, its reason in the cell before it."""
    text = (
        "# Title\n\n```python\nx = 1\n```\n\n"
        '<!--pytest.mark.skip(reason="needs ImageNet weights (download)")-->\n'
        "```python\nload_weights()\n```\n\n<!--pytest-codeblocks:cont-->\n```python\ny = x\n```\n"
    )
    for lang in LANGS:
        cells = chapter_to_notebook(text, lang, ROOT / "includes").cells
        tagged = [
            at for at, cell in enumerate(cells) if DOWNLOAD_TAG in cell.metadata.get("tags", [])
        ]
        assert len(tagged) == 1 and cells[tagged[0]].source == "load_weights()", lang
        note = cells[tagged[0] - 1]
        assert note.cell_type == "markdown" and "needs ImageNet weights (download)" in note.source
        assert cells[-1].source == "y = x" and not cells[-1].metadata.get("tags"), lang
