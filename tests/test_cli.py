"""``companion info`` and ``companion fetch``: a problem the reader can fix is one line, exit status
2."""

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

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
    assert last.startswith("companion: Keras cannot load its backend") and "companion[tf]" in last
    assert "Traceback" not in result.stderr
