import dataclasses
import io
import pickle
import tarfile

import numpy as np
import pytest

import fakedata
from companion.data import cifar10
from companion.errors import ChecksumError, DataFormatError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ("COMPANION_SMOKE", "COMPANION_DATA_DIR", "COMPANION_MIRROR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))


def test_reads_the_official_binary_version(tmp_path):
    arrays = fakedata.write_cifar10_binary(tmp_path, per_batch=30, n_test=20)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(tmp_path)
    assert x_train.shape == (150, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (150, 1) and y_test.shape == (20, 1)
    np.testing.assert_array_equal(x_train, arrays["x_train"])  # channels back in place
    np.testing.assert_array_equal(y_test.ravel(), arrays["y_test"])
    assert cifar10.locate(tmp_path).kind == "binary"


def test_binary_record_layout_is_label_then_rgb_planes(tmp_path):
    record = np.zeros(3073, np.uint8)
    record[0] = 7
    record[1:1025] = 255  # the red plane
    path = tmp_path / "one.bin"
    path.write_bytes(record.tobytes())
    images, labels = cifar10.read_binary_batch(path)
    assert labels.tolist() == [7]
    assert (images[0, :, :, 0] == 255).all() and (images[0, :, :, 1:] == 0).all()


def test_truncated_binary_batch_is_a_clear_error(tmp_path):
    path = tmp_path / "cut.bin"
    path.write_bytes(bytes(3073 + 100))
    with pytest.raises(DataFormatError, match="truncated"):
        cifar10.read_binary_batch(path)


def fake_python_archive(path):
    """A tar.gz shaped like the official python version (but not its bytes)."""
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            blob = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]})
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))


def test_a_python_archive_with_the_wrong_checksum_is_never_unpickled(tmp_path, monkeypatch):
    archive = tmp_path / "cifar-10-python.tar.gz"
    fake_python_archive(archive)
    opened = []
    monkeypatch.setattr(pickle, "load", lambda *a, **k: opened.append(1))
    with pytest.raises(ChecksumError):
        cifar10.load_data(tmp_path)
    assert opened == []


def test_the_python_archive_is_read_once_its_checksum_matches(tmp_path, monkeypatch):
    archive = tmp_path / "cifar-10-python.tar.gz"
    fake_python_archive(archive)
    from companion.data import _cifar10_formats
    from companion.data._download import sha256_of

    # the python-archive reader checks the archive's sha256 against this constant
    monkeypatch.setattr(
        _cifar10_formats,
        "REMOTE_ARCHIVE",
        cifar10.RemoteFile("cifar10", archive.name, "http://127.0.0.1:9/x", sha256_of(archive)),
    )
    (x_train, y_train), (x_test, _) = cifar10.load_data(tmp_path)
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.ravel().tolist() == [1, 2] * 5


def test_extracted_pickles_are_refused(tmp_path):
    (tmp_path / "cifar-10-batches-py").mkdir()
    with pytest.raises(DataFormatError, match="cannot be checked"):
        cifar10.load_data(tmp_path)


def test_developer_parts_layout(tmp_path):
    x, y = fakedata.class_images(50, 10, (32, 32, 3))
    np.savez(tmp_path / "cifar10_train_part1.npz", x_train=x[:20], y_train=y[:20, None])
    np.savez(tmp_path / "cifar10_train_part2.npz", x_train=x[20:40], y_train=y[20:40, None])
    np.savez(tmp_path / "cifar10_test.npz", x_test=x[40:], y_test=y[40:, None])
    source = cifar10.locate(tmp_path)
    assert source.kind == "parts" and "20,000 training images" in source.description
    (x_train, _), (x_test, _) = cifar10.load_data(tmp_path)
    np.testing.assert_array_equal(x_train, x[:40])
    assert len(x_test) == 10


def test_smoke_subset_and_class_names(tmp_path, monkeypatch):
    fakedata.write_cifar10_binary(tmp_path, per_batch=500, n_test=600)
    monkeypatch.setenv("COMPANION_SMOKE", "1")
    (x_train, _), (x_test, _) = cifar10.load_data(tmp_path)
    assert (len(x_train), len(x_test)) == (2000, 500)
    assert cifar10.class_names("zh")[3] == "猫" and cifar10.class_names("en")[3] == "cat"
    with pytest.raises(ValueError):
        cifar10.class_names("fr")


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No CIFAR-10 files"):
        cifar10.load_data(tmp_path)


def offline(monkeypatch):
    dead = dataclasses.replace(cifar10.REMOTE_ARCHIVE, url="http://127.0.0.1:9/x")
    monkeypatch.setattr(cifar10, "REMOTE_ARCHIVE", dead)


def test_an_incomplete_binary_version_in_the_data_folder_is_not_passed_over(tmp_path, monkeypatch):
    offline(monkeypatch)
    fakedata.write_cifar10_binary(tmp_path / "cifar10", per_batch=3, n_test=2)
    (tmp_path / "cifar10" / "cifar-10-batches-bin" / "data_batch_4.bin").unlink()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:  # not a failed download
        cifar10.load_data()
    assert "data_batch_4.bin" in str(info.value) and "COMPANION_DATA_DIR" in str(info.value)


def test_a_corrupt_archive_in_the_data_folder_is_named_and_kept(tmp_path, monkeypatch):
    offline(monkeypatch)
    archive = tmp_path / "cifar10" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"\x1f\x8b half an archive")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(ChecksumError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert str(archive) in message and "COMPANION_DATA_DIR" in message
    assert "left as it is" in message
    assert cifar10.REMOTE_ARCHIVE.sha256 in message and "170,498,071 bytes" in message
    assert archive.read_bytes() == b"\x1f\x8b half an archive"


def test_a_corrupt_batch_in_the_data_folder_says_what_the_official_one_holds(tmp_path, monkeypatch):
    offline(monkeypatch)
    fakedata.write_cifar10_binary(tmp_path / "cifar10", per_batch=3, n_test=2)
    (tmp_path / "cifar10" / "cifar-10-batches-bin" / "test_batch.bin").write_bytes(bytes(100))
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFormatError) as info:
        cifar10.load_data()
    assert "test_batch.bin" in str(info.value) and "30,730,000 bytes" in str(info.value)
