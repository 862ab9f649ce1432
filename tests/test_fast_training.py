"""Chapter 13: the airbench network, its optimiser, its augmentation and its training run."""

import json

import keras
import numpy as np
import pytest

from companion.augment.alternating import epoch_images
from companion.fast_training import FastRecipe, accuracy, predict_tta, train_fast
from companion.models.airbench import (
    PartialIdentity,
    PatchWhitening,
    build_airbench,
    whitening_kernel,
)
from companion.optimizers import LookaheadSGD, Triangular

# airbench94's count (PyTorch): convolutions, BatchNorm weights and biases, the linear layer
AIRBENCH94_PARAMS = 1_972_792


def correlated_images(n=600, seed=0):
    """Images whose neighbouring pixels and channels are strongly correlated, as photos are."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 8, 8, 1))
    smooth = np.kron(base, np.ones((1, 4, 4, 1)))  # 32x32, constant in 4x4 blocks
    colour = smooth * np.array([1.0, 0.8, 0.6]) + 0.1 * rng.normal(size=(n, 32, 32, 3))
    return colour.astype("float32")


# ----------------------------------------------------------------------------- the network
def test_parameter_count_equals_airbench94_counted_the_same_way():
    model = build_airbench(np.zeros((2, 2, 3, 24), "float32"))
    bn_channels = 2 * (64 + 256 + 256)
    # Keras adds BatchNorm's moving mean and variance (PyTorch buffers) and has no BatchNorm
    # scale (airbench fixes it at 1 but counts it)
    assert model.count_params() - 2 * bn_channels + bn_channels == AIRBENCH94_PARAMS
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    # everything but the whitening kernel and the BatchNorm statistics
    assert trainable == model.count_params() - 2 * 2 * 3 * 24 - 2 * bn_channels


def test_the_network_maps_images_to_ten_logits_through_3x3_features():
    model = build_airbench(np.zeros((2, 2, 3, 24), "float32"))
    assert model.output_shape == (None, 10)
    shapes = [layer.output.shape[1] for layer in model.layers if "max_pooling" in layer.name]
    assert shapes == [15, 7, 3, 1]  # 31 after the 2x2 whitening, halved three times, pooled


def test_whitening_makes_the_patches_uncorrelated_with_unit_variance():
    x = correlated_images()
    kernel = whitening_kernel(x)
    assert kernel.shape == (2, 2, 3, 24)
    np.testing.assert_allclose(kernel[..., 12:], -kernel[..., :12])  # the pairs v, -v
    layer = PatchWhitening(kernel)
    out = keras.ops.convert_to_numpy(layer(x)).reshape(-1, 24)[:, :12].astype("float64")
    moments = out.T @ out / len(out)  # about zero, as the kernel's statistics are
    # each direction keeps s / (s + eps) of its variance s: 1 for the strong ones, less for the
    # faint ones (here the 0.1 noise, s = 0.01); and no two outputs are correlated
    patches = np.stack(
        [x[:, i : i + 31, j : j + 31, :] for i in range(2) for j in range(2)], axis=3
    ).reshape(-1, 12)
    s = np.sort(np.linalg.eigvalsh(patches.astype("float64").T @ patches / len(patches)))[::-1]
    np.testing.assert_allclose(np.diag(moments), s / (s + 5e-4), rtol=1e-3)
    assert np.diag(moments)[0] > 0.999
    off = moments - np.diag(np.diag(moments))
    assert np.abs(off).max() < 1e-3


def test_whitening_statistics_accumulate_in_float64():
    # 600 images of 31*31 patches: the float64 covariance equals NumPy's of all patches
    x = correlated_images(200)
    patches = np.stack(
        [x[:, i : i + 31, j : j + 31, :] for i in range(2) for j in range(2)], axis=3
    ).reshape(-1, 12)
    eigenvalues = np.linalg.eigvalsh(patches.astype("float64").T @ patches / len(patches))
    kernel = whitening_kernel(x, eps=0.0).reshape(12, 24)[:, :12]
    np.testing.assert_allclose(
        np.sort(1 / np.square(np.linalg.norm(kernel, axis=0))), np.sort(eigenvalues), rtol=1e-4
    )


def test_whitening_refuses_what_is_not_a_batch_of_images():
    with pytest.raises(ValueError, match="at least 2 images"):
        whitening_kernel(np.zeros((1, 32, 32, 3)))
    with pytest.raises(ValueError, match="at least 2 images"):
        whitening_kernel(np.zeros((32, 32, 3)))


def test_partial_identity_passes_the_first_channels_through():
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    conv = keras.layers.Conv2D(
        6, 3, padding="same", use_bias=False, kernel_initializer=PartialIdentity(seed=0)
    )
    y = keras.ops.convert_to_numpy(conv(x))
    np.testing.assert_allclose(y[..., :4], x, atol=1e-6)
    assert np.abs(y[..., 4:]).max() > 0  # the other filters are drawn as PyTorch does
    bound = 1 / np.sqrt(3 * 3 * 4)
    kernel = keras.ops.convert_to_numpy(conv.kernel)[..., 4:]
    assert np.abs(kernel).max() <= bound


def test_whitening_kernel_is_fixed_and_its_bias_trained_and_both_saved(tmp_path):
    kernel = whitening_kernel(correlated_images(50))
    model = build_airbench(kernel)
    layer = model.get_layer("whitening")
    assert [w.name for w in layer.trainable_weights] == ["bias"]
    path = tmp_path / "airbench.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(again.get_layer("whitening").kernel), kernel
    )


# ----------------------------------------------------------------------------- the optimiser
def test_triangular_schedule_rises_then_falls():
    schedule = Triangular(1.5, total_steps=100)
    rates = [float(keras.ops.convert_to_numpy(schedule(step))) for step in (0, 23, 100)]
    np.testing.assert_allclose(rates, [0.2 * 1.5, 1.5, 0.07 * 1.5], rtol=1e-6)


def nesterov_reference(w, grads, lr, momentum, l2, scale=1.0):
    """PyTorch's SGD(nesterov=True, weight_decay=l2 / scale) at rate lr * scale, in NumPy."""
    velocity = np.zeros_like(w)
    for g in grads:
        d = g + l2 / scale * w
        velocity = momentum * velocity + d
        w = w - lr * scale * (d + momentum * velocity)
    return w


@pytest.mark.parametrize("name,scale", [("kernel", 1.0), ("beta", 64.0)])
def test_sgd_step_matches_pytorch_nesterov_with_coupled_weight_decay(name, scale):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(5,)).astype("float32")
    grads = [rng.normal(size=(5,)).astype("float32") for _ in range(4)]
    variable = keras.Variable(w0, name=name)
    optimizer = LookaheadSGD(0.01, momentum=0.85, weight_decay=0.002, bias_scaler=64.0)
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
    expected = nesterov_reference(w0, grads, 0.01, 0.85, 0.002, scale)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), expected, rtol=1e-5)


def test_lookahead_pulls_the_weights_to_their_average_and_ends_on_it():
    variable = keras.Variable(np.zeros(3, "float32"), name="kernel")
    optimizer = LookaheadSGD(0.1, momentum=0.0, total_steps=12, every=5, decay=0.5)
    optimizer.build([variable])
    seen = []
    for _ in range(12):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(-np.ones(3, "float32")), variable)])
        seen.append(float(keras.ops.convert_to_numpy(variable)[0]))
    slow = float(keras.ops.convert_to_numpy(optimizer.slow[0])[0])
    # by hand: +0.1 per step; at step 5 the average moves (1 - 0.5 * (5/12)^3) of the way
    a5 = 0.5 * (5 / 12) ** 3
    avg5 = (1 - a5) * 0.5
    np.testing.assert_allclose(seen[4], avg5, rtol=1e-5)
    a10 = 0.5 * (10 / 12) ** 3
    avg10 = avg5 + (1 - a10) * ((avg5 + 0.5) - avg5)
    np.testing.assert_allclose(seen[9], avg10, rtol=1e-5)
    # the last step (12) leaves the average of step 10 in the model
    np.testing.assert_allclose([seen[11], slow], [avg10, avg10], rtol=1e-5)


# ----------------------------------------------------------------------------- augmentation
def test_flips_alternate_so_every_image_is_seen_both_ways_in_two_epochs():
    x = np.arange(40 * 2 * 3 * 1, dtype="float32").reshape(40, 2, 3, 1)
    even = epoch_images(x, 0, seed=1, pad=0)
    odd = epoch_images(x, 1, seed=1, pad=0)
    mirror = x[:, :, ::-1]
    flipped_even = np.all(even == mirror, axis=(1, 2, 3))
    flipped_odd = np.all(odd == mirror, axis=(1, 2, 3))
    assert np.all(flipped_even != flipped_odd)  # each image once each way
    assert 10 < flipped_even.sum() < 30  # a random half
    np.testing.assert_array_equal(epoch_images(x, 2, seed=1, pad=0), even)


def test_translations_shift_each_image_by_at_most_pad_pixels_with_reflection():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8, 8, 3)).astype("float32")
    out = epoch_images(x, 0, seed=0, flip=False, pad=2)
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    shifts = set()
    for i in range(len(x)):
        matches = [
            (dy, dx)
            for dy in range(5)
            for dx in range(5)
            if np.array_equal(out[i], padded[i, dy : dy + 8, dx : dx + 8])
        ]
        assert matches, f"image {i} is not a shifted copy"
        shifts.add(matches[0])
    assert len(shifts) == 25  # every shift in [-2, 2] x [-2, 2] is drawn
    np.testing.assert_array_equal(epoch_images(x, 0, seed=0, flip=False), out)  # reproducible
    assert not np.array_equal(epoch_images(x, 1, seed=0, flip=False), out)


def test_epoch_images_refuses_bad_input():
    with pytest.raises(ValueError, match="N, height, width, channels"):
        epoch_images(np.zeros((8, 8, 3)), 0)
    with pytest.raises(ValueError, match="pad"):
        epoch_images(np.zeros((2, 4, 4, 3)), 0, pad=4)


# ----------------------------------------------------------------------------- evaluation
def test_mirror_tta_averages_an_image_with_its_mirror_image():
    # a "model" whose two logits are the left and the right half's means: mirrored, they swap
    inputs = keras.Input((4, 4, 1))
    left = keras.layers.Lambda(lambda t: keras.ops.mean(t[:, :, :2], axis=(1, 2, 3)))(inputs)
    right = keras.layers.Lambda(lambda t: keras.ops.mean(t[:, :, 2:], axis=(1, 2, 3)))(inputs)
    model = keras.Model(inputs, keras.ops.stack([left, right], axis=1))
    x = np.random.default_rng(0).random((6, 4, 4, 1)).astype("float32")
    plain = predict_tta(model, x, level=0)
    mirrored = predict_tta(model, x, level=1)
    np.testing.assert_allclose(mirrored[:, 0], mirrored[:, 1], rtol=1e-5)
    np.testing.assert_allclose(mirrored[:, 0], plain.mean(1), rtol=1e-5)
    assert predict_tta(model, x, level=2).shape == (6, 2)


# ----------------------------------------------------------------------------- training
def two_class_images(n, seed):
    """Bright-top vs bright-bottom images, with noise: learnable in a few steps (and, unlike
    left vs right, unchanged in meaning by the recipe's horizontal flips)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 32, 32, 3)).astype("float32")
    x[y == 0, :8] += 1.5
    x[y == 1, 24:] += 1.5
    return x, y


def test_the_recipe_learns_and_resumes_where_it_stopped(tmp_path):
    x, y = two_class_images(1024, 0)
    x_test, y_test = two_class_images(256, 1)
    recipe = FastRecipe(epochs=2, batch_size=128, lr=2.0)

    def model():
        keras.utils.set_random_seed(0)
        return build_airbench(whitening_kernel(x[:200]), widths=(16, 32, 32), num_classes=2)

    class Stop(Exception):
        pass

    def stop_at_epoch_2(line):
        if "epoch 2/" in line:
            raise Stop

    with pytest.raises(Stop):
        train_fast(model(), x, y, x_test, y_test, recipe, resume_dir=tmp_path, log=stop_at_epoch_2)
    saved = json.loads((tmp_path / "progress.json").read_text())
    assert len(saved["epoch_seconds"]) == 1 and saved["steps"] == 8
    run = train_fast(model(), x, y, x_test, y_test, recipe, resume_dir=tmp_path, log=lambda _: 0)
    assert run.resumed_at_epoch == 1 and run.steps == 16 and len(run.test_accuracy) == 2
    assert run.final["tta0"] >= 0.9
    assert set(run.final) == {"tta0", "tta1", "tta2", "tta_seconds"}


def test_too_few_images_for_a_batch_is_an_error():
    x, y = two_class_images(100, 0)
    with pytest.raises(ValueError, match="no batch of 1024"):
        train_fast(build_airbench(None, widths=(8, 8, 8), num_classes=2), x, y, x, y)


@pytest.mark.parametrize("which", ["x", "x_test"])
def test_non_finite_images_are_named_before_training(which):
    """Checked once on the whole arrays, before the model is even compiled (issue 27)."""
    x = np.zeros((4, 4, 4, 3), "float32")
    bad = x.copy()
    bad[1, 0, 0, 0], bad[3, 2, 1, 0] = np.nan, np.inf
    arrays = {"x": x, "x_test": x, which: bad}
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten()])  # never fitted
    with pytest.raises(ValueError) as info:
        train_fast(model, arrays["x"], [0] * 4, arrays["x_test"], [0] * 4, FastRecipe(batch_size=2))
    message = str(info.value)
    assert message.startswith(f"{which} holds 2 non-finite values (1 NaN, 1 inf)"), message
    assert "in 2 of its 4 images (indices 1, 3)" in message
    assert "loaded and scaled" in message


def test_accuracy_counts_the_argmax():
    inputs = keras.Input((2, 2, 1))
    model = keras.Model(inputs, keras.layers.Flatten()(inputs)[:, :2])
    x = np.zeros((3, 2, 2, 1), "float32")
    x[0, 0, 0], x[1, 0, 1], x[2, 0, 0] = 1, 1, 1  # argmax 0, 1, 0
    assert accuracy(model, x, [0, 1, 1]) == pytest.approx(2 / 3)
