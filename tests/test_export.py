"""The book's models for the browser: preprocessing inside the model, ONNX export, the records.

The export tests use small models (a narrow MLP, ResNet8) so that they run in seconds; the
chapters' real exports are checked against their records at the end.
"""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

import fakedata
from book.export import (
    export_for_the_browser,
    export_onnx,
    onnx_probabilities,
    pixel_input_model,
    sha256,
)
from book.sprite import first_of_each_class, read_tile, write_sprite
from companion import config
from companion.models import build_mlp, build_resnet_v1
from companion.preprocessing import scale_pixels, subtract_pixel_mean

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "docs" / "assets"
# The chapters whose pages run their model, and the page's test images (if any).
WEB_MODELS = {"02-mnist-mlp": None, "05-resnet": "05-cifar10-test-images"}


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trained_mlp():
    """A narrow MLP trained a little on learnable fake digits, so that its answers are clear."""
    config.seed_everything(0)
    x, y = fakedata.class_images(600, 10, (28, 28), seed=3)
    model = build_mlp(hidden_units=(32,))
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x.reshape(len(x), -1).astype("float32") / 255, y, epochs=3, batch_size=64, verbose=0)
    return model, x, y


def test_the_pixel_model_does_the_chapter_preprocessing(trained_mlp):
    model, x, _ = trained_mlp
    chapter = model.predict(x.reshape(len(x), -1).astype("float32") / 255, verbose=0)  # ch. 02
    on_pixels = pixel_input_model(model, (28, 28)).predict(x.astype("float32"), verbose=0)
    np.testing.assert_allclose(on_pixels, chapter, atol=1e-6)


def test_the_pixel_model_subtracts_the_training_mean_image():
    config.seed_everything(1)
    x_train, _ = fakedata.class_images(64, 10, (8, 8, 3), seed=4)
    x_test, _ = fakedata.class_images(16, 10, (8, 8, 3), seed=5)
    # chapter 05's way: scale, then subtract the training set's mean image
    _, x_test_f, mean = subtract_pixel_mean(scale_pixels(x_train), scale_pixels(x_test))
    net = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    on_pixels = pixel_input_model(net, (8, 8, 3), pixel_mean=mean)
    np.testing.assert_allclose(
        on_pixels.predict(x_test.astype("float32"), verbose=0),
        net.predict(x_test_f, verbose=0),
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="pixel_mean"):
        pixel_input_model(net, (8, 8, 3), pixel_mean=mean[:4])
    with pytest.raises(ValueError, match="reshaped"):
        pixel_input_model(build_mlp(), (27, 27))


def _agree(keras_probabilities, onnx_probabilities_):
    np.testing.assert_allclose(onnx_probabilities_, keras_probabilities, atol=1e-5)
    # The top class must be the same wherever the model is not torn between two classes.
    top2 = np.sort(keras_probabilities, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-4
    assert clear.mean() > 0.9, "too few clear answers for the comparison to say anything"
    same = onnx_probabilities_.argmax(1) == keras_probabilities.argmax(1)
    assert same[clear].all()


def test_the_onnx_mlp_agrees_with_keras(trained_mlp, tmp_path):
    model, x, _ = trained_mlp
    pixel_model = pixel_input_model(model, (28, 28))
    path = export_onnx(pixel_model, tmp_path / "mlp.onnx")
    _agree(pixel_model.predict(x.astype("float32"), verbose=0), onnx_probabilities(path, x))


def test_the_onnx_resnet_agrees_with_keras(tmp_path):
    config.seed_everything(2)
    x, _ = fakedata.class_images(40, 10, (32, 32, 3), seed=6)
    mean = scale_pixels(x).mean(axis=0)
    pixel_model = pixel_input_model(build_resnet_v1(depth=8), (32, 32, 3), pixel_mean=mean)
    path = export_onnx(pixel_model, tmp_path / "resnet8.onnx")
    _agree(
        pixel_model.predict(x.astype("float32"), verbose=0),
        onnx_probabilities(path, x, batch_size=16),
    )


def test_export_for_the_browser_measures_both_precisions_and_keeps_the_rule(trained_mlp, tmp_path):
    model, x, y = trained_mlp
    pixel_model = pixel_input_model(model, (28, 28))
    predicted = pixel_model.predict(x.astype("float32"), verbose=0).argmax(1)
    accuracy = float((predicted == y).mean())
    path = tmp_path / "m.onnx"
    entry = export_for_the_browser(pixel_model, path, x, y, reference_accuracy=accuracy)
    measured = entry["test_accuracy"]
    assert measured["keras"] == accuracy
    assert abs(measured["onnx_float32"] - accuracy) <= 1 / len(y)  # one image at most differs
    assert entry["sha256"] == sha256(path)
    assert entry["bytes"] == path.stat().st_size == entry["bytes_by_precision"][entry["precision"]]
    assert entry["input"]["shape"][1:] == [28, 28] and entry["output"]["shape"][1:] == [10]
    float16 = measured["onnx_float16"]
    keeps = float16 is not None and abs(float16 - accuracy) <= entry["float16_tolerance"]
    assert entry["precision"] == ("float16" if keeps else "float32")
    # Told that the model scored far better, neither copy keeps its accuracy: float32 stays.
    far = export_for_the_browser(
        pixel_model, tmp_path / "far.onnx", x, y, reference_accuracy=accuracy + 0.5
    )
    assert far["precision"] == "float32"


def test_the_sprite_holds_the_images_it_was_written_from(tmp_path):
    x, y = fakedata.class_images(60, 10, (32, 32, 3), seed=7)
    picked = first_of_each_class(y, 2, 10)
    assert [int(y[i]) for i in picked] == list(range(10)) * 2  # one class per column
    assert all(picked[c] < picked[10 + c] for c in range(10))  # the first ones, in order
    path = write_sprite(x[picked], tmp_path / "sprite.png", columns=10)
    for k in (0, 7, 19):
        np.testing.assert_array_equal(read_tile(path, k, (32, 32), 10), x[picked[k]])
    with pytest.raises(ValueError, match="only"):
        first_of_each_class(y, 100, 10)


@pytest.mark.parametrize("chapter", sorted(WEB_MODELS))
def test_the_committed_model_is_the_one_its_record_names(chapter):
    """The page loads the file its record names: it must be there, unchanged, and small."""
    entry = _read_json(ASSETS / "results" / f"{chapter}.json").get("web_model")
    assert entry, (
        f"{chapter}: its record names no exported model; "
        f"run scripts/build_figures.py --chapter {chapter[:2]}"
    )
    path = ASSETS.parent / entry["file"]
    assert path.exists(), f"{path} is missing"
    assert sha256(path) == entry["sha256"] and path.stat().st_size == entry["bytes"]
    assert entry["bytes"] < 4e6, f"{path}: {entry['bytes'] / 1e6:.1f} MB is a lot for a page"
    accuracy = entry["test_accuracy"]
    if entry["precision"] == "float16":
        assert abs(accuracy["onnx_float16"] - accuracy["keras"]) <= entry["float16_tolerance"]
    if WEB_MODELS[chapter]:
        from PIL import Image

        images = _read_json(ASSETS / "widgets" / f"{WEB_MODELS[chapter]}.json")
        rows = -(-len(images["images"]) // images["columns"])
        (h, w), columns = images["tile"], images["columns"]
        with Image.open(ASSETS / "widgets" / images["sprite"]) as sprite:
            assert sprite.size == (columns * w, rows * h) and sprite.mode == "RGB"
            # no colour profile or gamma, which a browser would apply to the pixels
            assert not {"icc_profile", "gamma"} & set(sprite.info)


def test_the_chapter_10_model_is_the_one_its_record_names():
    """Chapter 10's ImageNet network: the file, its check against Keras, the example photos."""
    from PIL import Image

    entry = _read_json(ASSETS / "results" / "10-pretrained-web.json")["web_model"]
    path = ASSETS.parent / entry["file"]
    assert sha256(path) == entry["sha256"] and path.stat().st_size == entry["bytes"]
    assert entry["bytes"] < 20e6, f"{path}: {entry['bytes'] / 1e6:.1f} MB"
    assert entry["input"]["shape"] == [None, 224, 224, 3]
    assert entry["output"]["shape"] == [None, 1000]
    agree, n = entry["agreement_with_keras"], entry["n_photos"]
    assert agree["float32"]["same_top1"] == n  # the exported network is the Keras network
    if entry["precision"] == "float16":
        assert agree["float16"]["same_top1"] >= agree["float32"]["same_top1"]
    names = _read_json(ASSETS.parent / entry["class_names"])["names"]
    assert len(names) == 1000 and names[386] == "African_elephant"
    photos = [ASSETS.parent / e["file"] for e in entry["examples"]]
    assert 3 <= len(photos) <= 6 and sum(p.stat().st_size for p in photos) < 1e6
    crops = []
    for photo, example in zip(photos, entry["examples"], strict=True):
        with Image.open(photo) as image:
            # the shorter side 256: the authors' 224-of-256 crop needs no resizing
            assert min(image.size) == 256 and list(image.size) == example["size"]
            assert image.mode == "RGB" and not {"icc_profile", "exif"} & set(image.info)
            array = np.asarray(image, dtype="float32")
        top, left = (array.shape[0] - 224 + 1) // 2, (array.shape[1] - 224 + 1) // 2
        crops.append(array[top : top + 224, left : left + 224])
    probabilities = onnx_probabilities(path, np.stack(crops))
    for p, example in zip(probabilities, entry["examples"], strict=True):
        assert [int(c) for c in np.argsort(-p, kind="stable")[:5]] == example["onnx_top5"]
        assert int(p.argmax()) == example["keras_top5"][0], example["file"]
