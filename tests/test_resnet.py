import keras
import numpy as np
import pytest

from companion import config
from companion.callbacks import (
    LearningRateLog,
    compressed_step_decay,
    resnet_callbacks,
    resnet_lr_schedule,
    step_decay,
)
from companion.models import build_resnet_v1, build_resnet_v2, resnet_layer
from companion.preprocessing import subtract_pixel_mean


def _non_trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)


def test_resnet20_v1_matches_the_source_summary():
    model = build_resnet_v1(20)
    assert model.count_params() == 274_442
    assert _non_trainable(model) == 1_376  # the moving mean and variance of 19 BN layers
    assert model.output_shape == (None, 10)
    # 19 convolutions + 2 shortcut projections + the dense layer
    assert sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers) == 21


def test_resnet29_v2_matches_the_keras_example():
    # The Keras example (cifar10_resnet.py) that source 000 follows prints, for n=3, v2:
    # Total params: 849,002, non-trainable 5,216.
    model = build_resnet_v2(29)
    assert model.count_params() == 849_002
    assert _non_trainable(model) == 5_216


@pytest.mark.parametrize(
    "builder, depth",
    [(build_resnet_v1, 21), (build_resnet_v1, 2), (build_resnet_v2, 21), (build_resnet_v2, 2)],
)
def test_invalid_depth_is_refused(builder, depth):
    with pytest.raises(ValueError, match="depth"):
        builder(depth)


def test_resnet_layer_orders():
    inputs = keras.Input((8, 8, 4))
    first = keras.Model(inputs, resnet_layer(inputs, 6))
    assert [type(layer).__name__ for layer in first.layers[1:]] == [
        "Conv2D",
        "BatchNormalization",
        "Activation",
    ]
    second = keras.Model(inputs, resnet_layer(inputs, 6, conv_first=False))
    assert [type(layer).__name__ for layer in second.layers[1:]] == [
        "BatchNormalization",
        "Activation",
        "Conv2D",
    ]


def test_learning_rate_schedule_at_the_boundaries():
    # The source tests "epoch > 80" on Keras' 0-based epoch index.
    expected = {
        0: 1e-3,
        80: 1e-3,
        81: 1e-4,
        120: 1e-4,
        121: 1e-5,
        160: 1e-5,
        161: 1e-6,
        180: 1e-6,
        181: 5e-7,
        199: 5e-7,
    }
    for epoch, rate in expected.items():
        assert resnet_lr_schedule(epoch) == pytest.approx(rate)
    rate = None
    for epoch in range(200):  # alone, the corrected schedule gives the same rates
        rate = step_decay(epoch, rate)
        assert rate == pytest.approx(resnet_lr_schedule(epoch))


def _rates(schedule, epochs):
    rate, rates = None, []
    for epoch in range(epochs):
        rate = schedule(epoch, rate)
        rates.append(rate)
    return rates


def test_compressed_schedule_drops_at_the_same_fractions_of_the_run():
    rates = _rates(compressed_step_decay(40), 40)
    # 1e-3 for epochs 1-16, then 1e-4, 1e-5, 1e-6 and 5e-7 from epochs 17, 25, 33 and 37
    assert rates == pytest.approx([1e-3] * 16 + [1e-4] * 8 + [1e-5] * 8 + [1e-6] * 4 + [5e-7] * 4)
    assert _rates(compressed_step_decay(200), 200) == pytest.approx(
        [resnet_lr_schedule(e) for e in range(200)]
    )
    # so short that two drops fall on one epoch: their factors multiply, none is lost
    assert _rates(compressed_step_decay(2), 2) == pytest.approx([1e-3, 1e-5])  # 81, 121 -> 1
    assert _plateau_rates(compressed_step_decay(40)) == pytest.approx([1e-3, 1e-3, 5e-4, 2.5e-4])
    with pytest.raises(ValueError, match="between 1 and 200"):
        compressed_step_decay(0)


def _plateau_rates(schedule):
    config.seed_everything(0)
    x = np.random.rand(64, 4).astype("float32")
    y = keras.utils.to_categorical(np.arange(64) % 2, 2)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    log = LearningRateLog()
    reducer = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=1e9
    )
    model.fit(
        x,
        y,
        epochs=4,
        verbose=0,
        callbacks=[reducer, keras.callbacks.LearningRateScheduler(schedule), log],
    )
    return log.rates


def test_source_schedule_undoes_reduce_lr_on_plateau_and_step_decay_does_not():
    assert _plateau_rates(resnet_lr_schedule) == pytest.approx([1e-3] * 4)
    assert _plateau_rates(step_decay) == pytest.approx([1e-3, 1e-3, 5e-4, 2.5e-4])


def test_pixel_mean_comes_from_the_training_set():
    train = np.random.rand(10, 4, 4, 3)
    test = np.random.rand(5, 4, 4, 3)
    centred_train, centred_test, mean = subtract_pixel_mean(train, test)
    assert mean.shape == (4, 4, 3)
    assert np.allclose(centred_train.mean(axis=0), 0, atol=1e-6)
    assert np.allclose(centred_test + mean, test, atol=1e-6)


def test_a_few_steps_reduce_the_loss_and_the_checkpoint_keeps_the_best(tmp_path):
    config.seed_everything(0)
    x = np.random.rand(16, 32, 32, 3).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 10, 10)
    model = build_resnet_v1(8)
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy", metrics=["accuracy"])
    best = tmp_path / "best.keras"
    history = model.fit(
        x,
        y,
        epochs=5,
        batch_size=16,
        verbose=0,
        validation_data=(x, y),
        callbacks=resnet_callbacks(best),
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert best.exists() and keras.models.load_model(best).count_params() == model.count_params()
