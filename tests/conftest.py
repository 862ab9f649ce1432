"""Fixtures shared by the tests of the built site (test_site.py, test_browser.py, test_journey.py)
and of the wheel (test_packaging.py, test_journey.py).

Each is made once per test session, whichever pytest-xdist worker asks first; the other waits
for it and reads the same files.
"""

from pathlib import Path

import pytest
from filelock import FileLock

from freshenv import build_wheel, shared_dir
from sitebuild import build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built once per test session with ``mkdocs build --strict`` (no warning allowed).

    The folder holding index.html, en/, assets/ ...; it lies at ``sitebuild.site_path()``
    below a root folder that a local web server serves as it is.
    """
    shared = shared_dir(tmp_path_factory)
    with FileLock(str(shared / "site.lock")):
        done = shared / "site.built"
        if done.exists():
            return Path(done.read_text(encoding="utf-8"))
        site = build_site(shared / "served")
        done.write_text(str(site), encoding="utf-8")
        return site


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory):
    """The wheel of this checkout (``pip wheel --no-deps``), built once per test session."""
    return build_wheel(shared_dir(tmp_path_factory))
