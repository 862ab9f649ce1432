"""The CIFAR-10 CNNs of chapters 03 and 04: sizes, learning, saving and rebuilding."""

import json

import keras
import numpy as np
import pytest

import fakedata
from companion import config
from companion.augment import ImageAugmenter
from companion.models import build_cnn, build_deep_cnn
from companion.train import fit


def tiny_cifar(n=32, seed=0):
    x, y = fakedata.class_images(n, 10, (32, 32, 3), seed=seed)
    return x.astype("float32") / 255, keras.utils.to_categorical(y, 10)


def test_chapter_03_cnn_has_the_sources_parameter_count():
    model = build_cnn()
    assert model.count_params() == 1_250_858  # source 000's summary
    convs_and_dense = [layer.count_params() for layer in model.layers if layer.count_params()]
    assert convs_and_dense == [896, 9_248, 18_496, 36_928, 1_180_160, 5_130]
    assert model.output_shape == (None, 10)


def test_chapter_04_deep_cnn_has_the_sources_parameter_count():
    model = build_deep_cnn()
    assert model.count_params() == 1_071_542  # source 002's summary
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 15
    assert [c.count_params() for c in convs[:6]] == [896, 9_248, 9_248, 13_872, 20_784, 34_640]
    assert any(isinstance(layer, keras.layers.GlobalMaxPooling2D) for layer in model.layers)


def test_augmentation_adds_no_parameters():
    cnn = build_cnn(augmentation=ImageAugmenter.preset("cifar10_cnn"))
    assert cnn.count_params() == 1_250_858
    deep = build_deep_cnn(augmentation=ImageAugmenter.preset("cifar10_deep_cnn"))
    assert deep.count_params() == 1_071_542


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="num_classes"):
        build_cnn(num_classes=1)
    with pytest.raises(ValueError, match="input_shape"):
        build_deep_cnn(input_shape=(32, 32))
    with pytest.raises(ValueError, match="width_shift_range"):
        ImageAugmenter.preset("cifar10_cnn", width_shift_range=1.5)
    with pytest.raises(ValueError, match="rotation_range"):
        ImageAugmenter.preset("cifar10_deep_cnn", rotation_range=400)


def test_augmentation_changes_pixels_in_training_only():
    x, _ = tiny_cifar(8)
    augment = ImageAugmenter.preset("cifar10_deep_cnn", seed=3)
    unchanged = keras.ops.convert_to_numpy(augment(x, training=False))
    np.testing.assert_array_equal(unchanged, x)
    changed = keras.ops.convert_to_numpy(augment(x, training=True))
    assert changed.shape == x.shape
    assert np.abs(changed - x).mean() > 0.01
    # "nearest" fill and bilinear interpolation stay within the input's range
    assert changed.min() >= x.min() - 1e-5 and changed.max() <= x.max() + 1e-5


@pytest.mark.parametrize(
    "builder, optimizer",
    [
        (build_cnn, lambda: keras.optimizers.RMSprop(learning_rate=1e-3)),
        (build_deep_cnn, lambda: keras.optimizers.Adam(learning_rate=1e-3)),
    ],
)
def test_a_few_steps_reduce_the_loss_on_a_tiny_batch(builder, optimizer):
    config.seed_everything(0)
    x, y = tiny_cifar(8)
    model = builder()
    model.compile(optimizer=optimizer(), loss="categorical_crossentropy")
    first = float(model.evaluate(x, y, verbose=0))
    for _ in range(5):
        model.train_on_batch(x, y)
    assert float(model.evaluate(x, y, verbose=0)) < first


def test_smoke_runs_stop_each_epoch_after_a_few_batches(monkeypatch):
    monkeypatch.setenv("COMPANION_SMOKE", "1")
    assert config.steps_per_epoch(2000, 32) == config.SMOKE_IMAGES_PER_EPOCH // 32
    assert config.steps_per_epoch(20_000, 4096) == 1  # at least one batch
    assert config.steps_per_epoch(64, 32) is None  # already small: every batch
    x, y = tiny_cifar(64)
    model = build_cnn()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    monkeypatch.setattr(config, "SMOKE_IMAGES_PER_EPOCH", 32)
    run = fit(model, x, y, epochs=20, batch_size=16, verbose=0)
    assert run.epochs == 1 and run.train_samples == 32
    monkeypatch.delenv("COMPANION_SMOKE")
    assert config.steps_per_epoch(2000, 32) is None


@pytest.fixture(scope="module")
def trained_cnn():
    config.seed_everything(1)
    x, y = tiny_cifar(32, seed=1)
    model = build_cnn(augmentation=ImageAugmenter.preset("cifar10_cnn"))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    return model, x, y


def test_keras_format_round_trip_gives_the_same_predictions_and_scores(trained_cnn, tmp_path):
    model, x, y = trained_cnn
    path = tmp_path / "cifar10_cnn.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert reloaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert reloaded.optimizer.__class__ is model.optimizer.__class__  # training can go on


def test_config_and_json_round_trips_rebuild_the_architecture_not_the_weights(trained_cnn):
    model, x, _ = trained_cnn
    for clone in (
        keras.Sequential.from_config(model.get_config()),
        keras.models.model_from_json(model.to_json()),
    ):
        # compare as JSON (tuples become lists); the clone is not compiled, so compare the
        # architecture only
        assert json.loads(clone.to_json())["config"] == json.loads(model.to_json())["config"]
        assert clone.count_params() == model.count_params()
        # a fresh model: same layers, new random weights ...
        assert not np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
        # ... until the trained weights are copied over
        clone.set_weights(model.get_weights())
        np.testing.assert_allclose(
            clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-7
        )


def tilt_and_side(images):
    """For images of a short bright segment: the side it lies on and the sign of its slope."""
    out = []
    for image in images:
        ys, xs = np.nonzero(image[..., 0] > 0.5)
        if len(xs) < 3:
            continue
        slope = np.cov(xs, ys)[0, 1]
        if abs(slope) > 1e-3:
            out.append((xs.mean() < image.shape[1] / 2, slope > 0))
    return out


def segment_images(n, size):
    images = np.zeros((n, size, size, 3), "float32")
    images[:, size // 2, 2 : size * 3 // 8] = 1.0  # a horizontal segment on the left half
    return images


@pytest.mark.parametrize(
    "preset, size", [("cifar10_deep_cnn", 32), ("cats_vs_dogs", 48), ("cats_vs_dogs_lite0", 48)]
)
def test_flip_and_rotation_are_drawn_independently(preset, size):
    # Layers that share a seed draw the same numbers: the flip would follow the angle's sign.
    no_shift = dict(width_shift_range=0.0, height_shift_range=0.0)
    if preset != "cifar10_deep_cnn":
        no_shift["zoom_range"] = 0.0
    layer = ImageAugmenter.preset(preset, rotation_range=30, seed=42, **no_shift)
    outcomes = tilt_and_side(np.asarray(layer(segment_images(256, size), training=True)))
    combos = {c: outcomes.count(c) for c in set(outcomes)}
    assert len(combos) == 4, combos  # left/right x tilted up/down: every pair occurs
    assert min(combos.values()) > len(outcomes) / 10
