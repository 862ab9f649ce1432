"""``companion info`` and ``companion fetch``: a problem the reader can fix is one line, exit status
2."""

import gzip
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from companion import cli

ROOT = Path(__file__).resolve().parents[1]


def test_fetch_with_a_damaged_idx_file_is_one_clear_line(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for name, count in [("train-images-idx3-ubyte.gz", 3), ("t10k-images-idx3-ubyte.gz", 3)]:
        packed = gzip.compress(
            bytes([0, 0, 0x08, 3]) + struct.pack(">3I", count, 28, 28) + bytes(count * 784), mtime=0
        )
        # a damaged deflate stream
        (folder / name).write_bytes(packed[:10] + b"\xff" * 8 + packed[18:])
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (folder / name).write_bytes(
            gzip.compress(bytes([0, 0, 0x08, 1]) + struct.pack(">I", 3) + bytes(3))
        )
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["fetch", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("companion: ") and "idx3-ubyte.gz cannot be decompressed" in err
    assert "Traceback" not in err


def test_info_with_an_unusable_cache_folder_is_one_clear_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "a-file"))
    assert cli.main(["info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("companion: ") and "COMPANION_CACHE_DIR" in err and err.count("\n") == 1


def test_info_without_a_backend_says_how_to_install_one(tmp_path):
    # A fresh interpreter in which TensorFlow cannot be imported, as on a machine without it.
    code = (
        "import sys; sys.modules['tensorflow'] = None; "
        "from companion.cli import main; sys.exit(main(['info']))"
    )
    env = {
        **os.environ,
        "KERAS_BACKEND": "tensorflow",
        "PYTHONPATH": str(ROOT / "src"),
        "COMPANION_CACHE_DIR": str(tmp_path / "cache"),
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("companion: Keras cannot load its backend")
    assert 'pip install "image-classification-book[tf]"' in last
    assert "Traceback" not in result.stderr


def test_every_install_hint_names_a_distribution_that_exists():
    """``pip install X`` in the package's messages names the real distribution and its extras.

    The import name ``companion`` is not what a reader installs (on PyPI it is another project).
    """
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"])
    dependencies = [
        *project["dependencies"],
        *(dep for group in project["optional-dependencies"].values() for dep in group),
    ]
    known = {re.match(r"[A-Za-z0-9_.-]+", dep).group(0).lower() for dep in dependencies}
    hints = []
    # the package, and the book's own modules (book/export.py and book/architecture.py say
    # which extra to install)
    for path in sorted(
        [*(ROOT / "src" / "companion").rglob("*.py"), *(ROOT / "book").glob("*.py")]
    ):
        text = path.read_text(encoding="utf-8")
        assert "companion[" not in text, f"{path.name} names the distribution companion[...]"
        for match in re.finditer(
            r"pip install (?:--[a-z-]+ )*['\"]?([A-Za-z0-9_.{}-]+)(\[([a-z0-9_,]+)\])?", text
        ):
            hints.append((path.name, match.group(1), match.group(3)))
    assert hints
    for name, package, extra in hints:
        if package.startswith("{"):  # a name filled in at run time (export.PACKAGES)
            continue
        if extra is not None:
            assert package == project["name"], (name, package, extra)
            assert set(extra.split(",")) <= extras, (name, extra)
        elif package != project["name"]:
            assert package.lower() in known, (name, package)
