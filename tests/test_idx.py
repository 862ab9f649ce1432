import gzip
import struct

import numpy as np
import pytest

from companion.data.idx import read_idx, write_idx
from companion.errors import DataFormatError


def test_reads_a_hand_made_idx3_file(tmp_path):
    # Built byte by byte from the format's description, independently of write_idx.
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2, 3, 4) + pixels.tobytes()
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(raw)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, pixels)


def test_reads_gzip_and_big_endian_types(tmp_path):
    values = np.array([1, -2, 300000], dtype=">i4")
    raw = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3) + values.tobytes()
    path = tmp_path / "ints.gz"
    path.write_bytes(gzip.compress(raw))
    np.testing.assert_array_equal(read_idx(path), [1, -2, 300000])


@pytest.mark.parametrize("dtype", ["uint8", "int16", "float32"])
def test_write_then_read_round_trip(tmp_path, dtype):
    array = (np.arange(60).reshape(3, 4, 5) - 10).astype(dtype)
    path = write_idx(tmp_path / f"a-{dtype}.gz", array)
    np.testing.assert_array_equal(read_idx(path), array)


def test_truncated_data_is_a_clear_error(tmp_path):
    raw = bytes([0, 0, 0x08, 1]) + struct.pack(">I", 10) + bytes(7)
    path = tmp_path / "short"
    path.write_bytes(raw)
    with pytest.raises(DataFormatError, match="truncated"):
        read_idx(path)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    data = gzip.compress(bytes([0, 0, 0x08, 1]) + struct.pack(">I", 1000) + bytes(1000))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="truncated or damaged"):
        read_idx(path)


def test_not_an_idx_file(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nrest")
    with pytest.raises(DataFormatError, match="not an IDX file"):
        read_idx(path)


def test_a_damaged_deflate_stream_is_a_data_format_error(tmp_path):
    packed = gzip.compress(
        bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 10, 28, 28) + bytes(7840), mtime=0
    )
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(packed[:10] + b"\xff" * 8 + packed[18:])  # the first deflate block's bytes
    with pytest.raises(DataFormatError, match="train-images-idx3-ubyte.gz cannot be decompressed"):
        read_idx(path)


def test_header_sizes_that_overflow_int64_are_a_data_format_error(tmp_path):
    path = tmp_path / "huge-idx4-ubyte"
    # 2**64 bytes
    path.write_bytes(bytes([0, 0, 0x08, 4]) + struct.pack(">4I", 65536, 65536, 65536, 65536))
    with pytest.raises(DataFormatError, match="huge-idx4-ubyte holds 0 bytes"):
        read_idx(path)
