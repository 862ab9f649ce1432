"""Opt-in tests on the real datasets in ../shared/data (CI sets COMPANION_DATA_DIR)."""

import os
from pathlib import Path

import keras
import pytest

from companion import config
from companion.data import mnist
from companion.models import build_mlp
from companion.train import fit


def real_mnist_dir():
    folder = Path(os.environ.get("COMPANION_DATA_DIR", "")) / "mnist"
    images = folder / "train-images-idx3-ubyte.gz"
    # the real file is ~9.6 MB; the test-made one is tiny
    if (
        not os.environ.get("COMPANION_DATA_DIR")
        or not images.exists()
        or images.stat().st_size < 5_000_000
    ):
        pytest.skip("real MNIST not available (set COMPANION_DATA_DIR=../shared/data)")
    return folder


@pytest.mark.realdata
def test_mlp_reaches_95_percent_on_real_mnist_in_one_epoch(monkeypatch):
    folder = real_mnist_dir()
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(folder)
    assert (len(x_train), len(x_test)) == (60000, 10000)
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    config.seed_everything(0)
    model = build_mlp()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    fit(
        model,
        x_train.reshape(-1, 784) / 255,
        keras.utils.to_categorical(y_train, 10),
        epochs=1,
        batch_size=128,
        verbose=0,
    )
    _, accuracy = model.evaluate(
        x_test.reshape(-1, 784) / 255, keras.utils.to_categorical(y_test, 10), verbose=0
    )
    assert accuracy >= 0.95


@pytest.mark.realdata
def test_cifar10_developer_copy_has_the_official_order(monkeypatch):
    from companion.data import cifar10

    folder = Path(os.environ.get("COMPANION_DATA_DIR", "")) / "cifar10"
    if not os.environ.get("COMPANION_DATA_DIR") or not (folder / "cifar10_subset.npz").exists():
        pytest.skip("real CIFAR-10 copy not available (set COMPANION_DATA_DIR=../shared/data)")
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(folder / "cifar10_subset.npz")
    assert list(y_train[:10, 0]) == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert list(y_test[:10, 0]) == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    assert list(x_train[0, 0, :5, 0]) == [59, 43, 50, 68, 98]
