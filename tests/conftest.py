"""Fixtures shared by the tests of the built site (test_site.py, test_browser.py)."""

import pytest

from sitebuild import build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built once per test session with ``mkdocs build --strict`` (no warning allowed).

    The folder holding index.html, en/, assets/ ...; it lies at ``sitebuild.site_path()``
    below a root folder that a local web server serves as it is.
    """
    return build_site(tmp_path_factory.mktemp("served"))
