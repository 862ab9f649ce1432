"""The wheel holds the whole package (every module the chapters import, its data files) and
the code's licence; the package asks for a Keras without the known model-loading exploits.

Readers install it as ``image-classification-book`` and import ``companion``; its version comes
from the git tag (setuptools-scm), so a checkout with history never builds as the fallback 0.0.0.
"""

import email
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(built_wheel) -> zipfile.ZipFile:
    """The wheel (``pip wheel --no-deps``, built once per session: tests/conftest.py)."""
    return zipfile.ZipFile(built_wheel)


def test_the_install_name_and_a_version_from_git(wheel):
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    fields = email.message_from_bytes(wheel.read(metadata))
    assert fields["Name"] == "image-classification-book"
    if (ROOT / ".git").exists():
        assert fields["Version"] != "0.0.0", "setuptools-scm found no version in this git checkout"


def test_wheel_contains_every_module(wheel):
    names = set(wheel.namelist())
    expected = {
        "companion/" + str(p.relative_to(ROOT / "src" / "companion")).replace("\\", "/")
        for p in (ROOT / "src" / "companion").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    missing = sorted(expected - names)
    assert not missing, f"the wheel lacks {missing}"
    assert any(n.endswith("entry_points.txt") for n in names)


def test_wheel_carries_the_code_licence(wheel):
    (licence,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    text = wheel.read(licence).decode()
    assert text.startswith("MIT License") and text == (ROOT / "LICENSE").read_text()
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    fields = email.message_from_bytes(wheel.read(metadata))
    assert fields["License-Expression"] == "MIT"
    # the text's CC BY-SA is not the code's licence
    assert fields.get_all("License-File") == ["LICENSE"]


def test_the_book_text_licence_is_the_full_cc_by_sa():
    text = (ROOT / "LICENSE-TEXT").read_text()
    assert "Attribution-ShareAlike 4.0 International" in text
    assert "Section 8 -- Interpretation." in text  # the whole legal code, not a pointer to it


def test_keras_floor_excludes_the_known_safe_mode_bypasses(wheel):
    # CVE-2025-1550 (fixed in 3.9), CVE-2025-9906 (3.11.0), CVE-2025-9905 (3.11.3),
    # GHSA-hqp4-2352-xf5r (3.14.0): code execution from a crafted .keras / .h5 file.
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = email.message_from_bytes(wheel.read(metadata)).get_all("Requires-Dist")
    (keras,) = [r for r in map(Requirement, requires) if r.name == "keras"]
    assert not keras.specifier.contains(Version("3.13.2")), keras
    assert keras.specifier.contains(Version("3.14.0")), keras
