"""Chapter 11: the cats-vs-dogs split and loader, the small convnet, feature extraction and
fine-tuning."""

import shutil
import time

import keras
import numpy as np
import pytest

import fakedata
from companion import config, pretrained
from companion.augment import ImageAugmenter
from companion.data import cats_dogs
from companion.errors import WeightsUnavailableError
from companion.models import small_convnet
from companion.models.small_convnet import (
    build_cifar10_base,
    build_small_convnet,
    build_transfer_model,
    cifar10_cnn_base,
    compile_binary,
    unfreeze_top,
)
from parallel import run_twice_at_once


@pytest.fixture(autouse=True)
def _full_size(monkeypatch, tmp_path):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))


def kaggle_folder(root, n=8):
    """Kaggle's flat train/ folder: cat.N.jpg and dog.N.jpg, with three bad files among them."""
    root.mkdir(parents=True)
    for label, prefix in enumerate(("cat", "dog")):
        for i in range(n):
            fakedata.cat_dog_photo(label, seed=10 * i + label).save(root / f"{prefix}.{i}.jpg")
    good = (root / "cat.1.jpg").read_bytes()
    (root / "cat.1.jpg").write_bytes(good[: len(good) // 3])  # truncated
    fakedata.cat_dog_photo(1, seed=99).save(root / "dog.2.jpg", format="PNG")  # a PNG named .jpg
    (root / "Thumbs.db").write_bytes(b"\x00" * 64)  # the kind of file a Windows copy brings along
    return root


def listing(folder):
    """The split's photos (not make_split's own record and lock beside them)."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".companion-split")
    )


def test_kaggle_split_skips_bad_files_by_name_and_is_idempotent(tmp_path):
    source = kaggle_folder(tmp_path / "train")
    sizes = {"train": 3, "validation": 2, "test": 2}
    report = cats_dogs.make_split(source, tmp_path / "small", sizes)
    assert report.layout == "kaggle" and report.copied == 14
    skipped = dict(report.skipped)
    assert set(skipped) == {"cat.1.jpg", "dog.2.jpg", "Thumbs.db"}
    assert "corrupt" in skipped["cat.1.jpg"] and "not a JPEG" in skipped["dog.2.jpg"]
    assert all(name in str(report) for name in skipped)  # printed by name
    # the next good photo takes a bad one's place, so every split stays balanced
    assert sorted(p.name for p in (tmp_path / "small/train/cats").iterdir()) == [
        "cat.0.jpg",
        "cat.2.jpg",
        "cat.3.jpg",
    ]
    assert sorted(p.name for p in (tmp_path / "small/test/dogs").iterdir()) == [
        "dog.6.jpg",
        "dog.7.jpg",
    ]
    assert report.counts == {s: {"cats": n, "dogs": n} for s, n in sizes.items()}
    before = listing(tmp_path / "small")

    again = cats_dogs.make_split(source, tmp_path / "small", sizes)
    assert (again.copied, again.kept, again.removed) == (0, 14, 0)
    assert listing(tmp_path / "small") == before  # nothing duplicated, nothing left over


def test_a_smaller_split_removes_only_what_make_split_made_and_names_it(tmp_path):
    source = kaggle_folder(tmp_path / "train")
    cats_dogs.make_split(source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2})
    (tmp_path / "small/train/cats/my_cat.jpg").write_bytes(b"a file of the reader's")
    (tmp_path / "small/train/cats/notes").mkdir()
    smaller = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 2, "validation": 2, "test": 2}
    )
    # cat.3.jpg and dog.3.jpg move from train/ to validation/, the rest of the queue moves up one
    assert "train/cats/cat.3.jpg" in smaller.removed_files and smaller.removed == len(
        smaller.removed_files
    )
    assert all(name in str(smaller) for name in smaller.removed_files)  # named, not only counted
    assert (tmp_path / "small/train/cats/my_cat.jpg").read_bytes() == b"a file of the reader's"
    assert (tmp_path / "small/train/cats/notes").is_dir()
    assert smaller.foreign == ["train/cats/my_cat.jpg", "train/cats/notes/"]
    assert "left alone train/cats/my_cat.jpg" in str(smaller)


def test_a_file_of_the_readers_is_never_overwritten(tmp_path):
    source = kaggle_folder(tmp_path / "train")
    (tmp_path / "small/train/cats").mkdir(parents=True)
    (tmp_path / "small/train/cats/cat.0.jpg").write_bytes(b"my own cat.0.jpg")
    report = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2}
    )
    assert (tmp_path / "small/train/cats/cat.0.jpg").read_bytes() == b"my own cat.0.jpg"
    assert "did not make" in dict(report.skipped)["cat.0.jpg"]
    assert report.counts["train"]["cats"] == 3  # the next good photo took its place


@pytest.mark.parametrize("where", ["inside", "same", "around"])
def test_a_target_overlapping_the_source_is_refused(tmp_path, where):
    source = kaggle_folder(tmp_path / "photos" / "train")
    before = listing(source)
    target = {"inside": source / "small", "same": source, "around": tmp_path / "photos"}[where]
    with pytest.raises(ValueError, match="Choose a target outside"):
        cats_dogs.make_split(source, target, {"train": 3, "validation": 2, "test": 2})
    assert listing(source) == before  # not one photo lost


def test_hidden_files_are_skipped_and_links_out_of_the_source_reported(tmp_path):
    source = kaggle_folder(tmp_path / "train")
    (source / "._cat.0.jpg").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (source / "__MACOSX").mkdir()
    outside = fakedata.cat_dog_photo(0, seed=5)
    outside.save(tmp_path / "elsewhere.jpg")
    (source / "cat.100.jpg").symlink_to(tmp_path / "elsewhere.jpg")
    report = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 3, "validation": 2, "test": 3}
    )
    skipped = dict(report.skipped)
    assert "outside" in skipped["cat.100.jpg"]
    assert "._cat.0.jpg" not in skipped and "__MACOSX" not in str(report)
    assert not list((tmp_path / "small").rglob("cat.100.jpg")) and not list(
        (tmp_path / "small").rglob("._*")
    )


def test_two_splits_into_one_target_at_once_both_succeed(tmp_path, monkeypatch):
    source = kaggle_folder(tmp_path / "train")
    real_copy = shutil.copyfile

    def slow_copy(src, dst):  # widens the window in which both runs work in the same folders
        time.sleep(0.02)
        return real_copy(src, dst)

    monkeypatch.setattr(shutil, "copyfile", slow_copy)
    reports, errors = run_twice_at_once(
        lambda: cats_dogs.make_split(
            source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2}
        ),
        60,
    )
    assert not errors, errors
    # the second waited, then kept all
    assert sorted((r.copied, r.kept) for r in reports) == [(0, 14), (14, 0)]


def test_too_many_pixels_is_a_skipped_file_not_an_abort(tmp_path, monkeypatch):
    from PIL import Image

    source = kaggle_folder(tmp_path / "train")
    fakedata.cat_dog_photo(0, seed=1, size=(400, 400)).save(source / "cat.0.jpg")
    # 400 x 400 is over twice that: a "decompression bomb"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    report = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2}
    )
    assert "too many pixels" in dict(report.skipped)["cat.0.jpg"]


def test_too_few_good_photos_are_reported_and_none_at_all_is_an_error(tmp_path):
    source = kaggle_folder(tmp_path / "train", n=5)  # 4 good photos per class
    report = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 2, "validation": 1, "test": 2}
    )
    assert report.short == ["test/cats: 1 of 2", "test/dogs: 1 of 2"]
    with pytest.raises(ValueError, match="No usable cats photos"):
        cats_dogs.make_split(source, tmp_path / "other", {"train": 3, "validation": 1, "test": 1})


def test_an_interrupted_copy_leaves_no_half_written_file(tmp_path, monkeypatch):
    source = kaggle_folder(tmp_path / "train")
    calls = {"n": 0}
    real_copy = shutil.copyfile

    def failing_copy(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:
            with open(dst, "wb") as f:
                f.write(b"\xff\xd8 half")
            raise OSError("disk full")
        return real_copy(src, dst)

    monkeypatch.setattr(shutil, "copyfile", failing_copy)
    with pytest.raises(OSError, match="disk full"):
        cats_dogs.make_split(source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2})
    for name in listing(tmp_path / "small"):
        path = tmp_path / "small" / name
        assert path.read_bytes() == (source / path.name).read_bytes()  # only complete copies
    monkeypatch.setattr(shutil, "copyfile", real_copy)
    report = cats_dogs.make_split(
        source, tmp_path / "small", {"train": 3, "validation": 2, "test": 2}
    )
    assert report.kept == 3 and report.copied == 11


def test_filtered_layout_is_found_halved_into_validation_and_test_and_loads(tmp_path, monkeypatch):
    bad = fakedata.write_cats_dogs_filtered(
        tmp_path / "data" / "cats_and_dogs_filtered", n_train=6, n_validation=4
    )
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    report = cats_dogs.prepare()
    assert report.layout == "filtered" and report.folder.is_relative_to(tmp_path / "cache")
    assert {name for name, _ in report.skipped} == set(bad.values())
    assert report.counts == {
        "train": {"cats": 6, "dogs": 6},
        "validation": {"cats": 2, "dogs": 2},
        "test": {"cats": 2, "dogs": 2},
    }
    train, validation, test = cats_dogs.load_datasets(report, image_size=(40, 40), batch_size=4)
    images, labels = next(iter(test))
    assert tuple(images.shape) == (4, 40, 40, 3) and tuple(labels.shape) == (4, 1)
    assert float(np.max(images)) > 1  # raw pixels: the models rescale them
    all_labels = np.concatenate([np.asarray(y) for _, y in test]).ravel()
    assert all_labels.tolist() == [0, 0, 1, 1]  # cats first (label 0), then dogs

    (report.folder / "train" / "cats" / "._cat.0.jpg").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    with pytest.raises(ValueError, match=r"train/cats/\._cat\.0\.jpg\. Delete them"):
        cats_dogs.load_datasets(report, image_size=(40, 40), batch_size=4)


def test_no_photos_gives_a_message_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="What to do"):
        cats_dogs.prepare()
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "readme.txt").write_text("hi")
    with pytest.raises(ValueError, match="cat.N.jpg"):
        cats_dogs.make_split(tmp_path / "odd", tmp_path / "small")


def test_parameter_count_matches_the_source():
    model = build_small_convnet()
    assert model.count_params() == 3_453_121
    counts = [layer.count_params() for layer in model.layers if layer.count_params()]
    assert counts == [896, 18_496, 73_856, 147_584, 3_211_776, 513]
    assert model.get_layer("flatten").output.shape[1] == 6272  # 7 x 7 x 128
    augmented = build_small_convnet(dropout=0.5, augment=ImageAugmenter.preset("cats_vs_dogs"))
    assert augmented.count_params() == 3_453_121  # dropout and augmentation add no parameters
    with pytest.raises(ValueError, match="at least 46x46"):
        build_small_convnet((44, 44, 3))


def photos(n, size=32, seed=0):
    x = np.stack(
        [np.asarray(fakedata.cat_dog_photo(i % 2, seed + i).resize((size, size))) for i in range(n)]
    )
    return x.astype("float32"), (np.arange(n) % 2).astype("float32").reshape(-1, 1)


def test_a_few_training_steps_lower_the_loss():
    config.seed_everything(0)
    x, y = photos(20, size=48)
    model = compile_binary(build_small_convnet((48, 48, 3)))  # the source's RMSprop(1e-4)
    losses = [float(model.train_on_batch(x, y)[0]) for _ in range(8)]
    assert losses[-1] < losses[0], losses


def transfer_model():
    config.seed_everything(0)
    base = build_cifar10_base(filters=(8, 8, 16))
    model = build_transfer_model(base, input_shape=(32, 32, 3), hidden_units=8)
    compile_binary(model, learning_rate=1e-2)
    return base, model


def snapshot(layers_):
    return {
        f"{layer.name}/{i}": w.numpy().copy()
        for layer in layers_
        for i, w in enumerate(layer.weights)
    }


def changed(before, layers_):
    after = snapshot(layers_)
    return {k for k in before if not np.array_equal(before[k], after[k])}


def test_feature_extraction_leaves_the_frozen_base_unchanged():
    base, model = transfer_model()
    assert base.trainable_weights == [] and len(model.trainable_weights) == 4  # two Dense layers
    x, y = photos(16)
    base_before, head_before = snapshot(base.layers), snapshot(model.layers[2:])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert changed(base_before, base.layers) == set()  # BatchNorm statistics included
    assert changed(head_before, model.layers[2:])


def test_fine_tuning_changes_only_the_unfrozen_layers():
    base, model = transfer_model()
    opened = unfreeze_top(model, base, "block3")
    assert opened == ["block3_conv1", "block3_conv2"]  # BatchNorm stays frozen
    x, y = photos(16)
    before = snapshot(base.layers)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert {k.split("/")[0] for k in changed(before, base.layers)} == set(opened)
    with pytest.raises(ValueError, match="block9"):
        unfreeze_top(model, base, "block9")


def test_chapter03_network_as_a_base_takes_raw_pixels_and_shares_its_weights():
    from companion.models import build_cnn

    config.seed_everything(0)
    network = build_cnn()
    base = cifar10_cnn_base(network)
    assert [layer.name for layer in base.layers][-1] == "block2_pool"
    assert base.count_params() == 65_568  # the four convolutions of chapter 03's network
    pixels = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    upto = keras.Model(network.inputs, network.get_layer("block2_pool").output)
    # predict_on_batch: NumPy on every backend (a PyTorch tensor from a call requires grad)
    expected = upto.predict_on_batch(pixels / 255)
    np.testing.assert_allclose(base.predict_on_batch(pixels), expected, rtol=1e-5, atol=1e-6)
    assert base.get_layer("block1_conv1") is network.get_layer("block1_conv1")
    with pytest.raises(ValueError, match="block9_pool"):
        cifar10_cnn_base(network, last="block9_pool")


def test_missing_vgg16_weights_fail_clearly(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: no network")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(WeightsUnavailableError, match="cifar10_cnn_base"):
        small_convnet.vgg16_base()


def _cached_vgg16_notop(monkeypatch, tmp_path):
    """``pretrained.ensure_weights`` answers with a path, as when the file is in the cache."""
    path = tmp_path / pretrained.MODELS["vgg16"].weights_file_no_top

    def cached(model, include_top=True, **kwargs):
        assert (model, include_top) == ("vgg16", False)
        return path

    monkeypatch.setattr(pretrained, "ensure_weights", cached)
    return str(path)


def test_vgg16_base_wraps_the_imagenet_preprocessing(monkeypatch, tmp_path):
    path = _cached_vgg16_notop(monkeypatch, tmp_path)

    def tiny_vgg16(weights, include_top, input_shape):  # stands in for the 58 MB download
        assert (weights, include_top) == (path, False)
        inputs = keras.Input(shape=input_shape)
        return keras.Model(
            inputs, keras.layers.Conv2D(4, 3, name="block5_conv1")(inputs), name="vgg16"
        )

    monkeypatch.setattr(keras.applications, "VGG16", tiny_vgg16)
    base = small_convnet.vgg16_base(input_shape=(48, 48, 3))
    model = build_transfer_model(base, input_shape=(48, 48, 3), hidden_units=4)
    assert model.output_shape == (None, 1) and base.trainable_weights == []


def test_unfreeze_top_reaches_inside_a_nested_base(monkeypatch, tmp_path):
    # vgg16_base wraps VGG16 as one layer; unfreeze_top must open the block inside it.
    _cached_vgg16_notop(monkeypatch, tmp_path)

    def tiny_vgg16(weights, include_top, input_shape):
        inputs = keras.Input(shape=input_shape)
        x = keras.layers.Conv2D(4, 3, name="block4_conv1")(inputs)
        x = keras.layers.Conv2D(4, 3, name="block5_conv1")(x)
        return keras.Model(inputs, x, name="vgg16")

    monkeypatch.setattr(keras.applications, "VGG16", tiny_vgg16)
    base = small_convnet.vgg16_base(input_shape=(48, 48, 3))
    model = build_transfer_model(base, input_shape=(48, 48, 3), hidden_units=4)
    assert unfreeze_top(model, base, "block5") == ["block5_conv1"]
    trainable = {w.path.split("/")[-2] for w in base.trainable_weights}
    assert trainable == {"block5_conv1"}
