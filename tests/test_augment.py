"""companion.augment: every option moves pixels the way it says; seeds repeat; clear errors."""

import os

import keras
import numpy as np
import pytest
from PIL import Image

from companion.augment import ImageAugmenter
from companion.errors import DataFormatError
from companion.preprocessing import subtract_pixel_mean
from companion.statistics import channel_mean_std, pixel_mean


def marker_image(height=29, width=29, channels=1):
    """An asymmetric image: every pixel a different value, so any move shows."""
    values = np.arange(height * width * channels, dtype="float32").reshape(
        1, height, width, channels
    )
    return values / values.max()


def layer_of(augmenter, cls):
    return next(layer for layer in augmenter.random_layers if type(layer) is cls)


def fix_range(augmenter, cls, **attributes):
    """Pin a random layer's range to one value, so the transform is known exactly."""
    layer = layer_of(augmenter, cls)
    for name, value in attributes.items():
        setattr(layer, name, value)


# ------------------------------------------------------------------------- geometry
def test_horizontal_flip_mirrors_exactly_and_sometimes_not():
    x = np.repeat(marker_image(), 64, axis=0)
    out = ImageAugmenter(horizontal_flip=True).augment(x, seed=0)
    mirrored = np.array([np.array_equal(o, x[0][:, ::-1]) for o in out])
    unchanged = np.array([np.array_equal(o, x[0]) for o in out])
    assert np.all(mirrored | unchanged) and mirrored.any() and unchanged.any()


def test_both_flips_are_independent_as_in_the_old_api():
    x = np.repeat(marker_image(), 128, axis=0)
    out = ImageAugmenter(horizontal_flip=True, vertical_flip=True).augment(x, seed=1)
    image = x[0]
    variants = [image, image[:, ::-1], image[::-1], image[::-1, ::-1]]
    seen = [sum(np.array_equal(o, v) for o in out) for v in variants]
    assert sum(seen) == len(out)
    assert all(count > 0 for count in seen), seen  # each axis flips on its own coin


@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "reflect"])
def test_shift_of_k_pixels_moves_content_by_k_with_the_chosen_fill(fill_mode):
    k, width = 3, 16
    x = marker_image(12, width)
    augmenter = ImageAugmenter(width_shift_range=k, fill_mode=fill_mode, cval=-1.0)
    augmenter.build(x.shape)
    fix_range(
        augmenter, keras.layers.RandomTranslation, width_lower=k / width, width_upper=k / width
    )
    out = augmenter.augment(x, seed=0)[0, :, :, 0]
    image = x[0, :, :, 0]
    np.testing.assert_allclose(out[:, k:], image[:, :-k], atol=1e-6)  # content moved right by k
    expected_fill = {
        "constant": np.full((12, k), -1.0),
        "nearest": np.repeat(image[:, :1], k, axis=1),
        "wrap": image[:, -k:],
        "reflect": image[:, :k][:, ::-1],
    }[fill_mode]
    np.testing.assert_allclose(out[:, :k], expected_fill, atol=1e-6)


def test_integer_shift_range_is_pixels_and_float_is_a_fraction():
    x = marker_image(10, 20)
    pixels = ImageAugmenter(width_shift_range=4)
    pixels.build(x.shape)
    fraction = ImageAugmenter(width_shift_range=0.2)
    fraction.build(x.shape)
    for augmenter in (pixels, fraction):
        layer = layer_of(augmenter, keras.layers.RandomTranslation)
        assert layer.width_upper == pytest.approx(0.2) and layer.height_upper == 0


def test_rotation_by_a_fixed_angle_keeps_the_centre():
    x = marker_image(29, 29)
    augmenter = ImageAugmenter(rotation_range=90, interpolation="nearest")
    augmenter.build(x.shape)
    fix_range(augmenter, keras.layers.RandomRotation, factor=(0.25, 0.25))  # exactly 90°
    out = augmenter.augment(x, seed=0)[0, :, :, 0]
    image = x[0, :, :, 0]
    assert any(np.array_equal(out, np.rot90(image, k)) for k in (1, 3))
    assert out[14, 14] == image[14, 14]
    # a smaller angle moves every pixel except the centre
    fix_range(augmenter, keras.layers.RandomRotation, factor=(30 / 360, 30 / 360))
    out = augmenter.augment(x, seed=0)[0, :, :, 0]
    assert out[14, 14] == image[14, 14] and not np.array_equal(out, image)


@pytest.mark.parametrize("zoom, side", [(0.5, 16), (2.0, 4)])
def test_zoom_changes_scale(zoom, side):
    x = np.zeros((1, 32, 32, 1), "float32")
    x[0, 12:20, 12:20] = 1.0  # an 8-pixel square in the middle
    augmenter = ImageAugmenter(zoom_range=[0.5, 2.0], fill_mode="constant", interpolation="nearest")
    augmenter.build(x.shape)
    fix_range(
        augmenter,
        keras.layers.RandomZoom,
        height_lower=zoom - 1,
        height_upper=zoom - 1,
        width_lower=zoom - 1,
        width_upper=zoom - 1,
    )
    out = augmenter.augment(x, seed=0)[0, :, :, 0]
    rows, cols = np.nonzero(out > 0.5)
    # 0.5 reads half the distance: twice as big
    assert np.ptp(rows) + 1 == side and np.ptp(cols) + 1 == side
    assert rows.mean() == pytest.approx(15.5) and cols.mean() == pytest.approx(15.5)


def test_shear_is_an_angle_about_the_centre():
    x = np.zeros((1, 31, 31, 1), "float32")
    x[0, :, 15] = 1.0  # a vertical line through the centre
    augmenter = ImageAugmenter(shear_range=45, fill_mode="constant", interpolation="nearest")
    augmenter.build(x.shape)
    from companion.augment import CentredShear

    fix_range(augmenter, CentredShear, x_factor=(1.0, 1.0))  # tan(45°): one pixel across per row
    out = augmenter.augment(x, seed=0)[0, :, :, 0]
    columns = np.array([np.argmax(row) for row in out[5:26]])
    assert out[15, 15] == 1.0  # the centre stays put
    steps = np.diff(columns)
    assert np.all(np.abs(steps) == 1) and len(set(steps)) == 1  # the line leans 45°


def test_seeded_runs_repeat_exactly():
    x = np.random.default_rng(0).random((16, 16, 16, 3)).astype("float32")
    options = dict(
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=2,
        shear_range=10,
        zoom_range=0.2,
        horizontal_flip=True,
        vertical_flip=True,
    )
    augmenter = ImageAugmenter(**options)
    first = [b for b, _ in augmenter.flow(x, np.arange(16), batch_size=8, seed=7)]
    again = [b for b, _ in ImageAugmenter(**options).flow(x, np.arange(16), batch_size=8, seed=7)]
    other = [b for b, _ in augmenter.flow(x, np.arange(16), batch_size=8, seed=8)]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not any(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_flow_shuffles_labels_with_their_images_and_covers_everything():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 4, 4, 1), "float32")
    labels = []
    batches = ImageAugmenter().flow(x, np.arange(10), batch_size=4, shuffle=True, seed=3)
    assert len(batches) == 3
    for images, y in batches:
        np.testing.assert_array_equal(images[:, 0, 0, 0], y)
        labels.extend(y)
    assert sorted(labels) == list(range(10)) and labels != list(range(10))


# ----------------------------------------------------------------------- statistics
def test_featurewise_standardization_gives_zero_mean_unit_std():
    x = np.random.default_rng(1).normal(50, 20, size=(300, 8, 8, 3)).astype("float32")
    x[..., 1] += 100
    augmenter = ImageAugmenter(featurewise_center=True, featurewise_std_normalization=True).fit(x)
    out = augmenter.augment(x)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-3)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    centred = ImageAugmenter(featurewise_center=True).fit(x).augment(x)
    np.testing.assert_allclose(centred.mean(axis=(0, 1, 2)), 0, atol=1e-3)
    assert centred.std() > 10  # centring alone keeps the scale


def cifar10_sized_images():
    """50,000 x 32 x 32 x 3 float32 values in [0, 1] with channel means 0.49 / 0.48 / 0.45:
    51,200,000 values per channel, the size at which a float32 running sum stops growing."""
    rng = np.random.default_rng(7)
    x = rng.random((50_000, 32, 32, 3), dtype=np.float32) * 0.5
    x += np.array([0.24, 0.23, 0.20], dtype=np.float32)
    return x


# The statistics at 50,000 images are NumPy's (companion.statistics), the same on every backend:
# the TensorFlow pass of `make test` checks them at that size; the JAX and PyTorch passes check
# the augmenter's standardization at a small size (test_featurewise_standardization_gives_...).
AT_SIZE_ON_TENSORFLOW = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="NumPy statistics at CIFAR-10 size: checked on the TensorFlow pass",
)


@AT_SIZE_ON_TENSORFLOW
def test_featurewise_statistics_are_right_at_cifar10_size():
    x = cifar10_sized_images()
    expected_mean = x.mean(axis=(0, 1, 2), dtype="float64")
    expected_std = x.std(axis=(0, 1, 2), dtype="float64")
    np.testing.assert_allclose(expected_mean, [0.49, 0.48, 0.45], atol=1e-3)  # the data as made
    augmenter = ImageAugmenter(featurewise_center=True, featurewise_std_normalization=True).fit(x)
    # a float32 running sum gave 0.32768 (= 2**24 / 51,200,000) for every channel here
    np.testing.assert_allclose(augmenter.feature_mean.numpy(), expected_mean, rtol=1e-6)
    np.testing.assert_allclose(augmenter.feature_std.numpy(), expected_std, rtol=1e-5)
    out = augmenter.augment(x[:5_000])
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2), dtype="float64"), 0, atol=0.01)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2), dtype="float64"), 1, atol=0.01)


@AT_SIZE_ON_TENSORFLOW
def test_channel_statistics_match_numpy_in_float64_at_cifar10_size():
    x = cifar10_sized_images()
    mean, std = channel_mean_std(x)
    np.testing.assert_allclose(mean, x.mean(axis=(0, 1, 2), dtype="float64"), rtol=1e-12)
    np.testing.assert_allclose(std, x.std(axis=(0, 1, 2), dtype="float64"), rtol=1e-9)
    means = pixel_mean(x)
    np.testing.assert_allclose(means, x.mean(axis=0, dtype="float64"), rtol=1e-12)
    _, mean_image = subtract_pixel_mean(x)  # chapter 05's per-pixel mean, on the same data
    np.testing.assert_allclose(mean_image, means, rtol=1e-6)


@pytest.mark.parametrize("statistic", [channel_mean_std, pixel_mean, subtract_pixel_mean])
@pytest.mark.parametrize("count", [0, 1])
def test_statistics_of_a_set_of_images_need_at_least_two(statistic, count):
    """One image's "dataset statistics" describe that image (issue 27): an error, not a result."""
    x = np.random.default_rng(7).random((count, 4, 4, 3)).astype("float32")
    with pytest.raises(ValueError, match=f"takes at least 2, got {count}"):
        statistic(x)


def test_rescale_is_applied_before_the_statistics_are_fitted():
    x = np.random.default_rng(2).integers(0, 256, size=(200, 6, 6, 1)).astype("uint8")
    out = ImageAugmenter(rescale=1 / 255, featurewise_center=True).fit(x).augment(x)
    assert abs(out.mean()) < 1e-3 and out.max() <= 1.0


def test_samplewise_standardization_gives_each_image_mean_zero_std_one():
    rng = np.random.default_rng(6)
    # images of very different brightness and contrast, colour and grey
    x = rng.normal(0, 1, size=(40, 9, 7, 3)).astype("float32") * rng.uniform(1, 80, (40, 1, 1, 1))
    x += rng.uniform(0, 200, (40, 1, 1, 1))
    out = ImageAugmenter(samplewise_center=True, samplewise_std_normalization=True).augment(x)
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 1, atol=1e-4)
    # over all pixels *and* channels of one image, as the old standardize(): (x - mean) / (std +
    # 1e-6)
    expected = [(image - image.mean()) / (image.std() + 1e-6) for image in x.astype("float64")]
    np.testing.assert_allclose(out, np.array(expected), rtol=1e-4, atol=1e-4)
    assert np.ptp(out.mean(axis=(1, 2)), axis=1).max() > 0.1  # channels keep their differences

    centred = ImageAugmenter(samplewise_center=True).augment(x)
    np.testing.assert_allclose(centred.mean(axis=(1, 2, 3)), 0, atol=1e-3)
    # scale kept
    np.testing.assert_allclose(centred.std(axis=(1, 2, 3)), x.std(axis=(1, 2, 3)), rtol=1e-4)
    grey = ImageAugmenter(samplewise_std_normalization=True).augment(x[..., :1])  # implies centring
    np.testing.assert_allclose(grey.mean(axis=(1, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(grey.std(axis=(1, 2, 3)), 1, atol=1e-4)


def test_samplewise_standardization_needs_no_fit_applies_at_test_time_and_saves(tmp_path):
    x = np.random.default_rng(7).uniform(0, 255, size=(16, 8, 8, 1)).astype("float32")
    augmenter = ImageAugmenter(samplewise_std_normalization=True, rescale=1 / 255)
    assert not augmenter.needs_fit
    # no random moves, still standardized
    out = keras.ops.convert_to_numpy(augmenter(x, training=False))
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 1, atol=1e-4)
    config = augmenter.get_config()
    assert config["samplewise_std_normalization"] and not config["samplewise_center"]
    again = ImageAugmenter.from_config(config)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(x, training=False)), out, atol=1e-6)
    # fit() sees the images as the later steps will: sample-wise standardized first
    fitted = ImageAugmenter(samplewise_std_normalization=True, featurewise_center=True).fit(x)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fitted.feature_mean), out.mean(), atol=1e-5
    )
    with pytest.raises(TypeError, match="samplewise_center must be True or False"):
        ImageAugmenter(samplewise_center="yes")


def test_zca_gives_identity_covariance_on_its_fit_data():
    rng = np.random.default_rng(3)
    mixing = rng.normal(size=(48, 48))
    x = (rng.normal(size=(3000, 48)) @ mixing).reshape(3000, 4, 4, 3).astype("float32")
    out = ImageAugmenter(zca_whitening=True).fit(x).augment(x).reshape(3000, -1)
    np.testing.assert_allclose(np.cov(out, rowvar=False, bias=True), np.eye(48), atol=2e-3)
    # ZCA is the whitening closest to the input: each output stays correlated with its own input
    flat = x.reshape(3000, -1)
    own = [np.corrcoef(flat[:, i], out[:, i])[0, 1] for i in range(48)]
    assert min(own) > 0


def test_the_augmenter_is_a_layer_that_saves_its_statistics(tmp_path):
    x = np.random.default_rng(4).normal(3, 2, size=(100, 8, 8, 1)).astype("float32")
    augmenter = ImageAugmenter(
        rotation_range=10,
        featurewise_center=True,
        featurewise_std_normalization=True,
        zca_whitening=True,
        seed=0,
    ).fit(x)
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), augmenter, keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.zeros(100), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )
    # at test time (training=False) only the statistics apply, no random moves: the same output
    # twice,
    # whitened (identity covariance on the fit data)
    first = keras.ops.convert_to_numpy(augmenter(x, training=False)).reshape(100, -1)
    np.testing.assert_array_equal(
        first, keras.ops.convert_to_numpy(augmenter(x, training=False)).reshape(100, -1)
    )
    np.testing.assert_allclose(np.cov(first, rowvar=False, bias=True), np.eye(64), atol=1e-3)


# --------------------------------------------------------------------------- saving
def test_save_to_dir_writes_one_readable_file_per_image(tmp_path):
    x = np.random.default_rng(5).random((10, 12, 12, 3)).astype("float32")
    batches = ImageAugmenter(rotation_range=20).flow(
        x, None, batch_size=4, seed=0, save_to_dir=tmp_path, save_prefix="aug", save_format="jpeg"
    )
    shapes = [batch.shape for batch in batches]
    files = sorted(tmp_path.iterdir())
    assert len(shapes) == 3 and len(files) == 10
    for path in files:
        assert path.name.startswith("aug_") and path.suffix == ".jpeg"
        with Image.open(path) as image:
            assert image.size == (12, 12) and image.mode == "RGB"
    assert not list(tmp_path.glob(".*tmp"))  # nothing half-written left behind


def test_save_to_dir_errors(tmp_path, monkeypatch):
    x = np.zeros((2, 4, 4, 1), "float32")
    augmenter = ImageAugmenter()
    with pytest.raises(FileNotFoundError, match="makedirs"):
        augmenter.flow(x, save_to_dir=tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        augmenter.flow(x, save_to_dir=tmp_path / "file")
    with pytest.raises(ValueError, match="save_format"):
        augmenter.flow(x, save_to_dir=tmp_path, save_format="gifv")
    monkeypatch.setattr(os, "access", lambda *args: False)  # root may write anywhere, so pretend
    with pytest.raises(PermissionError, match="not writable"):
        augmenter.flow(x, save_to_dir=tmp_path)


@pytest.mark.parametrize("prefix", ["../escaped", "/tmp/absolute", "new/sub/x", "..\\windows"])
def test_save_prefix_may_not_lead_out_of_save_to_dir(tmp_path, prefix):
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match="path separator"):
        ImageAugmenter().flow(
            np.zeros((2, 4, 4, 1), "float32"), save_to_dir=tmp_path / "out", save_prefix=prefix
        )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out"]  # nothing written, no folder made


def test_a_second_flow_with_the_same_prefix_overwrites_nothing(tmp_path):
    x = np.random.default_rng(7).random((3, 8, 8, 3)).astype("float32")
    list(
        ImageAugmenter().flow(
            x, batch_size=3, shuffle=False, save_to_dir=tmp_path, save_prefix="aug"
        )
    )
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    list(
        ImageAugmenter(rescale=0.5).flow(
            x[::-1], batch_size=3, shuffle=False, save_to_dir=tmp_path, save_prefix="aug"
        )
    )
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(first) == 3 and len(files) == 6
    # the earlier files are untouched
    assert all(files[name] == data for name, data in first.items())
    assert sorted(set(files) - set(first)) == sorted(
        name.replace(".png", "-1.png") for name in first
    )


def test_a_save_to_dir_removed_during_the_run_is_not_made_again(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    batches = ImageAugmenter().flow(np.zeros((2, 4, 4, 1), "float32"), save_to_dir=folder)
    folder.rmdir()
    with pytest.raises(FileNotFoundError, match="no longer exists"):
        batches[0]
    assert not folder.exists()


def test_flow_from_directory_skips_hidden_entries_and_refuses_links_out(tmp_path):
    root = tmp_path / "images"
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        Image.new("RGB", (8, 8)).save(root / name / "0.png")
    (root / "__MACOSX" / "cats").mkdir(parents=True)  # what unzipping a macOS zip leaves behind
    (root / "__MACOSX" / "cats" / "._0.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (root / "cats" / "._0.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (root / ".ipynb_checkpoints").mkdir()
    batches = ImageAugmenter().flow_from_directory(
        root, target_size=(8, 8), batch_size=4, class_mode="sparse"
    )
    assert batches.class_indices == {"cats": 0, "dogs": 1}
    assert [p.name for p in batches.filepaths] == ["0.png", "0.png"]
    outside = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(outside)
    (root / "dogs" / "1.png").symlink_to(outside)
    with pytest.raises(DataFormatError, match="1.png.*symbolic link"):
        ImageAugmenter().flow_from_directory(root, target_size=(8, 8))


def test_an_image_with_too_many_pixels_is_a_data_format_error(tmp_path, monkeypatch):
    (tmp_path / "big").mkdir()
    Image.new("RGB", (200, 200)).save(tmp_path / "big" / "huge.png")
    batches = ImageAugmenter().flow_from_directory(tmp_path, target_size=(8, 8))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # 200 x 200 is over twice that
    with pytest.raises(DataFormatError, match="huge.png"):
        batches[0]


def test_flow_from_directory_reads_class_folders(tmp_path):
    rng = np.random.default_rng(6)
    for name, count in (("cats", 3), ("dogs", 2)):
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(
                tmp_path / name / f"{i}.png"
            )
    batches = ImageAugmenter(horizontal_flip=True, rescale=1 / 255).flow_from_directory(
        tmp_path, target_size=(16, 16), batch_size=4, seed=0
    )
    assert batches.class_indices == {"cats": 0, "dogs": 1}
    (x1, y1), (x2, y2) = list(batches)
    assert x1.shape == (4, 16, 16, 3) and x2.shape == (1, 16, 16, 3) and x1.max() <= 1.0
    assert (y1.sum(axis=0) + y2.sum(axis=0)).tolist() == [3, 2]  # one-hot, every image once
    (tmp_path / "dogs" / "broken.png").write_bytes(b"not a png")
    broken = ImageAugmenter().flow_from_directory(
        tmp_path, target_size=(16, 16), batch_size=8, class_mode="sparse"
    )
    with pytest.raises(DataFormatError, match="broken.png"):
        broken[0]
    with pytest.raises(FileNotFoundError):
        ImageAugmenter().flow_from_directory(tmp_path / "nowhere")


# ----------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "options, error, words",
    [
        (dict(rotation_range=-10), ValueError, "negative"),
        (dict(rotation_range=400), ValueError, "180"),
        (dict(width_shift_range=2.0), ValueError, "int"),
        (dict(height_shift_range=-0.1), ValueError, "negative"),
        (dict(shear_range=60), ValueError, "degrees"),
        (dict(zoom_range=1.5), ValueError, "between 0 and 1"),
        (dict(zoom_range=[1.2, 0.8]), ValueError, "lower <= upper"),
        (dict(fill_mode="mirror"), ValueError, "fill_mode"),
        (dict(horizontal_flip="yes"), TypeError, "True or False"),
    ],
)
def test_bad_options_are_refused_where_they_are_written(options, error, words):
    with pytest.raises(error, match=words):
        ImageAugmenter(**options)


def test_bad_images_are_refused_clearly():
    augmenter = ImageAugmenter(rotation_range=10)
    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        augmenter.augment(np.zeros((5, 28, 28), "float32"))
    with pytest.raises(TypeError, match="numbers"):
        augmenter.augment(np.zeros((5, 28, 28, 1), bool))
    with pytest.raises(TypeError, match="numbers"):
        augmenter.flow(np.full((5, 2, 2, 1), "a"))
    with pytest.raises(ValueError, match="channels"):
        augmenter.augment(np.zeros((2, 3, 28, 28), "float32"))
    with pytest.raises(ValueError, match="same length"):
        augmenter.flow(np.zeros((5, 4, 4, 1)), np.zeros(4))
    augmenter.augment(np.zeros((2, 8, 8, 1), "uint8"))  # uint8 is fine (cast to float32)
    with pytest.raises(ValueError, match="built for images of shape"):
        augmenter.augment(np.zeros((2, 9, 9, 1), "float32"))


def test_statistics_must_be_fitted_and_zca_needs_enough_images():
    x = np.zeros((100, 8, 8, 3), "float32")
    with pytest.raises(RuntimeError, match="fit"):
        ImageAugmenter(featurewise_center=True).flow(x)
    with pytest.raises(ValueError, match="at least 193 images"):
        ImageAugmenter(zca_whitening=True).fit(x)  # 100 images of 8*8*3 = 192 values


def nan_and_inf_images():
    """Ten images, two of them (2 and 7) holding a NaN and an inf."""
    x = np.random.default_rng(5).random((10, 8, 8, 3)).astype("float32")
    x[2, 0, 0, 0] = np.nan
    x[7, 3, 4, 1] = np.inf
    x[7, 5, 5, 2] = -np.inf
    return x


def check_non_finite_message(info, what):
    message = str(info.value)
    assert message.startswith(f"{what} holds 3 non-finite values (1 NaN, 2 inf)"), message
    assert "2 of its 10 images" in message and "2, 7" in message
    assert "np.isfinite" in message  # and says what to do


def test_non_finite_images_are_refused_where_the_augmenter_first_sees_them():
    x = nan_and_inf_images()
    for augmenter in (
        ImageAugmenter(featurewise_center=True),
        ImageAugmenter(zca_whitening=True),
    ):
        with pytest.raises(ValueError) as info:
            augmenter.fit(x)
        check_non_finite_message(info, "images")
    augmenter = ImageAugmenter(horizontal_flip=True)
    with pytest.raises(ValueError) as info:
        augmenter.augment(x)
    check_non_finite_message(info, "images")
    with pytest.raises(ValueError) as info:
        augmenter(x)
    check_non_finite_message(info, "images")
    with pytest.raises(ValueError) as info:
        augmenter.flow(x, np.arange(10))
    check_non_finite_message(info, "x")
    clean = np.nan_to_num(x, posinf=1.0, neginf=0.0)
    assert np.isfinite(augmenter.augment(clean)).all()


def test_the_finite_check_looks_at_every_chunk(monkeypatch):
    from companion import _validation
    from companion.augment import checks

    monkeypatch.setattr(_validation, "FINITE_CHUNK", 100)  # 1 image of 8*8*1 values per pass
    x = np.zeros((9, 8, 8, 1), "float64")
    checks.check_finite(x)
    x[-1, -1, -1, -1] = np.nan
    with pytest.raises(ValueError, match=r"1 non-finite value \(1 NaN\) in 1 of its 9 images"):
        checks.check_finite(x)


def test_feature_wise_statistics_need_at_least_two_images():
    one = np.random.default_rng(6).random((1, 8, 8, 3)).astype("float32")
    for options in (
        {"featurewise_center": True},
        {"featurewise_std_normalization": True},
        {"zca_whitening": True},
    ):
        with pytest.raises(ValueError, match="at least two images, got 1"):
            ImageAugmenter(**options).fit(one)
    ImageAugmenter(featurewise_center=True).fit(np.concatenate([one, one[:, ::-1]]))


# ------------------------------------------------------- one fixed transform (apply_transform)
def drawn_parameters(augmenter, x, seed):
    """The parameters each random layer draws for ``x`` after ``reseed(seed)``, per image, in
    apply_transform's units (what ``augment(x, seed=seed)`` then draws again)."""
    augmenter.reseed(seed)
    height, width = x.shape[1:3]
    params = [{} for _ in x]
    for layer in augmenter.random_layers:
        draw = layer.get_random_transformation(keras.ops.convert_to_tensor(x), training=True)
        draw = {k: keras.ops.convert_to_numpy(v) for k, v in draw.items() if k != "input_shape"}
        for i, p in enumerate(params):
            if isinstance(layer, keras.layers.RandomRotation):
                p["rotation"] = float(draw["angle"][i])
                p["_keras_rotation_matrix"] = draw["rotation_matrix"][i]
            elif isinstance(layer, keras.layers.RandomShear):
                p["shear"] = float(np.degrees(np.arctan(draw["shear_factor"][i, 0])))
            elif isinstance(layer, keras.layers.RandomZoom):
                p["zoom"] = (float(draw["width_zoom"][i, 0]), float(draw["height_zoom"][i, 0]))
            elif isinstance(layer, keras.layers.RandomTranslation):
                p["width_shift"] = float(draw["translations"][i, 0]) / width
                p["height_shift"] = float(draw["translations"][i, 1]) / height
            elif isinstance(layer, keras.layers.RandomFlip):
                p[f"{layer.mode}_flip"] = bool(np.ravel(draw["flips"])[i] > 0.5)
    return params


@pytest.mark.parametrize("fill_mode", ["nearest", "reflect"])
def test_apply_transform_repeats_what_the_augmenter_draws(fill_mode):
    from companion.augment import apply_transform, transform_matrix

    x = np.random.default_rng(0).random((6, 13, 17, 3)).astype("float32")
    augmenter = ImageAugmenter(
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.1,
        shear_range=30,
        zoom_range=0.3,
        horizontal_flip=True,
        vertical_flip=True,
        fill_mode=fill_mode,
        seed=0,
    )
    augmenter.build(x.shape)
    params = drawn_parameters(augmenter, x, seed=5)
    out = augmenter.augment(x, seed=5)
    for image, moved, p in zip(x, out, params, strict=True):
        # the rotation matrix is Keras's own: ours must be the same matrix
        keras_rotation = p.pop("_keras_rotation_matrix")
        ours = transform_matrix(13, 17, rotation=p["rotation"])
        np.testing.assert_allclose(ours.reshape(9)[:6], keras_rotation[:6], atol=1e-4)
        again = apply_transform(image, fill_mode=fill_mode, **p)
        np.testing.assert_allclose(again, moved, atol=1e-4)
    assert {p["horizontal_flip"] for p in params} == {True, False}  # both cases were checked


def test_apply_transform_moves_pixels_as_its_parameters_say():
    from companion.augment import apply_transform, transform_matrix

    image = marker_image(15, 15)[0]
    np.testing.assert_array_equal(transform_matrix(15, 15), np.eye(3))
    np.testing.assert_allclose(apply_transform(image), image, atol=1e-6)
    np.testing.assert_allclose(apply_transform(image, horizontal_flip=True), image[:, ::-1])
    np.testing.assert_allclose(apply_transform(image, vertical_flip=True), image[::-1])
    # positive angles turn counter-clockwise, as np.rot90 does
    turned = apply_transform(image, rotation=90, interpolation="nearest")
    np.testing.assert_allclose(turned, np.rot90(image), atol=1e-6)
    shifted = apply_transform(image, width_shift=3 / 15, fill_mode="constant", cval=-1)
    np.testing.assert_allclose(shifted[:, 3:], image[:, :-3], atol=1e-5)  # right by 3 pixels
    assert np.all(shifted[:, :3] == -1)
    # rotation, shear and zoom keep the centre where it is
    for p in (dict(rotation=33), dict(shear=-20), dict(zoom=(0.7, 1.3))):
        assert transform_matrix(15, 15, **p) @ [7, 7, 1] == pytest.approx([7, 7, 1])
    batch = np.stack([image, image])
    assert apply_transform(batch, zoom=0.8).shape == batch.shape


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        (dict(shear=60), ValueError, "degrees"),
        (dict(width_shift=1.5), ValueError, "between -1 and 1"),
        (dict(zoom=0), ValueError, "above 0"),
        (dict(zoom=(1, 2, 3)), ValueError, "pair"),
        (dict(rotation="30"), TypeError, "finite number"),
        (dict(horizontal_flip="yes"), TypeError, "True or False"),
        (dict(fill_mode="mirror"), ValueError, "fill_mode"),
        (dict(interpolation="bicubic"), ValueError, "interpolation"),
    ],
)
def test_apply_transform_refuses_bad_parameters(arguments, error, words):
    from companion.augment import apply_transform

    with pytest.raises(error, match=words):
        apply_transform(marker_image()[0], **arguments)


def test_apply_transform_explains_a_batch_without_channel_axis():
    from companion.augment import apply_transform

    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        apply_transform(np.zeros((5, 28, 28), "float32"), rotation=10)
