"""MNIST: 70,000 handwritten digits, 28x28 grey levels, ten classes.

``load_data`` returns what ``keras.datasets.mnist.load_data()`` returns, read from the
official IDX files or Keras' ``mnist.npz`` in a local folder, or from a checked download.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from .. import config
from ..errors import DataFormatError
from . import _local
from ._download import RemoteFile, fetch
from .idx import read_idx

CLASS_NAMES = [str(d) for d in range(10)]

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
NPZ_NAME = "mnist.npz"
#: Bytes of each IDX file once uncompressed: its header, then one byte per pixel or label.
IDX_SIZES = {
    "train-images-idx3-ubyte.gz": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte.gz": 8 + 60_000,
    "t10k-images-idx3-ubyte.gz": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte.gz": 8 + 10_000,
}

# The file keras.datasets.mnist downloads; the same arrays as the IDX files.
REMOTE_NPZ = RemoteFile(
    dataset="mnist",
    name=NPZ_NAME,
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    size=11_490_434,
)


def load_data(path: str | os.PathLike | None = None):
    """Load MNIST as ``keras.datasets.mnist.load_data()`` does.

    It reads, in this order: ``path``, or else ``$COMPANION_DATA_DIR/mnist``, holding the
    four official IDX files (``train-images-idx3-ubyte.gz`` ...) or ``mnist.npz``; then the
    download cache; then a fresh download of Keras' ``mnist.npz``, checked against its sha256.

    Args:
        path: a folder holding the IDX files or ``mnist.npz``, or the ``.npz`` file itself;
            None to search the data folder and the cache.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images uint8 (N, 28, 28) and labels
            uint8 (N,), 60,000 and 10,000 of them (the first 2,000 and 500 in a smoke run).

    Raises:
        FileNotFoundError: if ``path`` holds no MNIST file, or a folder holds only some of
            the four IDX files.
        DataFormatError: if a file is truncated, corrupt or holds arrays of the wrong shape.
        DownloadError: if ``mnist.npz`` must be downloaded and cannot be.
        ChecksumError: if the downloaded or cached ``mnist.npz`` has the wrong sha256.
        ConfigError: if the download cache cannot be created or written to.
    """
    arrays = _load_arrays(path)
    _check(arrays)
    n_train = config.samples(len(arrays["x_train"]), config.SMOKE_TRAIN_SAMPLES)
    n_test = config.samples(len(arrays["x_test"]), config.SMOKE_TEST_SAMPLES)
    return (
        (arrays["x_train"][:n_train], arrays["y_train"][:n_train]),
        (arrays["x_test"][:n_test], arrays["y_test"][:n_test]),
    )


def _load_arrays(path) -> dict[str, np.ndarray]:
    if path is not None:
        folder = Path(path).expanduser()
        if folder.is_file():
            with _local.reading(folder, REMOTE_NPZ.describe(), ""):
                return read_npz(folder)
        found = _from_folder(folder)
        if found is None:
            raise FileNotFoundError(
                f"No MNIST files in {folder}: expected the four IDX files "
                f"({', '.join(IDX_FILES.values())}) or {NPZ_NAME}."
            )
        return found
    local = config.data_dir()
    if local is not None:
        found = _from_folder(local / "mnist")
        if found is not None:
            return found
    return read_npz(fetch(REMOTE_NPZ))


def _from_folder(folder: Path) -> dict[str, np.ndarray] | None:
    """The arrays of ``folder``, or None if it holds no MNIST file; a broken or incomplete
    copy is an error that names the file (see ``_local``), never passed over."""
    instead = (
        f"remove the MNIST files from {folder}, and {REMOTE_NPZ.describe()} is downloaded "
        "into the cache instead"
    )
    if all((folder / name).exists() for name in IDX_FILES.values()):
        arrays = {}
        for key, name in IDX_FILES.items():
            official = (
                f"a good copy of the official {name} (MNIST's IDX file: "
                f"{IDX_SIZES[name]:,} bytes once uncompressed)"
            )
            with _local.reading(folder / name, official, instead):
                arrays[key] = read_idx(folder / name)
        return arrays
    if (folder / NPZ_NAME).exists():
        with _local.reading(folder / NPZ_NAME, REMOTE_NPZ.describe(), instead):
            return read_npz(folder / NPZ_NAME)
    _local.refuse_partial(folder, "MNIST's set of four IDX files", [*IDX_FILES.values()], instead)
    return None


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a file in the Keras ``mnist.npz`` layout.

    Args:
        path: the ``.npz`` file.

    Returns:
        A dict with the arrays ``x_train``, ``y_train``, ``x_test`` and ``y_test`` as
            stored (not yet checked or converted).

    Raises:
        DataFormatError: if the file is not a readable npz or lacks one of the four arrays.
        FileNotFoundError: if there is no such file.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = set(IDX_FILES) - set(data.files)
            if missing:
                raise DataFormatError(
                    f"{path} lacks the arrays {sorted(missing)}; it is not an MNIST npz file."
                )
            return {key: data[key] for key in IDX_FILES}
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        if isinstance(exc, (DataFormatError, FileNotFoundError)):
            raise
        raise DataFormatError(f"{path} cannot be read as an npz file ({exc}).") from None


def _check(arrays: dict[str, np.ndarray]) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DataFormatError(
                f"MNIST {split} images have shape {x.shape}; expected (N, 28, 28)."
            )
        if y.shape != (len(x),):
            raise DataFormatError(
                f"MNIST has {len(x)} {split} images but labels of shape {y.shape}."
            )
    for key in IDX_FILES:
        arrays[key] = arrays[key].astype(np.uint8, copy=False)
