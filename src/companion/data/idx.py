"""Reading and writing the IDX files of the MNIST distribution (LeCun et al.), plain or gzip.

A file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
one big-endian 32-bit size per dimension, then the data in row-major, big-endian order.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .._io import write_bytes
from ..errors import DataFormatError

# type code -> numpy dtype (big-endian, as the format says)
DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
CODES = {dtype.newbyteorder("="): code for code, dtype in DTYPES.items()}


def _read_all(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            head = f.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as f:
            return f.read()
    # zlib.error: a damaged deflate stream
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise  # not a damaged file: one that is not there or cannot be opened
        raise DataFormatError(
            f"{path} cannot be decompressed ({exc}): it is truncated or damaged."
        ) from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, plain or gzip-compressed.

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        An array of the shape the header gives, in the file's dtype (uint8 for MNIST) and
            native byte order.

    Raises:
        DataFormatError: if the file is not IDX (bad magic number), cannot be decompressed,
            or is truncated or longer than its header promises.
        FileNotFoundError: if there is no such file.
        OSError: if the file cannot be opened (``PermissionError``, ``IsADirectoryError``).
    """
    path = Path(path)
    raw = _read_all(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in DTYPES:
        raise DataFormatError(
            f"{path} is not an IDX file (bad magic number {raw[:4].hex() or 'empty'})."
        )
    dtype, ndim = DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFormatError(f"{path} is truncated inside its header.")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    # Python integers: a header's sizes may multiply past 2**63, which NumPy's int64 would wrap.
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataFormatError(
            f"{path} holds {len(raw) - header} bytes of data but its header {tuple(shape)} "
            f"promises {expected}: the file is truncated or corrupt."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write an array as an IDX file, atomically.

    Args:
        path: the file to write.
        array: uint8, int8, int16, int32, float32 or float64 values of any shape.
        compress: gzip the file; None to decide by the name (``.gz``).

    Returns:
        ``path`` as a ``Path``.

    Raises:
        ValueError: if IDX cannot store the array's dtype.
    """
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in CODES:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; use uint8, int8, int16, int32, float32 or "
            "float64."
        )
    code = CODES[native]
    payload = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    payload += np.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()
    if compress is None:
        compress = path.suffix == ".gz"
    if compress:
        payload = gzip.compress(payload, mtime=0)
    return write_bytes(path, payload)
