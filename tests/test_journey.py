"""The reader's journey: the wheel in a fresh environment, every chapter's notebook run offline.

A reader installs the package and runs a chapter's notebook. So does this test: it builds the
wheel, installs it into a fresh virtual environment (tests/freshenv.py: the wheel alone, the
dependencies shared with the test interpreter, never this checkout's ``src/``), and executes
every chapter's notebook, Chinese and English, as the built site serves it, with nbclient, in a
kernel of that environment: offline, as a smoke run (``COMPANION_SMOKE=1``), on the session's
data folder (``COMPANION_DATA_DIR``). The install cell is left out (the package is installed
already); a cell tagged ``needs-download`` (a block the tests skip for a download,
book/hooks/notebooks.py) is left out with its reason; every other cell must run.

The notebooks carry exactly the pages' code blocks
(:func:`test_every_code_block_is_in_a_notebook`), so ``make test`` runs the chapters this way
instead of through pytest-codeblocks: each chapter's code runs once per language, as a reader
runs it (the JAX and PyTorch passes still run a few Chinese pages through pytest-codeblocks).
Each notebook is a test of its own; pytest-xdist spreads the chapters over the workers
(conftest.py: ``pytest_xdist_make_scheduler``), a chapter's two notebooks to one worker, one
after the other. The first starts a fresh kernel; the second runs in that kernel after a reset
that clears every name (a missing import still fails), Keras's session and global settings,
open figures and the working folder (tests/notebookrun.py: ``RESET``), which saves a
TensorFlow import per chapter.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

import freshenv
import notebookrun
from book.hooks.notebooks import (
    DOWNLOAD_TAG,
    INSTALL_TAG,
    chapter_to_notebook,
    notebook_path,
    wants_notebook,
)
from book.vocabulary import word

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("zh", "en")
# What the package needs at run time besides its modules (tests/test_packaging.py checks those).
PACKAGE_DATA = ["companion/py.typed", "companion/resources/imagenet_class_index.json"]
KERNEL = "companion-wheel"
# Offline as a reader without network: every HTTP(S) request goes to a closed local port and
# fails at once (urllib, which Keras and companion download with, reads these variables).
OFFLINE = {
    name: "http://127.0.0.1:9"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
}


def pages(lang: str) -> list[Path]:
    return sorted(p for p in (DOCS / lang).rglob("*.md") if "notebooks" not in p.parts)


def chapters(lang: str) -> list[str]:
    return [p.stem for p in pages(lang) if wants_notebook(p)]


def runnable_blocks(page: Path) -> list:
    """The blocks pytest-codeblocks would run on ``page``, as it reads them (``cont`` joined)."""
    from pytest_codeblocks.main import extract_from_file

    return [b for b in extract_from_file(page) if b.syntax in ("python", "sh", "bash")]


def code_lines(texts) -> list[str]:
    return [line.rstrip() for text in texts for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "lang,page",
    [(lang, page) for lang in LANGS for page in pages(lang)],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_every_code_block_is_in_a_notebook(lang, page):
    """No code is lost: every block a page would run is a cell of its notebook."""
    blocks = runnable_blocks(page)
    if not wants_notebook(page):
        assert not blocks, (
            f"{lang}/{page.name} has code blocks but no notebook: make test runs the chapters' "
            "code only as notebooks (tests/test_journey.py), so this code would run nowhere"
        )
        return
    nb = chapter_to_notebook(page.read_text(encoding="utf-8"), lang, ROOT / "includes")
    code = [
        c for c in nb.cells if c.cell_type == "code" and not notebookrun.tagged_with(c, INSTALL_TAG)
    ]
    # In order, every line pytest-codeblocks would run is in the notebook's code. The notebook
    # may hold more: pytest-codeblocks joins a block marked `cont` to the block before it, and
    # after a ```shell block or a skipped one that whole chain goes unrun; the notebook runs it.
    cells = iter(code_lines(c.source for c in code))
    lost = [line for line in code_lines(b.code for b in blocks) if line not in cells]
    assert not lost, f"{page.name}: code that the notebook does not carry: {lost[:5]}"
    skipped = [b for b in blocks if any(m.startswith("pytest.mark.skip") for m in b.marks)]
    assert len(notebookrun.tagged(nb, DOWNLOAD_TAG)) == len(skipped), (
        f"{page.name}: every block the tests skip must be a cell tagged {DOWNLOAD_TAG!r}"
    )


def test_the_wheel_holds_the_package_not_the_build(built_wheel):
    names = zipfile.ZipFile(built_wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    dist_info = {top for top in tops if top.endswith(".dist-info")}
    assert tops - dist_info == {"companion"}, f"the wheel holds more than companion/: {tops}"
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, f"the wheel lacks {missing}"
    # The EfficientNet-Lite0 port (chapters 10-12) is the package's own code.
    assert {"companion/pretrained_lite0.py", "companion/lite0_weights.py"} <= set(names)


@pytest.fixture(scope="module")
def fresh_venv(built_wheel) -> Path:
    return freshenv.fresh_venv(built_wheel)


def test_the_fresh_environment_imports_the_wheel_not_the_checkout(
    fresh_venv, built_wheel, tmp_path
):
    probe = (
        "import importlib.metadata, json, sys, companion, companion.pretrained\n"
        "print(json.dumps({'file': companion.__file__, 'path': sys.path, 'version':"
        " importlib.metadata.version('image-classification-book')}))"
    )
    result = subprocess.run(
        [str(freshenv.venv_python(fresh_venv)), "-c", probe],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=freshenv.environment(),
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["file"]).resolve().is_relative_to(fresh_venv.resolve()), found["file"]
    src = (ROOT / "src").resolve()
    on_path = [p for p in found["path"] if p and Path(p).resolve().is_relative_to(src)]
    assert not on_path, f"this checkout's src/ is on the fresh environment's sys.path: {on_path}"
    assert built_wheel.name.split("-")[1] == found["version"]
    script = fresh_venv / ("Scripts/companion.exe" if sys.platform == "win32" else "bin/companion")
    assert script.exists(), "the wheel's console script was not installed"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory, fresh_venv):
    """A kernel spec for the fresh environment's interpreter (JUPYTER_PATH, no global install)."""
    python = str(freshenv.venv_python(fresh_venv))
    with notebookrun.kernel(tmp_path_factory.mktemp("jupyter"), python, KERNEL) as name:
        yield name


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return notebookrun.data_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def kernels():
    """A chapter's kernel, kept from its first notebook for its other language's (by stem)."""
    kept = {}
    yield kept
    for kernel in filter(None, kept.values()):
        notebookrun.shut_down(kernel)


# A chapter's two notebooks one after the other (conftest.py hands them to one worker).
NOTEBOOKS = [
    (lang, stem)
    for stem in sorted({stem for lang in LANGS for stem in chapters(lang)})
    for lang in LANGS
    if stem in chapters(lang)
]


@pytest.mark.parametrize("lang,stem", NOTEBOOKS)
def test_notebook_runs_from_the_wheel(
    lang, stem, built_site, fresh_venv, kernel_name, data_dir, kernels, tmp_path, record_property
):
    from nbclient.exceptions import CellExecutionError

    path = built_site / notebook_path(lang, stem)
    assert path.exists(), f"the built site has no notebook {notebook_path(lang, stem)}"
    nb = nbformat.read(path, as_version=4)
    install = notebookrun.tagged(nb, INSTALL_TAG)
    assert len(install) == 1 and install[0].source.startswith("%pip install "), (
        f"{lang}/{stem}: no install cell"
    )
    nb.cells = [c for c in nb.cells if not notebookrun.tagged_with(c, INSTALL_TAG)]
    # A cell that needs a download says so in the Markdown cell before it, with its reason.
    skipped = []
    for at, cell in enumerate(nb.cells):
        if notebookrun.tagged_with(cell, DOWNLOAD_TAG):
            note = nb.cells[at - 1]
            assert note.cell_type == "markdown" and note.source.startswith(
                word("notebook_needs_download", lang).split("{reason}")[0]
            ), f"{lang}/{stem}: cell {at} needs a download and no cell before it says so"
            skipped.append(f"cell {at}: {note.source}")
    # Last, the kernel says where companion came from.
    nb.cells.append(nbformat.v4.new_code_cell("import companion\nprint(companion.__file__)"))
    env = freshenv.environment(COMPANION_SMOKE="1", COMPANION_DATA_DIR=data_dir, MPLBACKEND="Agg")
    env.update(OFFLINE)
    try:
        # The first of the chapter's notebooks here starts a kernel and keeps it; the other
        # runs in it after a reset (notebookrun.RESET): TensorFlow's import, about 5 s of CPU
        # per kernel, is paid once per chapter.
        kernel, first = kernels.get(stem), stem not in kernels
        kernels[stem] = None  # if this first notebook fails, the other starts a kernel of its own
        kernels[stem] = notebookrun.execute(
            nb, kernel_name, env, tmp_path, skip_tag=DOWNLOAD_TAG, kernel=kernel, keep=first
        )
    except CellExecutionError as error:
        pytest.fail(f"{lang}/{stem}: a cell failed when the notebook ran from the wheel:\n{error}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    ran = [c for c in code if not notebookrun.tagged_with(c, DOWNLOAD_TAG)]
    assert all(c.execution_count for c in ran), f"{lang}/{stem}: not every code cell ran"
    where = notebookrun.stream_text(code[-1:]).strip()
    assert Path(where).resolve().is_relative_to(fresh_venv.resolve()), (
        f"{lang}/{stem}: the kernel imported companion from {where}, not from the wheel"
    )
    if skipped:
        record_property("skipped_cells", skipped)
        print(
            f"{lang}/{stem}: skipped {len(skipped)} cell(s) needing a download:", *skipped, sep="\n"
        )
