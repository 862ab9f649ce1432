"""VGG16 from scratch (chapter 09): the source's count, and the same network as keras.applications.

Building VGG16 allocates about 550 MB, so the three big models are built once for
the module and nothing is trained.
"""

import keras
import numpy as np
import pytest

from companion.errors import DataFormatError
from companion.models import build_vgg16, build_vgg16_sequential, load_weights_by_name
from companion.models.vgg import SOURCE_PARAMS, feature_map_sizes


def layer_table(model):
    """(name, output shape, parameters) of every layer but the input."""
    return [
        (layer.name, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


@pytest.fixture(scope="module")
def tables():
    """The layer tables of the three full-size models, built one at a time to spare memory."""
    out = {}
    for name, build in [
        ("sequential", build_vgg16_sequential),
        ("functional", build_vgg16),
        ("applications", lambda: keras.applications.VGG16(weights=None)),
    ]:
        model = build()
        out[name] = (
            model.count_params(),
            layer_table(model),
            model.input_shape,
            model.output_shape,
        )
        del model
        keras.backend.clear_session()
    return out


def test_parameter_count_matches_the_source(tables):
    for name in ("sequential", "functional", "applications"):
        assert tables[name][0] == SOURCE_PARAMS == 138_357_544, name


def test_ours_are_keras_applications_vgg16(tables):
    reference = tables["applications"]
    assert tables["functional"][1:] == reference[1:]
    assert tables["sequential"][1:] == reference[1:]
    names = [row[0] for row in reference[1]]
    assert (
        names[:3] == ["block1_conv1", "block1_conv2", "block1_pool"] and names[-1] == "predictions"
    )
    assert reference[2] == (None, 224, 224, 3) and reference[3] == (None, 1000)


def test_source_layer_counts(tables):
    params = {name: n for name, _, n in tables["functional"][1]}
    assert params["block1_conv1"] == 1_792
    assert params["block5_conv3"] == 2_359_808
    assert params["fc1"] == 102_764_544
    assert params["fc2"] == 16_781_312
    assert params["predictions"] == 4_097_000


def test_feature_maps_halve_while_filters_double():
    # small: the shapes scale with the input
    model = build_vgg16(input_shape=(64, 64, 3), classes=10)
    pools = [row for row in feature_map_sizes(model) if row["layer"].endswith("pool")]
    assert [(r["height"], r["channels"]) for r in pools] == [
        (32, 64),
        (16, 128),
        (8, 256),
        (4, 512),
        (2, 512),
    ]


def test_weights_load_by_name_from_keras_applications():
    # Small input and ten classes: the same layers and names, a fraction of the memory.
    ours = build_vgg16(input_shape=(32, 32, 3), classes=10)
    reference = keras.applications.VGG16(weights=None, input_shape=(32, 32, 3), classes=10)
    copied = load_weights_by_name(ours, reference)
    assert len(copied) == 16  # 13 convolutions + 3 dense layers
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_weights_load_from_a_keras2_h5_file_and_a_keras_file(tmp_path):
    import h5py

    source = build_vgg16_sequential(input_shape=(32, 32, 3), classes=10)
    # Write the layout of the ImageNet download: one group per layer, listed in layer_names.
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as f:
        names = [layer.name for layer in source.layers]
        f.attrs["layer_names"] = [n.encode() for n in names]
        for layer in source.layers:
            group = f.create_group(layer.name)
            weight_names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            group.attrs["weight_names"] = [n.encode() for n in weight_names]
            for n, value in zip(weight_names, layer.get_weights(), strict=True):
                group.create_dataset(n, data=value)
    target = build_vgg16(input_shape=(32, 32, 3), classes=10)
    assert len(load_weights_by_name(target, path)) == 16
    np.testing.assert_array_equal(
        target.get_layer("fc2").get_weights()[0], source.get_layer("fc2").get_weights()[0]
    )

    saved = tmp_path / "vgg.keras"
    source.save(saved)
    other = build_vgg16(input_shape=(32, 32, 3), classes=10)
    load_weights_by_name(other, saved)
    np.testing.assert_array_equal(
        other.get_layer("block3_conv2").get_weights()[1],
        source.get_layer("block3_conv2").get_weights()[1],
    )


def test_mismatches_get_clear_errors(tmp_path):
    ours = build_vgg16(input_shape=(32, 32, 3), classes=10)
    with pytest.raises(ValueError, match="'predictions'.*differ"):
        load_weights_by_name(ours, build_vgg16(input_shape=(32, 32, 3), classes=5))
    headless = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="no layer named 'fc1'"):
        load_weights_by_name(ours, headless)
    assert len(load_weights_by_name(ours, headless, skip_missing=True)) == 13
    with pytest.raises(FileNotFoundError):
        load_weights_by_name(ours, tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(DataFormatError):
        load_weights_by_name(ours, bad)
    with pytest.raises(ValueError, match="input_shape"):
        build_vgg16(input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="classes"):
        build_vgg16_sequential(classes=1)


def test_imagenet_weights_without_a_network_say_what_to_do(monkeypatch, tmp_path):
    from companion.errors import WeightsUnavailableError
    from companion.models import load_imagenet_weights

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: Name or service not known")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty cache
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    monkeypatch.setattr(keras.utils, "get_file", offline)
    ours = build_vgg16(input_shape=(32, 32, 3), classes=10)
    with pytest.raises(WeightsUnavailableError) as info:
        load_imagenet_weights(ours)
    message = str(info.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels.h5" in message
    assert "load_imagenet_weights(model, path=" in message
