"""companion.train.fit: resumable runs, training-only timing, datasets as input."""

import json
import time

import keras
import numpy as np
import pytest

from book import results
from companion import config
from companion.errors import ConfigError
from companion.train import fit


@pytest.fixture(autouse=True)
def full_budget(monkeypatch):
    # These tests check epochs and resumption: the smoke budget would cut epochs to one.
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)


def tiny_model():
    config.seed_everything(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


class Interrupt(keras.callbacks.Callback):
    """Stands in for a killed process: raises at the end of epoch ``at`` (1-based)."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.at:
            raise KeyboardInterrupt


def killed_run(folder, callbacks=(), *, epochs, killed_in):
    """A resumable run whose process dies during epoch ``killed_in`` (1-based)."""
    x, y = data()
    with pytest.raises(KeyboardInterrupt):
        fit(
            tiny_model(),
            x,
            y,
            epochs=epochs,
            batch_size=16,
            callbacks=[*callbacks, Interrupt(killed_in)],
            resume_dir=folder,
            verbose=0,
        )


def same_command_again(folder, callbacks=(), *, epochs):
    """The same run in a new process: a fresh model and fresh callbacks."""
    x, y = data()
    return fit(
        tiny_model(),
        x,
        y,
        epochs=epochs,
        batch_size=16,
        callbacks=list(callbacks),
        resume_dir=folder,
        verbose=0,
    )


def test_a_finished_run_of_another_network_is_named_not_loaded(tmp_path):
    x, y = data()
    folder = tmp_path / "run"
    fit(tiny_model(), x, y, epochs=1, batch_size=16, resume_dir=folder, verbose=0)
    saved = sorted(p.name for p in folder.iterdir())
    other = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(8), keras.layers.Dense(2)]
    )
    other.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ConfigError, match="holds a finished run of another network") as caught:
        fit(other, x, y, epochs=1, batch_size=16, resume_dir=folder, verbose=0)
    assert str(folder) in str(caught.value) and "another resume_dir" in str(caught.value)
    assert sorted(p.name for p in folder.iterdir()) == saved  # nothing lost


def test_an_interrupted_run_continues_from_the_last_finished_epoch(tmp_path):
    x, y = data()
    folder = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        # interrupted during epoch 2: only epoch 1 is backed up
        fit(
            tiny_model(),
            x,
            y,
            epochs=3,
            batch_size=16,
            callbacks=[Interrupt(2)],
            resume_dir=folder,
            verbose=0,
        )
    saved = json.loads((folder / "progress.json").read_text())
    assert len(saved["epoch_seconds"]) == 1

    seen = []
    marker = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(epoch))
    model = tiny_model()
    run = fit(
        model, x, y, epochs=3, batch_size=16, callbacks=[marker], resume_dir=folder, verbose=0
    )
    assert seen == [1, 2]  # epochs 2 and 3 (0-based 1, 2): epoch 1 was not trained again
    assert run.resumed_at_epoch == 2 and run.epochs == 3
    assert len(run.history["loss"]) == len(run.epoch_seconds) == 3
    assert not (folder / "backup").exists() and (folder / "finished.json").exists()

    # A finished run is reused, not retrained: the same weights come back.
    again = tiny_model()
    reused = fit(
        again, x, y, epochs=3, batch_size=16, callbacks=[Interrupt(1)], resume_dir=folder, verbose=0
    )
    assert reused.reused and reused.history == run.history
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    p = results.run_provenance(run, dataset="toy", n_test=0)
    assert p["epochs"] == 3
    # The training's load is kept with the run: a record made later from the reused run shows
    # it, not the load of the process that reused it.
    assert set(run.load_average) == {"start", "end"} and reused.load_average == run.load_average
    later = results.run_provenance(reused, dataset="toy", n_test=0)
    assert later["load_average"] == run.load_average


def waiting_callbacks():
    """EarlyStopping and ReduceLROnPlateau that see no improvement after the first epoch."""
    return [
        keras.callbacks.EarlyStopping(monitor="loss", patience=3, min_delta=1e9),
        keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=2, factor=0.5, min_delta=1e9),
    ]


def test_the_next_fit_after_a_resumed_run_starts_at_epoch_one(tmp_path):
    """Fine-tuning after a resumed run: Keras' BackupAndRestore leaves the epoch it resumed
    at on the model, and the next fit of the same model would skip that many epochs."""
    killed_run(tmp_path / "run", epochs=3, killed_in=2)
    x, y = data()
    model = tiny_model()
    first = fit(model, x, y, epochs=3, batch_size=16, resume_dir=tmp_path / "run", verbose=0)
    assert first.resumed_at_epoch == 2
    seen = []
    marker = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(epoch))
    second = fit(
        model,
        x,
        y,
        epochs=2,
        batch_size=16,
        callbacks=[marker],
        resume_dir=tmp_path / "next",
        verbose=0,
    )
    assert seen == [0, 1] and second.epochs == 2 and second.resumed_at_epoch is None


def test_a_resumed_run_keeps_the_epochs_its_callbacks_waited(tmp_path):
    x, y = data()
    straight = fit(tiny_model(), x, y, epochs=10, batch_size=16, callbacks=waiting_callbacks())
    # stopped when patience 3 ran out; the rate halved when patience 2 ran out
    assert straight.epochs == 4
    np.testing.assert_allclose(straight.history["learning_rate"], [1e-2, 1e-2, 1e-2, 5e-3])

    folder = tmp_path / "run"
    killed_run(folder, waiting_callbacks(), epochs=10, killed_in=3)  # two epochs backed up
    resumed = same_command_again(folder, waiting_callbacks(), epochs=10)
    # Restarting the count would train to epoch 6 and halve the rate two epochs late.
    assert resumed.resumed_at_epoch == 3
    assert resumed.epochs == straight.epochs
    np.testing.assert_allclose(resumed.history["learning_rate"], straight.history["learning_rate"])


def test_a_resumed_run_keeps_its_best_checkpoint(tmp_path):
    best = tmp_path / "best.keras"
    # mode="max" on the loss: the first epoch is the best one, and stays so
    checkpoint = lambda: keras.callbacks.ModelCheckpoint(  # noqa: E731
        str(best), monitor="loss", mode="max", save_best_only=True
    )
    folder = tmp_path / "run"
    killed_run(folder, [checkpoint()], epochs=4, killed_in=3)
    saved = best.read_bytes()
    run = same_command_again(folder, [checkpoint()], epochs=4)
    assert run.resumed_at_epoch == 3 and run.history["loss"][0] == max(run.history["loss"])
    assert best.read_bytes() == saved, "a worse resumed epoch overwrote the best checkpoint"


def test_epoch_time_counts_training_only(tmp_path):
    x, y = data()

    class SlowValidation(keras.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            time.sleep(0.3)

    run = fit(
        tiny_model(),
        x,
        y,
        epochs=1,
        batch_size=16,
        validation_data=(x[:16], y[:16]),
        callbacks=[SlowValidation()],
        verbose=0,
    )
    assert run.wall_time_s >= 0.3
    assert run.epoch_seconds[0] < run.wall_time_s - 0.25


def test_fit_takes_a_dataset_without_labels_or_batch_size():
    x, y = data()

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[16 * i : 16 * (i + 1)], y[16 * i : 16 * (i + 1)]

    run = fit(tiny_model(), Batches(), epochs=2, images_per_epoch=64, verbose=0)
    assert run.epochs == 2 and run.train_samples == 64 and run.images_per_s > 0
    unknown = fit(tiny_model(), Batches(), epochs=1, verbose=0)
    assert unknown.train_samples is None and unknown.images_per_s is None
    p = results.run_provenance(unknown, dataset="toy", n_test=0)
    assert p["n_train"] is None and "?" in results.provenance_line(p, "en")


def test_arrays_need_labels_and_a_batch_size():
    x, y = data()
    with pytest.raises(ValueError, match="batch_size is required"):
        fit(tiny_model(), x, y, epochs=1)
    with pytest.raises(ValueError, match="y"):
        fit(tiny_model(), x, epochs=1, batch_size=16)


def test_the_probe_prints_an_estimate_and_leaves_the_model_alone(capsys):
    x, y = data()
    model = tiny_model()
    before = [w.copy() for w in model.get_weights()]
    from companion.train import estimate

    line = estimate(model, x, y, 16, images=64, epochs=5)
    assert line.startswith("estimate: ~") and "5 epochs x 64 images" in line
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_non_finite_inputs_are_refused_before_training():
    x, y = data()
    x[[3, 40], 1] = np.nan
    model = tiny_model()
    with pytest.raises(ValueError) as info:
        fit(model, x, y, epochs=1, batch_size=16, verbose=0)
    message = str(info.value)
    assert message.startswith("x holds 2 non-finite values (2 NaN)"), message
    assert "3, 40" in message
    with pytest.raises(
        ValueError, match=r"validation_data\[0\] holds 1 non-finite value \(1 inf\)"
    ):
        x_val = data(8)[0]
        x_val[5, 0] = np.inf
        fit(model, data()[0], y, epochs=1, batch_size=16, verbose=0, validation_data=(x_val, y[:8]))
