"""Reading CIFAR-10's files: the official binary and python versions, and npz copies.

The layout constants and the official archive (``REMOTE_ARCHIVE``) live here; the python
archive is unpickled only once its sha256 matches. ``cifar10.load_data`` picks the reader
for the copy ``cifar10.locate`` found (``_READERS``).
"""

from __future__ import annotations

import io
import pickle
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataFormatError
from . import _local
from ._download import RemoteFile, verify

REMOTE_ARCHIVE = RemoteFile(
    dataset="cifar10",
    name="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    size=170_498_071,
)
BIN_DIR = "cifar-10-batches-bin"
BIN_TRAIN = [f"data_batch_{i}.bin" for i in range(1, 6)]
BIN_TEST = "test_batch.bin"
RECORD = 1 + 32 * 32 * 3  # one label byte, then the R, G and B planes
BINARY_PAGE = "https://www.cs.toronto.edu/~kriz/cifar.html"  # cifar-10-binary.tar.gz is there


@dataclass
class Source:
    """Where the arrays come from, in words and paths (what ``locate`` returns).

    Args:
        kind: how to read them: ``"binary"``, ``"python-archive"``, ``"npz"`` or ``"parts"``.
        paths: the folder or files to read.
        description: the copy in words, quoted by result records.
    """

    kind: str
    paths: list = field(default_factory=list)
    description: str = ""


def _instead(folder: Path, name: str) -> str:
    """What happens when ``name`` is removed from ``folder`` (in the data folder)."""
    return (
        f"remove {name} from {folder}, and the loader takes the next copy it finds there or "
        f"in the cache, or downloads {REMOTE_ARCHIVE.describe()}"
    )


def read_binary_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one file of the binary version: records of a label byte and 3,072 pixel bytes.

    Args:
        path: a file such as ``data_batch_1.bin``.

    Returns:
        ``(images, labels)``: uint8 (N, 32, 32, 3) and uint8 (N,).

    Raises:
        DataFormatError: if the file is empty, not a whole number of records, or has labels
            above 9.
        OSError: if the file cannot be read.
    """
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % RECORD:
        raise DataFormatError(
            f"{path} has {raw.size} bytes, not a whole number of {RECORD}-byte CIFAR-10 records: "
            "it is truncated or not a CIFAR-10 binary batch."
        )
    records = raw.reshape(-1, RECORD)
    if records[:, 0].max() > 9:
        raise DataFormatError(f"{path} has labels above 9; it is not a CIFAR-10 batch.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), records[:, 0].copy()


def _read_binary(source: Source):
    folder = source.paths[0]
    batches = {}
    for name in [*BIN_TRAIN, BIN_TEST]:
        official = (
            f"a good copy of the official {name} (in cifar-10-binary.tar.gz on {BINARY_PAGE}: "
            f"10,000 records of {RECORD:,} bytes, {10_000 * RECORD:,} bytes)"
        )
        with _local.reading(folder / name, official, _instead(folder.parent, f"{BIN_DIR}/")):
            batches[name] = read_binary_batch(folder / name)
    train = [batches[name] for name in BIN_TRAIN]
    x_test, y_test = batches[BIN_TEST]
    return (
        np.concatenate([x for x, _ in train]),
        np.concatenate([y for _, y in train]),
        x_test,
        y_test,
    )


def _read_python_archive(source: Source):
    archive = source.paths[0]
    batches = {}
    with _local.reading(archive, REMOTE_ARCHIVE.describe(), _instead(archive.parent, archive.name)):
        verify(archive, REMOTE_ARCHIVE.sha256)  # only the official bytes are unpickled
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    name = Path(member.name).name
                    if name.startswith(("data_batch_", "test_batch")):
                        entry = pickle.load(
                            io.BytesIO(tar.extractfile(member).read()), encoding="bytes"
                        )
                        images = (
                            np.asarray(entry[b"data"], dtype=np.uint8)
                            .reshape(-1, 3, 32, 32)
                            .transpose(0, 2, 3, 1)
                        )
                        batches[name] = (images, np.asarray(entry[b"labels"], dtype=np.uint8))
        except (tarfile.TarError, EOFError, KeyError) as exc:
            raise DataFormatError(f"{archive} could not be read ({exc}).") from None
    train = [batches[f"data_batch_{i}"] for i in range(1, 6)]
    return (
        np.concatenate([x for x, _ in train]),
        np.concatenate([y for _, y in train]),
        *batches["test_batch"],
    )


def _npz(path: Path, keys: list[str]) -> list[np.ndarray]:
    official = f"a new copy made from {REMOTE_ARCHIVE.describe()} (it is no official file)"
    with _local.reading(path, official, _instead(path.parent, path.name)):
        try:
            with np.load(path, allow_pickle=False) as data:
                missing = set(keys) - set(data.files)
                if missing:
                    raise DataFormatError(f"{path} lacks the arrays {sorted(missing)}.")
                return [data[k] for k in keys]
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            if isinstance(exc, (DataFormatError, FileNotFoundError)):
                raise
            raise DataFormatError(f"{path} cannot be read as an npz file ({exc}).") from None


def _read_npz(source: Source):
    return _npz(source.paths[0], ["x_train", "y_train", "x_test", "y_test"])


def _read_parts(source: Source):
    *parts, test = source.paths
    train = [_npz(p, ["x_train", "y_train"]) for p in parts]
    x_test, y_test = _npz(test, ["x_test", "y_test"])
    return (
        np.concatenate([x for x, _ in train]),
        np.concatenate([y for _, y in train]),
        x_test,
        y_test,
    )


_READERS = {
    "binary": _read_binary,
    "python-archive": _read_python_archive,
    "npz": _read_npz,
    "parts": _read_parts,
}
