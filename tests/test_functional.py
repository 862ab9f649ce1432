"""The functional-API models of chapter 08: the source's counts, shapes, one forward pass each."""

import keras
import numpy as np
import pytest

from companion.models import functional
from companion.models.functional import (
    SOURCE_PARAMS,
    build,
    build_convnet,
    build_convnet_as_written,
    build_multiple_inputs,
    build_multiple_outputs,
)

# Output shapes read off the source's summaries (batch axis left out), and the fix.
OUTPUT_SHAPES = {
    "multilayer_perceptron": (10,),
    "convnet_as_written": (4, 4, 10),
    "recurrent_network": (10,),
    "shared_input": (10,),
    "shared_feature_extractor": (10,),
    "multiple_inputs": (10,),
    "multiple_outputs": [(10,), (784, 10)],
    "convnet": (10,),
}


def _batch(model, n=2, seed=0):
    """Random data with the shape of each of the model's inputs."""
    rng = np.random.default_rng(seed)
    data = [rng.random((n, *inp.shape[1:])).astype("float32") for inp in model.inputs]
    return data if len(data) > 1 else data[0]


@pytest.mark.parametrize("name", list(SOURCE_PARAMS))
def test_parameter_count_matches_the_source(name):
    assert build(name).count_params() == SOURCE_PARAMS[name]


def test_layer_counts_match_the_source_summaries():
    # Per-layer numbers printed by the source, for the layers that hold weights.
    expected = {
        "multilayer_perceptron": {
            "hidden1": 401_920,
            "hidden2": 110_808,
            "hidden3": 27_776,
            "output": 1_290,
        },
        "convnet_as_written": {"conv1": 2_176, "conv2": 131_136, "hidden1": 4_160, "output": 650},
        "recurrent_network": {"lstm1": 66_560, "hidden1": 16_512, "output": 1_290},
        "shared_input": {"conv1": 544, "conv2": 1_040, "hidden1": 397_376, "output": 650},
        "shared_feature_extractor": {
            "lstm1": 66_560,
            "interp1": 1_290,
            "interp21": 8_256,
            "interp22": 2_080,
            "interp23": 528,
            "output": 270,
        },
        "multiple_inputs": {
            "conv11": 544,
            "conv12": 8_208,
            "conv21": 1_568,
            "conv22": 8_208,
            "hidden1": 397_440,
            "hidden2": 8_256,
            "output": 650,
        },
        "multiple_outputs": {
            "extract": 16_896,
            "class11": 12_416,
            "class12": 1_056,
            "output1": 330,
            "output2": 650,
        },
    }
    for name, layers in expected.items():
        model = build(name)
        got = {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}
        assert got == layers, name


@pytest.mark.parametrize("name", list(OUTPUT_SHAPES))
def test_one_forward_pass_gives_the_expected_shapes(name):
    model = build(name)
    out = model.predict(_batch(model), verbose=0)
    expected = OUTPUT_SHAPES[name]
    if isinstance(expected, list):
        assert [o.shape[1:] for o in out] == expected
        out = out[0]
    else:
        assert out.shape[1:] == expected
    # every softmax sums to one over the class axis
    np.testing.assert_allclose(np.asarray(out).sum(axis=-1), 1.0, rtol=1e-4)


def test_the_source_cnn_predicts_a_grid_not_a_class():
    flawed, fixed = build_convnet_as_written(), build_convnet()
    assert flawed.output_shape == (None, 4, 4, 10)  # sixteen predictions per image
    assert fixed.output_shape == (None, 10)
    assert "flatten" in [layer.name for layer in fixed.layers]
    assert fixed.count_params() == 199_562  # hidden1 sees 4*4*64 = 1,024 features
    # the flawed model cannot be trained on one label per image
    flawed.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.zeros((4, 28, 28, 1), "float32")
    y = keras.utils.to_categorical([0, 1, 2, 3], 10)
    with pytest.raises(ValueError, match="rank|shape"):
        flawed.fit(x, y, epochs=1, verbose=0)


def test_the_fixed_cnn_learns():
    import fakedata

    keras.utils.set_random_seed(0)
    x, y = fakedata.class_images(350, 10, (28, 28), seed=3)
    x = x[..., None].astype("float32") / 255
    model = build_convnet()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:250], y[:250], epochs=2, batch_size=25, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(x[250:], y[250:], verbose=0)
    assert accuracy > 0.3  # chance is 0.1


def test_multiple_inputs_accepts_a_dict_by_input_name():
    model = build_multiple_inputs()
    grey, colour = _batch(model, n=3)
    by_name = model.predict({"img_gray_bigsize": grey, "img_rgb_smallsize": colour}, verbose=0)
    by_order = model.predict([grey, colour], verbose=0)
    np.testing.assert_allclose(by_name, by_order, rtol=1e-5)


def test_multiple_outputs_names_its_two_heads():
    model = build_multiple_outputs()
    assert model.output_names == ["output1", "output2"]
    literal = build_multiple_outputs(time_distributed=True)  # the source's TimeDistributed version
    assert literal.count_params() == SOURCE_PARAMS["multiple_outputs"]
    assert literal.output_shape == model.output_shape


def test_dense_on_a_sequence_equals_time_distributed_dense():
    # Why build_multiple_outputs may drop TimeDistributed: Dense acts on the last axis.
    x = np.random.default_rng(1).random((2, 5, 64)).astype("float32")
    dense = keras.layers.Dense(10, activation="softmax")
    wrapped = keras.layers.TimeDistributed(keras.layers.Dense(10, activation="softmax"))
    dense.build((None, 5, 64))
    wrapped.build((None, 5, 64))
    wrapped.set_weights(dense.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(dense(x)), keras.ops.convert_to_numpy(wrapped(x)), rtol=1e-5
    )


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="unknown model 'vgg'"):
        build("vgg")
    with pytest.raises(ValueError, match="num_classes"):
        functional.build_multilayer_perceptron(num_classes=1)
    model = build("multilayer_perceptron")
    with pytest.raises(ValueError):  # images not flattened: (2, 28, 28) instead of (2, 784)
        model.predict(np.zeros((2, 28, 28), "float32"), verbose=0)
