"""companion.pretrained: the registry, classify end to end, decoding offline, clear errors."""

import hashlib
import re

import numpy as np
import pytest
from PIL import Image

from companion import _pretrained_registry, pretrained
from companion.errors import ChecksumError, DataFormatError, DownloadError

SOURCE_MODELS = {
    "VGG16",
    "VGG19",
    "ResNet50",
    "InceptionV3",
    "InceptionResNetV2",
    "MobileNet",
    "Xception",
}


def test_the_class_index_ships_with_the_package_and_is_the_keras_file():
    from importlib import resources

    data = resources.files("companion").joinpath("resources/imagenet_class_index.json").read_bytes()
    assert (
        hashlib.md5(data).hexdigest()
        == "c2c37ea517e94d9795004a39431a14cb"
        == pretrained.CLASS_INDEX_MD5
    )
    index = pretrained.class_index()
    assert len(index) == 1000
    assert index[386] == ("n02504458", "African_elephant") and index[101] == ("n01871265", "tusker")


def test_the_registry_holds_the_sources_seven_models_with_their_input_sizes():
    assert {spec.name for spec in pretrained.MODELS.values()} == SOURCE_MODELS
    sizes = {spec.name: spec.input_size for spec in pretrained.MODELS.values()}
    assert sizes == {
        "VGG16": (224, 224),
        "VGG19": (224, 224),
        "ResNet50": (224, 224),
        "MobileNet": (224, 224),
        "InceptionV3": (299, 299),
        "InceptionResNetV2": (299, 299),
        "Xception": (299, 299),
    }
    import keras

    for spec in pretrained.MODELS.values():
        assert spec.builder is getattr(keras.applications, spec.name)
        assert callable(spec.preprocess_input)
        for top in (True, False):
            assert spec.weights_url(top).startswith(pretrained.ORIGINAL_BASE_URL)
            assert spec.weights_url(top).endswith("/" + spec.weights_name(top))
        assert spec.weights_name(True) != spec.weights_name(False)


@pytest.mark.parametrize(
    "name", ["ResNet50", "resnet50", "RESNET_50", "inception_v3", "Inception-ResNet-V2"]
)
def test_model_names_are_forgiving(name):
    assert pretrained.get_model_spec(name).name in SOURCE_MODELS


def test_an_unknown_model_names_the_known_ones():
    with pytest.raises(pretrained.UnknownModelError) as info:
        pretrained.classify(np.zeros((224, 224, 3)), model="alexnet", weights=None)
    assert isinstance(info.value, ValueError)
    for name in SOURCE_MODELS:
        assert name in str(info.value)


def test_decode_predictions_reads_the_shipped_index():
    p = np.full((2, 1000), 1e-4)
    p[0, 386], p[0, 101], p[1, 388] = 0.6, 0.3, 0.9
    rows = pretrained.decode_predictions(p, top=2)
    assert rows[0][0] == ("n02504458", "African_elephant", pytest.approx(0.6))
    assert rows[0][1].name == "tusker" and rows[1][0].name == "giant_panda"
    with pytest.raises(ValueError, match=r"\(batch, 1000\)"):
        pretrained.decode_predictions(np.zeros((1, 10)))


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "photo.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (180, 260, 3), dtype=np.uint8)).save(path)
    return path


def test_classify_end_to_end_with_an_untrained_network(photo):
    rows = pretrained.classify(photo, model="mobilenet", top=5, weights=None)
    names = {name for _, name in pretrained.class_index().values()}
    assert len(rows) == 5
    for class_id, name, probability in rows:
        assert re.fullmatch(r"n\d{8}", class_id) and name in names and 0 <= probability <= 1
    assert [r.probability for r in rows] == sorted((r.probability for r in rows), reverse=True)
    # an array of another size is resized the same way a file is
    array_rows = pretrained.classify(
        np.asarray(Image.open(photo)), model="MobileNet", top=3, weights=None
    )
    assert len(array_rows) == 3


def test_unreadable_and_missing_files_get_clear_errors(tmp_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture")
    with pytest.raises(DataFormatError, match="not an image"):
        pretrained.classify(fake, model="mobilenet", weights=None)
    with pytest.raises(FileNotFoundError, match="No image file"):
        pretrained.classify(tmp_path / "missing.jpg", model="mobilenet", weights=None)


def test_an_image_with_too_many_pixels_is_a_clear_error(photo, monkeypatch):
    # the photo's 46,800 pixels are over twice that
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(DataFormatError, match="photo.jpg is not an image Pillow can read"):
        pretrained.classify(photo, model="mobilenet", weights=None)


@pytest.mark.parametrize("shape", [(224, 224), (224, 224, 4), (2, 224, 224, 3), (1, 2, 3, 4, 5)])
def test_wrong_shapes_get_clear_errors(shape):
    with pytest.raises(ValueError, match="one RGB image"):
        pretrained.classify(np.zeros(shape), model="mobilenet", weights=None)


def test_missing_weights_offline_say_which_file_where_and_how(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # nothing listens on port 9: the download fails at once, as it does on a machine with no network
    monkeypatch.setattr(_pretrained_registry, "ORIGINAL_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("COMPANION_MIRROR", "http://127.0.0.1:9/mirror/")
    with pytest.raises(pretrained.WeightsUnavailableError) as info:
        pretrained.classify(np.zeros((224, 224, 3)), model="mobilenet")
    message = str(info.value)
    assert isinstance(info.value, DownloadError)
    assert "mobilenet_1_0_224_tf.h5" in message
    assert str(tmp_path / "models" / "mobilenet_1_0_224_tf.h5") in message
    assert (
        "COMPANION_MIRROR" in message
        and "http://127.0.0.1:9/mirror/mobilenet_1_0_224_tf.h5" in message
    )
    assert info.value.__cause__ is None and info.value.__context__ is None  # no chained traceback


def test_a_corrupt_weights_file_is_reported_not_loaded(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    target = pretrained.weights_path("vgg16", include_top=False)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"half a download")
    with pytest.raises(ChecksumError, match="wrong md5"):
        pretrained.ensure_weights("vgg16", include_top=False)


def test_the_example_photo_is_found_in_the_data_folder_or_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="classify\\('my_photo.jpg'\\)"):
        pretrained.example_image()
    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / pretrained.EXAMPLE_IMAGE)
    assert pretrained.example_image() == tmp_path / "images" / pretrained.EXAMPLE_IMAGE


def test_weights_in_the_keras_cache_are_loaded_without_the_network(monkeypatch, tmp_path):
    h5py = pytest.importorskip("h5py")
    import keras

    # writes the .h5 layout keras.applications ships
    from keras.src.legacy.saving import legacy_h5_format

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # any download attempt fails
    monkeypatch.setattr(_pretrained_registry, "ORIGINAL_BASE_URL", "http://127.0.0.1:9/")
    keras.utils.set_random_seed(3)
    donor = keras.applications.MobileNet(weights=None)
    # an untrained MobileNet answers 1/1000 for every class; distinct biases make its answer its own
    head = donor.get_layer("conv_preds")
    head.bias.assign(np.random.default_rng(5).normal(0, 3, 1000).astype("float32"))
    target = pretrained.weights_path("mobilenet")
    target.parent.mkdir(parents=True)
    with h5py.File(target, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, donor)
    image = np.random.default_rng(4).uniform(0, 255, (224, 224, 3))
    # weights="imagenet": read from the cache
    rows = pretrained.classify(image, model="mobilenet", top=3)
    expected = donor.predict(
        keras.applications.mobilenet.preprocess_input(image[None].copy()), verbose=0
    )
    assert [r.name for r in rows] == [
        r.name for r in pretrained.decode_predictions(expected, top=3)[0]
    ]
    assert rows[0].probability > 0.01  # not the uniform answer of a network without these weights
