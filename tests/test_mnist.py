import dataclasses

import numpy as np
import pytest

import fakedata
from companion.data import mnist
from companion.errors import DataFormatError, DownloadError


@pytest.fixture(autouse=True)
def full_size(monkeypatch, tmp_path):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    monkeypatch.delenv("COMPANION_DATA_DIR", raising=False)
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))


def check_like_keras(data, arrays):
    (x_train, y_train), (x_test, y_test) = data
    for got, key in [
        (x_train, "x_train"),
        (y_train, "y_train"),
        (x_test, "x_test"),
        (y_test, "y_test"),
    ]:
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[key])
    assert x_train.shape[1:] == (28, 28) and y_train.ndim == 1


def test_reads_the_official_idx_files(tmp_path):
    arrays = fakedata.write_mnist_idx(tmp_path / "mnist")
    check_like_keras(mnist.load_data(tmp_path / "mnist"), arrays)


def test_reads_the_keras_npz_layout(tmp_path):
    arrays = fakedata.write_mnist_npz(tmp_path / "mnist" / "mnist.npz")
    check_like_keras(mnist.load_data(tmp_path / "mnist"), arrays)
    check_like_keras(mnist.load_data(tmp_path / "mnist" / "mnist.npz"), arrays)


def test_uses_companion_data_dir(tmp_path, monkeypatch):
    arrays = fakedata.write_mnist_idx(tmp_path / "mnist")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    check_like_keras(mnist.load_data(), arrays)


def test_smoke_run_takes_a_subset(tmp_path, monkeypatch):
    fakedata.write_mnist_idx(tmp_path / "mnist", n_train=3000, n_test=800)
    monkeypatch.setenv("COMPANION_SMOKE", "1")
    (x_train, _), (x_test, _) = mnist.load_data(tmp_path / "mnist")
    assert (len(x_train), len(x_test)) == (2000, 500)


def test_mismatched_labels_are_reported(tmp_path):
    fakedata.write_mnist_idx(tmp_path / "mnist")
    from companion.data.idx import write_idx

    write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(7, np.uint8))
    with pytest.raises(DataFormatError, match="labels"):
        mnist.load_data(tmp_path / "mnist")


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="IDX files"):
        mnist.load_data(tmp_path)


def test_corrupt_npz_is_a_clear_error(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(DataFormatError, match="npz"):
        mnist.load_data(tmp_path / "mnist.npz")


def test_offline_download_error_names_file_and_cache(tmp_path, monkeypatch):
    dead = mnist.RemoteFile(
        "mnist", "mnist.npz", "http://127.0.0.1:9/mnist.npz", mnist.REMOTE_NPZ.sha256
    )
    monkeypatch.setattr(mnist, "REMOTE_NPZ", dead)
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert str(tmp_path / "cache" / "mnist" / "mnist.npz") in str(info.value)


def offline(monkeypatch):
    """No download can succeed: an attempt would end in a DownloadError."""
    dead = dataclasses.replace(mnist.REMOTE_NPZ, url="http://127.0.0.1:9/mnist.npz")
    monkeypatch.setattr(mnist, "REMOTE_NPZ", dead)


def test_a_corrupt_file_in_the_data_folder_is_named_with_what_to_do(tmp_path, monkeypatch):
    offline(monkeypatch)
    folder = tmp_path / "data" / "mnist"
    fakedata.write_mnist_idx(folder)
    broken = folder / "train-images-idx3-ubyte.gz"
    data = broken.read_bytes()[:200]
    broken.write_bytes(data)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DataFormatError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(broken) in message and "COMPANION_DATA_DIR" in message
    assert "left as it is" in message and "47,040,016 bytes" in message  # the official size
    assert mnist.REMOTE_NPZ.sha256 in message  # or Keras' npz, named with its sha256
    assert broken.read_bytes() == data  # the reader's file is never touched


def test_a_corrupt_npz_in_the_data_folder_names_the_official_file(tmp_path, monkeypatch):
    offline(monkeypatch)
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "mnist.npz").write_bytes(b"PK\x03\x04 broken")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFormatError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "COMPANION_DATA_DIR" in message and "left as it is" in message
    assert mnist.REMOTE_NPZ.sha256 in message and "11,490,434 bytes" in message
    assert (tmp_path / "mnist" / "mnist.npz").exists()


def test_an_incomplete_set_in_the_data_folder_is_not_passed_over(tmp_path, monkeypatch):
    offline(monkeypatch)
    fakedata.write_mnist_idx(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:  # not a failed download
        mnist.load_data()
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and "set of four" in message
    assert not (tmp_path / "cache" / "mnist").exists()
