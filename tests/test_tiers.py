"""The two tiers of tests: the list of the book's test files (conftest.py) matches tests/.

``make unit`` runs every test without the ``book`` marker, so a book test missing from
``BOOK_TEST_FILES`` would slow it down, and a renamed file would drop out of the list unseen.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
IMPORTS_COMPANION = re.compile(r"^\s*(from|import)\s+companion\b", re.M)


@pytest.fixture(scope="module")
def book_test_files(pytestconfig):
    """``BOOK_TEST_FILES`` of the root conftest.py, as pytest loaded it (not imported anew)."""
    plugin = pytestconfig.pluginmanager.get_plugin(str(ROOT / "conftest.py"))
    assert plugin is not None, "the root conftest.py was not loaded"
    return plugin.BOOK_TEST_FILES


def test_every_listed_book_test_file_exists(book_test_files):
    missing = sorted(name for name in book_test_files if not (TESTS / name).is_file())
    assert not missing, f"conftest.py BOOK_TEST_FILES names files not in tests/: {missing}"


def test_a_test_file_that_imports_nothing_from_companion_is_a_book_test(book_test_files):
    unlisted = sorted(
        path.name
        for path in TESTS.glob("test_*.py")
        if path.name not in book_test_files
        and not IMPORTS_COMPANION.search(path.read_text(encoding="utf-8"))
    )
    assert not unlisted, (
        f"{unlisted} test no module of companion: add them to BOOK_TEST_FILES in conftest.py "
        "(or, if they are unit tests, import what they test from companion)"
    )


def test_the_book_marker_is_set_by_file(request, book_test_files):
    assert request.node.get_closest_marker("book") is not None
    assert Path(__file__).name in book_test_files
