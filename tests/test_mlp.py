import keras
import numpy as np

import fakedata
from companion import config
from companion.models import build_mlp
from companion.train import fit


def test_parameter_count_matches_the_source():
    model = build_mlp()
    assert model.count_params() == 669_706
    assert [layer.count_params() for layer in model.layers] == [401_920, 0, 262_656, 0, 5_130]
    assert model.output_shape == (None, 10)


def test_bad_arguments_are_refused():
    import pytest

    with pytest.raises(ValueError, match="dropout"):
        build_mlp(dropout=1.5)
    with pytest.raises(ValueError, match="num_classes"):
        build_mlp(num_classes=1)


def test_it_learns_held_out_data(monkeypatch):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    config.seed_everything(0)
    x, y = fakedata.class_images(1500, 10, (28, 28), seed=1)
    x = x.reshape(len(x), -1).astype("float32") / 255
    y1 = keras.utils.to_categorical(y, 10)
    model = build_mlp(hidden_units=(64,))
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    run = fit(model, x[:1000], y1[:1000], epochs=4, batch_size=64, verbose=0)
    assert run.epochs == 4 and len(run.epoch_seconds) == 4 and run.images_per_s > 0
    assert run.history["loss"][-1] < run.history["loss"][0]
    _, held_out_accuracy = model.evaluate(x[1000:], y1[1000:], verbose=0)
    assert held_out_accuracy > 0.5  # chance is 0.1


def test_smoke_run_trains_one_epoch(monkeypatch):
    monkeypatch.setenv("COMPANION_SMOKE", "1")
    model = build_mlp(input_dim=4, hidden_units=(3,))
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.random.rand(32, 4).astype("float32")
    run = fit(
        model,
        x,
        keras.utils.to_categorical(np.arange(32) % 10, 10),
        epochs=20,
        batch_size=8,
        verbose=0,
    )
    assert run.epochs == 1


def test_throughput_is_unknown_for_a_dataset(monkeypatch):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.random.rand(4, 4).astype("float32"), keras.utils.to_categorical(
                np.arange(4) % 10, 10
            )

    model = build_mlp(input_dim=4, hidden_units=(3,))
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    run = fit(model, Batches(), None, epochs=2, batch_size=4, verbose=0)
    assert run.epochs == 2 and run.train_samples is None
    assert run.images_per_s is None and run.to_dict()["images_per_s"] is None
