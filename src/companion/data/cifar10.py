"""CIFAR-10: 60,000 colour images of 32x32 pixels in ten classes (Krizhevsky, 2009).

``load_data`` returns what ``keras.datasets.cifar10.load_data()`` returns, read from a
local copy in one of the official formats or from a checked download; ``locate`` says
which copy that is, so that every result record names the data it used. Reading each
format is ``_cifar10_formats``' job.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import config
from ..errors import DataFormatError
from . import _local
from ._cifar10_formats import (
    _READERS,
    BIN_DIR,
    BIN_TEST,
    BIN_TRAIN,
    BINARY_PAGE,
    RECORD,
    REMOTE_ARCHIVE,
    Source,
    _instead,
    read_binary_batch,
)
from ._download import RemoteFile, fetch  # noqa: F401 (cifar10.RemoteFile)

__all__ = [
    "CLASS_NAMES",
    "CLASS_NAMES_ZH",
    "REMOTE_ARCHIVE",
    "BIN_DIR",
    "BIN_TRAIN",
    "BIN_TEST",
    "RECORD",
    "BINARY_PAGE",
    "Source",
    "class_names",
    "locate",
    "load_data",
    "read_binary_batch",
]

CLASS_NAMES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
CLASS_NAMES_ZH = ["飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马", "船", "卡车"]


def class_names(lang: str = "en") -> list[str]:
    """The ten class names in label order, in English or Chinese.

    Args:
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A list of ten names, ``"airplane"`` (label 0) to ``"truck"`` (label 9).

    Raises:
        ValueError: for any other ``lang``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return CLASS_NAMES_ZH if lang == "zh" else CLASS_NAMES


def locate(path: str | os.PathLike | None = None) -> Source:
    """Find the best CIFAR-10 copy without reading it (downloading only as a last resort).

    It looks in ``path``, else in ``$COMPANION_DATA_DIR/cifar10`` and then the cache, for,
    in order: ``cifar-10-batches-bin/`` (the official binary version); the official
    ``cifar-10-python.tar.gz`` (pickles, unpickled only once its sha256 matches); ``cifar10.npz``
    (the Keras layout); the developers' ``cifar10_train_part*.npz`` with ``cifar10_test.npz``
    (decoded from JPEG, lossy) or ``cifar10_subset.npz``. With none of them the official
    python archive is downloaded and checked.

    Args:
        path: a folder, or one ``.tar.gz`` or ``.npz`` file; None to search.

    Returns:
        A ``Source``.

    Raises:
        FileNotFoundError: if ``path`` holds no CIFAR-10 copy, or a folder holds part of one.
        DataFormatError: if a folder holds an extracted ``cifar-10-batches-py/`` (pickles
            that cannot be checked).
        DownloadError: if the archive must be downloaded and cannot be.
        ChecksumError: if the downloaded or cached archive has the wrong sha256.
        ConfigError: if the download cache cannot be created or written to.
    """
    if path is not None:
        path = Path(path).expanduser()
        found = _in_file(path) if path.is_file() else _in_folder(path)
        if found is None:
            raise FileNotFoundError(
                f"No CIFAR-10 files in {path}: expected {BIN_DIR}/, {REMOTE_ARCHIVE.name}, "
                "cifar10.npz, "
                "or cifar10_train_part*.npz with cifar10_test.npz."
            )
        return found
    for folder in ([config.data_dir() / "cifar10"] if config.data_dir() else []) + [
        config.cache_dir() / "cifar10"
    ]:
        found = _in_folder(folder)
        if found is not None:
            return found
    archive = fetch(REMOTE_ARCHIVE)
    return Source(
        "python-archive",
        [archive],
        "CIFAR-10, official python version (50,000 train / 10,000 test)",
    )


def load_data(path: str | os.PathLike | None = None):
    """Load CIFAR-10 as ``keras.datasets.cifar10.load_data()`` does.

    Args:
        path: a folder or file holding a copy (see ``locate``); None to search the data
            folder and the cache, and download as a last resort.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images uint8 (N, 32, 32, 3) and labels
            uint8 (N, 1), 50,000 and 10,000 of them for the full set (fewer for a partial copy;
            the first 2,000 and 500 in a smoke run).

    Raises:
        FileNotFoundError: if ``path`` holds no copy, or a folder holds part of one.
        DataFormatError: if a file is truncated, corrupt or holds arrays of the wrong shape.
        ChecksumError: if the python archive is not the official one.
        DownloadError: if the archive must be downloaded and cannot be.
        ConfigError: if the download cache cannot be created or written to.
    """
    source = locate(path)
    x_train, y_train, x_test, y_test = _READERS[source.kind](source)
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 4 or x.shape[1:] != (32, 32, 3) or len(y) != len(x):
            raise DataFormatError(
                f"CIFAR-10 {name} arrays have shapes {x.shape} and {y.shape}; expected (N, 32, "
                "32, 3) and (N, 1)."
            )
    n_train = config.samples(len(x_train), config.SMOKE_TRAIN_SAMPLES)
    n_test = config.samples(len(x_test), config.SMOKE_TEST_SAMPLES)
    as_labels = lambda y: np.asarray(y, dtype=np.uint8).reshape(-1, 1)  # noqa: E731
    return (
        (np.asarray(x_train[:n_train], dtype=np.uint8), as_labels(y_train[:n_train])),
        (np.asarray(x_test[:n_test], dtype=np.uint8), as_labels(y_test[:n_test])),
    )


# --- finding --------------------------------------------------------------------------


def _in_file(path: Path) -> Source | None:
    if path.name.endswith(".tar.gz"):
        return Source(
            "python-archive",
            [path],
            "CIFAR-10, official python version (50,000 train / 10,000 test)",
        )
    if path.suffix == ".npz":
        return Source("npz", [path], f"CIFAR-10 from {path.name}")
    return None


def _in_folder(folder: Path) -> Source | None:
    if not folder.is_dir():
        return None
    if all((folder / BIN_DIR / name).exists() for name in [*BIN_TRAIN, BIN_TEST]):
        return Source(
            "binary",
            [folder / BIN_DIR],
            "CIFAR-10, official binary version (50,000 train / 10,000 test)",
        )
    if (folder / REMOTE_ARCHIVE.name).exists():
        return _in_file(folder / REMOTE_ARCHIVE.name)
    if (folder / "cifar10.npz").exists():
        return _in_file(folder / "cifar10.npz")
    parts = sorted(folder.glob("cifar10_train_part*.npz"))
    if parts and (folder / "cifar10_test.npz").exists():
        return Source(
            "parts",
            [*parts, folder / "cifar10_test.npz"],
            f"CIFAR-10, the first {10_000 * len(parts):,} training images and all 10,000 test "
            "images, "
            "decoded from JPEG copies (lossy, quality 75)",
        )
    if (folder / "cifar10_subset.npz").exists():
        return Source(
            "npz",
            [folder / "cifar10_subset.npz"],
            "CIFAR-10 subset: the first 4,000 training and first 1,000 test images (exact pixels)",
        )
    binary = [f"{BIN_DIR}/{name}" for name in [*BIN_TRAIN, BIN_TEST]]
    _local.refuse_partial(folder, "the binary version", binary, _instead(folder, f"{BIN_DIR}/"))
    if parts:  # but no test file
        raise _local.incomplete(folder, "the parts", ["cifar10_test.npz"], _instead(folder, "them"))
    if (folder / "cifar-10-batches-py").is_dir():
        raise DataFormatError(
            f"{folder / 'cifar-10-batches-py'} holds pickle files that cannot be checked against "
            "the official "
            f"checksum, so they are not opened. Put the official archive {REMOTE_ARCHIVE.name} "
            "(or the binary "
            f"version's {BIN_DIR}/) in {folder} instead."
        )
    return None
