"""companion.filters: input gradients on every installed backend, gradient ascent, Grad-CAM."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from companion import filters
from companion.visualize import filter_grid, filters_by_layer, grad_cam_grid

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(1)
    return keras.Sequential(
        [
            keras.Input(shape=(16, 16, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv_a"),
            keras.layers.MaxPooling2D(2, name="pool"),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv_b"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(3, activation="softmax", name="probabilities"),
        ]
    )


@pytest.fixture(autouse=True)
def full_budget(monkeypatch):
    # the smoke budget would cut the ascent to 3 steps
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)


def test_input_gradients_agree_with_finite_differences(model):
    extractor = filters.feature_extractor(model, "conv_b")
    rng = np.random.default_rng(0)
    x = np.repeat(rng.uniform(0, 255, (1, 16, 16, 3)).astype("float32"), 6, axis=0)
    objective = filters.filter_means(range(6))  # sample i asks for filter i
    values, grads = filters.input_gradients(extractor, x, objective)
    assert values.shape == (6,) and grads.shape == x.shape
    norms = np.linalg.norm(grads.reshape(6, -1), axis=1)
    live = norms > 0  # a filter that is zero everywhere (ReLU) has no gradient
    assert live.any()
    # the slope along the gradient, measured by a small step, equals the gradient's norm
    eps = 1e-2
    direction = grads[live] / norms[live][:, None, None, None]
    stepped, _ = filters.input_gradients(
        extractor, x[live] + eps * direction, filters.filter_means(np.flatnonzero(live))
    )
    slope = (stepped - values[live]) / eps
    assert np.allclose(slope, norms[live], rtol=0.05, atol=1e-7)


def test_gradient_ascent_raises_each_live_filters_activation(model):
    results = filters.visualize_filters(model, "conv_b", size=24, steps=8, upscaling_steps=2)
    assert [r.index for r in results] == list(range(6))
    live = [r for r in results if r.start_activation > 0]
    assert live, "no filter responds to the start image at all"
    for r in live:
        assert r.activation > 1.5 * r.start_activation, r
        assert r.image.shape == (24, 24, 3) and r.image.dtype == np.uint8
    assert filters.strongest(results, 2)[0].activation == max(r.activation for r in results)


def test_a_fixed_size_functional_model_is_optimised_at_its_own_size():
    inputs = keras.Input(shape=(12, 12, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
    functional = keras.Model(inputs, outputs)
    results = filters.visualize_filters(functional, "conv", filters=[1, 2], steps=3)
    assert [r.image.shape for r in results] == [(12, 12, 3)] * 2
    with pytest.raises(ValueError, match="only accepts 12x12"):
        filters.visualize_filters(functional, "conv", size=20)


def test_unknown_and_non_convolutional_layers_get_clear_errors(model):
    with pytest.raises(filters.LayerError, match="no layer named 'conv_c'.*conv_a, conv_b"):
        filters.visualize_filters(model, "conv_c")
    with pytest.raises(
        filters.LayerError, match="'pool' is a MaxPooling2D, not a convolution layer"
    ):
        filters.visualize_filters(model, "pool")
    with pytest.raises(ValueError, match="filters 0..5"):
        filters.visualize_filters(model, "conv_a", filters=[6])


def test_the_maps_after_a_convolution_count_as_filters_too():
    # a residual block as EfficientNet builds it: conv, BatchNormalization, ReLU6, Add
    inputs = keras.Input(shape=(None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(max_value=6.0, name="relu6")(x)
    x = keras.layers.Conv2D(3, 1, name="project")(x)
    x = keras.layers.Add(name="add")([x, inputs])
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="dense")(pooled)
    functional = keras.Model(inputs, outputs)
    for name in ("bn", "relu6", "add"):
        results = filters.visualize_filters(functional, name, size=12, steps=3, upscaling_steps=1)
        assert [r.image.shape for r in results] == [(12, 12, 3)] * len(results)
    heatmaps, _ = filters.grad_cam(functional, np.full((2, 12, 12, 3), 100.0), "add")
    assert heatmaps.shape == (2, 12, 12)
    for name, kind in (("pool", "GlobalAveragePooling2D"), ("dense", "Dense")):
        with pytest.raises(filters.LayerError, match=f"'{name}' is a {kind}, not a convolution"):
            filters.visualize_filters(functional, name, size=12)


def test_grad_cam_gives_one_heat_map_per_image_in_0_to_1(model):
    images = np.random.default_rng(2).uniform(0, 255, (5, 16, 16, 3)).astype("float32")
    heatmaps, classes = filters.grad_cam(model, images)
    assert heatmaps.shape == (5, 16, 16) and classes.shape == (5,)
    assert heatmaps.min() >= 0 and heatmaps.max() <= 1
    assert np.array_equal(classes, model.predict(images, verbose=0).argmax(1))
    _, chosen = filters.grad_cam(model, images, layer_name="conv_a", class_index=2)
    assert (chosen == 2).all()
    with pytest.raises(ValueError, match="class_index"):
        filters.grad_cam(model, images, class_index=3)
    with pytest.raises(ValueError, match="batch of images"):
        filters.grad_cam(model, images[0])


def _gap_classifier(units, activation, seed=3):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(units, activation=activation, name="out")(x))


def test_grad_cam_explains_the_score_before_the_softmax():
    """A class's map depends on that class's logit only, however sure the network is."""
    images = np.random.default_rng(4).uniform(0, 1, (4, 8, 8, 3)).astype("float32")
    model = _gap_classifier(3, "softmax")
    heatmaps, _ = filters.grad_cam(model, images, class_index=0)
    assert heatmaps.max() > 0
    kernel, bias = model.get_layer("out").get_weights()
    # Other classes' weights change: the probability of class 0 changes, its logit does not.
    other = kernel.copy()
    other[:, 1:] = np.random.default_rng(5).normal(0, 3, other[:, 1:].shape)
    model.get_layer("out").set_weights([other, bias])
    changed, _ = filters.grad_cam(model, images, class_index=0)
    assert np.allclose(changed, heatmaps, atol=1e-5)
    # A network ten thousand times surer (softmax saturated: its gradient all but vanishes)
    # still has a map, the same one. (How saturated depends on the backend's initial weights.)
    model.get_layer("out").set_weights([kernel * 10_000, bias])
    assert model.predict(images, verbose=0).max(axis=1).min() > 0.9999
    sure, _ = filters.grad_cam(model, images, class_index=0)
    assert np.allclose(sure, heatmaps, atol=1e-5)


def _evidence_model(sequential: bool):
    """One grey channel; filter 'up' fires on bright pixels, 'down' on dark ones.

    The single sigmoid unit reads mean(up) - mean(down): bright is evidence for
    class 1, dark for class 0.
    """
    stack = [
        keras.layers.Conv2D(2, 1, activation="relu", use_bias=False, name="conv"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(1, activation="sigmoid", name="class_1_probability"),
    ]
    if sequential:
        model = keras.Sequential([keras.Input(shape=(8, 8, 1)), *stack])
    else:
        inputs = keras.Input(shape=(8, 8, 1))
        x = inputs
        for layer in stack:
            x = layer(x)
        model = keras.Model(inputs, x)
    model.get_layer("conv").set_weights([np.array([[[[1.0, -1.0]]]], dtype="float32")])
    model.get_layer("class_1_probability").set_weights(
        [np.array([[1.0], [-1.0]], dtype="float32"), np.zeros(1, dtype="float32")]
    )
    return model


@pytest.mark.parametrize("sequential", [True, False], ids=["sequential", "functional"])
def test_grad_cam_on_one_sigmoid_unit_explains_either_class(sequential):
    model = _evidence_model(sequential)
    image = np.zeros((1, 8, 8, 1), dtype="float32")
    image[:, :, :4] = 2.0  # bright left half: evidence for class 1
    image[:, :, 4:] = -1.0  # dark right half: evidence for class 0
    images = np.concatenate([image, -image])  # the second image: the other way round
    assert (model.predict(images, verbose=0)[:, 0] > 0.5).tolist() == [True, False]

    heatmaps, classes = filters.grad_cam(model, images)  # the predicted classes
    assert classes.tolist() == [1, 0]
    # image 0 is class 1 because of its bright left; image 1 is class 0 because of its
    # (now dark) left half
    for heatmap in heatmaps:
        assert heatmap[:, :4].mean() > 0.9 and heatmap[:, 5:].mean() < 0.1

    ones, _ = filters.grad_cam(model, images[:1], class_index=1)
    zeros, _ = filters.grad_cam(model, images[:1], class_index=0)
    assert ones[0][:, :4].mean() > 0.9 and ones[0][:, 5:].mean() < 0.1  # the bright half
    assert zeros[0][:, 4:].mean() > 0.9 and zeros[0][:, :3].mean() < 0.1  # the dark half
    with pytest.raises(ValueError, match="0 or 1"):
        filters.grad_cam(model, images, class_index=2)


def test_the_figures_draw(model):
    results = filters.visualize_filters(model, "conv_a", steps=2, upscaling_steps=1)
    heatmaps, _ = filters.grad_cam(model, np.full((2, 16, 16, 3), 100.0))
    for fig in (
        filter_grid(results),
        filters_by_layer({"conv_a": results}, per_layer=4),
        grad_cam_grid(np.full((2, 16, 16, 3), 100.0), heatmaps, ["a", "b"]),
    ):
        assert fig.axes


def test_shrink_png_keeps_the_picture_and_cuts_the_bytes(tmp_path):
    from PIL import Image

    from companion.visualize import shrink_png

    path = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(
        path
    )
    before = path.stat().st_size
    shrink_png(path, scale=0.5)
    with Image.open(path) as shrunk:
        assert shrunk.size == (80, 60) and shrunk.mode == "P"
    assert path.stat().st_size < before


SCRIPT = """
import keras, numpy as np
from companion import filters
assert keras.backend.backend() == "{backend}"
keras.utils.set_random_seed(1)
model = keras.Sequential([
    keras.Input(shape=(16, 16, 3)), keras.layers.Conv2D(4, 3, activation="relu", name="c"),
    keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
results = filters.visualize_filters(model, "c", steps=8, upscaling_steps=1)
live = [r for r in results if r.start_activation > 0]
assert live and all(r.activation > r.start_activation for r in live), results
heat, _ = filters.grad_cam(model, np.full((2, 16, 16, 3), 0.5))
assert heat.shape == (2, 16, 16)
binary = keras.Sequential([keras.Input(shape=(16, 16, 3)), keras.layers.Conv2D(4, 3, name="c"),
                           keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
heat, classes = filters.grad_cam(
    binary, np.random.default_rng(0).random((2, 16, 16, 3)), class_index=0)
assert heat.shape == (2, 16, 16) and classes.tolist() == [0, 0]
print("ok")
"""


@pytest.mark.parametrize("backend,module", [("jax", "jax"), ("torch", "torch")])
def test_gradient_ascent_on_the_other_backends(backend, module):
    pytest.importorskip(module, reason=f"the {backend} backend is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT / "src")}
    env.pop("COMPANION_SMOKE", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(backend=backend)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-3000:]
