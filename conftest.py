"""Test-session set-up shared by the unit tests and the chapters' code blocks.

* Figures draw off-screen (Agg) and TensorFlow keeps its start-up chatter to itself.
* Chapter code blocks (``--codeblocks``) run as a smoke run (``COMPANION_SMOKE=1``).
  Where ``COMPANION_DATA_DIR`` is not set (a fresh machine, no ``../shared/data``),
  they read small datasets that ``tests/fakedata.py`` writes in the official formats,
  so that the real loaders run without any network.
* After collection the session moves into a temporary folder, so that a block which
  saves a model or a figure writes there, not into the checkout.
* Downloads, the cats-vs-dogs split (``COMPANION_CACHE_DIR``) and Keras' own files
  (``KERAS_HOME``: keras.json, weights) go to that temporary folder too, never to the
  reader's ``~/.cache/companion`` or ``~/.keras``; each pytest-xdist worker has its own,
  so that two workers never prepare into one folder at once.
* With ``--dist loadfile`` (``make test``) pytest-xdist gives a worker a whole file at a time;
  the notebooks of tests/test_journey.py are spread one by one instead (each runs a chapter).
* Two tiers: the book's tests (the files of ``BOOK_TEST_FILES`` and every chapter code block)
  get the ``book`` marker; the rest are the package's unit tests, which ``make unit`` runs
  alone (``pytest tests -m "not book"``). ``make test`` runs both.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(ROOT / "tests"))

# Test files whose tests pytest-xdist hands out one by one, not as a whole file.
SPREAD_FILES = ("tests/test_journey.py",)
# ... except that a chapter's two languages (ids ``[zh-<stem>]``, ``[en-<stem>]``) go to one
# worker together: its notebooks share a kernel there (tests/test_journey.py).
PAIRED = re.compile(r"\[(zh|en)-")

# The book's tests: the site, its pages and what builds and ships them, not the `companion`
# package. Marked `book` here by file name rather than moved to a folder of their own, because
# the Makefile, the workflows and the docs name these paths. Every other file in tests/ holds
# the package's unit tests (`make unit`); a test file that imports nothing from `companion`
# belongs here (tests/test_tiers.py checks both). Chapter code blocks (pytest-codeblocks,
# collected from docs/) are book tests too.
BOOK_TEST_FILES = frozenset(
    {
        # the built site and the reader's way through it
        "test_site.py",  # mkdocs build --strict, both languages
        "test_browser.py",  # the built site in Chromium: widgets, links, accessibility
        "test_journey.py",  # the wheel in a fresh venv runs every notebook, both languages
        "test_notebooks.py",  # the downloadable notebooks
        # the pages as files
        "test_docs.py",  # fences, zh/en pairs, links, the chapter shape
        "test_listings.py",  # the package's source shown on the pages
        "test_results_page.py",  # every figure and record shown, nothing missing
        "test_api_reference.py",  # docs/*/api.md and its built pages
        # the build: records, recipes, the experiment lock, exports and figures for the pages
        "test_results.py",
        "test_recipes.py",
        "test_machine.py",
        "test_export.py",
        "test_architecture.py",
        "test_vocabulary.py",  # every zh/en word of the build in book/vocabulary.py
        # what ships the book and the package: wheel, release, workflows
        "test_packaging.py",
        "test_release.py",
        "test_workflows.py",
        # the check of this split, and of the package's layout (no build code in companion)
        "test_tiers.py",
        "test_layout.py",
    }
)

_workdir = tempfile.TemporaryDirectory(prefix="companion-tests-")
# Set before anything imports keras, which reads KERAS_HOME once, at import.
os.environ["COMPANION_CACHE_DIR"] = str(Path(_workdir.name) / "cache")
os.environ["KERAS_HOME"] = str(Path(_workdir.name) / "keras")


def pytest_configure(config):
    if config.getoption("codeblocks", default=False):
        os.environ.setdefault("COMPANION_SMOKE", "1")
        if not os.environ.get("COMPANION_DATA_DIR"):
            import fakedata

            os.environ["COMPANION_DATA_DIR"] = str(
                fakedata.make_data_dir(Path(_workdir.name) / "data")
            )
            print(
                "[conftest] no COMPANION_DATA_DIR: code blocks read test-made data in "
                f"{os.environ['COMPANION_DATA_DIR']}"
            )


def pytest_collection_modifyitems(config, items):
    """Mark the book's tests ``book``: those of ``BOOK_TEST_FILES`` and all outside tests/."""
    tests = ROOT / "tests"
    for item in items:
        path = Path(str(item.path)).resolve()
        if path.parent != tests or path.name in BOOK_TEST_FILES:
            item.add_marker(pytest.mark.book)


def pytest_collection_finish(session):
    work = Path(_workdir.name) / "cwd"
    work.mkdir(exist_ok=True)
    os.chdir(work)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, except that each test of ``SPREAD_FILES`` is a unit of its own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SpreadSomeFiles(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.split("::", 1)[0].replace("\\", "/").endswith(SPREAD_FILES):
                return PAIRED.sub("[", nodeid)  # a chapter's zh and en tests go together
            return super()._split_scope(nodeid)

    return SpreadSomeFiles(config, log)
