import keras
import numpy as np
import pytest

from companion import config
from companion.callbacks import inception_callbacks
from companion.memory import (
    GIB,
    activation_count,
    estimate_training_bytes,
    measure_training_memory,
    source_estimate_bytes,
)
from companion.models import build_inception, inception_module
from companion.preprocessing import to_grayscale


@pytest.fixture(scope="module")
def model():
    return build_inception()


def test_parameter_counts_match_the_source_summary(model):
    assert model.count_params() == 1_420_834
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 1_416_930
    assert model.get_layer("inception_1_output").output.shape[-1] == 256
    assert model.get_layer("inception_4_subsample").output.shape[1:] == (2, 2, 512)


def test_grayscale_input_changes_only_the_first_module():
    # The first module's four convolutions that see the input lose 2 of 3 input channels each.
    assert build_inception((32, 32, 1)).count_params() == 1_420_834 - 2 * (64 + 96 + 16 + 32)


def test_module_needs_six_filter_numbers():
    with pytest.raises(ValueError, match="6 filter numbers"):
        inception_module(keras.Input((8, 8, 3)), (1, 2, 3), 1)


def test_to_grayscale():
    x = np.zeros((2, 4, 4, 3), dtype="uint8")
    x[..., 1] = 100
    gray = to_grayscale(x)
    assert gray.shape == (2, 4, 4, 1) and np.allclose(gray, 58.7)
    with pytest.raises(ValueError, match="colour"):
        to_grayscale(gray)


def test_source_memory_formula_gives_its_1_47_gb(model):
    assert round(source_estimate_bytes(model, 128) / GIB, 2) == 1.47
    assert activation_count(model) * 4 * 128 < source_estimate_bytes(model, 128)
    # Counting the weights once instead of once per image makes the estimate smaller.
    assert estimate_training_bytes(model, 128) < source_estimate_bytes(model, 128)


def test_json_round_trip_keeps_the_architecture(model):
    clone = keras.models.model_from_json(model.to_json())
    assert clone.count_params() == model.count_params()
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    x = np.random.rand(2, 32, 32, 3).astype("float32")
    assert np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_a_few_steps_reduce_the_loss_and_memory_is_measured(tmp_path):
    config.seed_everything(0)
    small = build_inception(filters=((8, 8, 8, 4, 4, 4),) * 4, dense_units=(16,))
    small.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    x = np.random.rand(16, 32, 32, 3).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 10, 10)
    callbacks = inception_callbacks(tmp_path / "best.keras", log_dir=tmp_path / "logs")
    history = small.fit(
        x, y, epochs=5, batch_size=16, verbose=0, validation_data=(x, y), callbacks=callbacks
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert any((tmp_path / "logs").rglob("events.out.tfevents*"))  # TensorBoard wrote its log
    assert (tmp_path / "best.keras").exists()
    measured = measure_training_memory(small, batch_size=8, steps=1)
    assert (
        measured["peak_bytes"] >= measured["baseline_bytes"] > 0
        and measured["seconds_per_step"] > 0
    )


def test_binary_accuracy_flatters_a_useless_model():
    # A model that predicts 0.1 for every class gets 90% "binary accuracy" on one-hot labels.
    y = keras.utils.to_categorical(np.arange(20) % 10, 10)
    flat = np.full_like(y, 0.1)
    binary = keras.metrics.BinaryAccuracy()
    binary.update_state(y, flat)
    assert float(binary.result()) == pytest.approx(0.9)
