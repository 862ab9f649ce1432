"""The wheel holds the whole package: every module the chapters import, and its data files.

Readers install it as ``image-classification-book`` and import ``companion``; its version comes
from the git tag (setuptools-scm), so a checkout with history never builds as the fallback 0.0.0.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_every_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("image_classification_book-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    fields = dict(line.split(": ", 1) for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines() if ": " in line)
    assert fields["Name"] == "image-classification-book"
    if (ROOT / ".git").exists():
        assert fields["Version"] != "0.0.0", "setuptools-scm found no version in this git checkout"
    expected = {
        "companion/" + str(p.relative_to(ROOT / "src" / "companion")).replace("\\", "/")
        for p in (ROOT / "src" / "companion").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    missing = sorted(expected - names)
    assert not missing, f"the wheel lacks {missing}"
    assert any(n.endswith("entry_points.txt") for n in names)
