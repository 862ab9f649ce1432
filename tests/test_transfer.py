"""Chapter 11.3: transfer learning from EfficientNet-Lite0 (companion.transfer).

The network is built untrained (``weights=None``): these tests check the plumbing (frozen
base, features once, a shared classifier, BatchNorm kept out of fine-tuning), not ImageNet.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from companion import config
from companion.augment import ImageAugmenter
from companion.models.small_convnet import compile_binary, unfreeze_top
from companion.transfer import (
    build_classifier,
    build_lite0_transfer,
    extract_features,
    lite0_base,
)


@pytest.fixture(scope="module")
def base():
    config.seed_everything(0)
    return lite0_base(weights=None)


def photos(n, size=64, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(0, 255, (n, size, size, 3)).astype("float32"),
        rng.integers(0, 2, (n, 1)).astype("float32"),
    )


def snapshot(model):
    return {w.path: w.numpy().copy() for w in model.weights}


def test_the_base_is_frozen_takes_pixels_and_gives_1280_features(base):
    assert base.trainable is False and base.trainable_weights == []
    assert base.output.shape == (None, 1280)
    x, _ = photos(2)
    scaled = keras.Model(base.get_layer("stem_conv").input, base.output)
    expected = scaled((x - 127) / 128, training=False)  # the preprocessing is inside
    np.testing.assert_allclose(base(x, training=False), expected, rtol=1e-4, atol=1e-5)


def test_features_are_computed_once_per_photo_in_order(base):
    x, y = photos(6)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    features, labels = extract_features(base, dataset)
    assert features.shape == (6, 1280) and np.array_equal(labels, y)
    np.testing.assert_allclose(features, base(x, training=False), rtol=1e-4, atol=1e-5)


def test_the_classifier_trained_on_features_is_the_models_head(base):
    classifier = build_classifier()
    assert classifier.count_params() == 1281
    model = build_lite0_transfer(base, classifier, input_shape=(64, 64, 3))
    x, _ = photos(3)
    np.testing.assert_allclose(
        model.predict_on_batch(x),
        classifier.predict_on_batch(base.predict_on_batch(x)),
        rtol=1e-4,
        atol=1e-5,
    )
    assert model.trainable_weights == classifier.trainable_weights  # kernel and bias only


def test_training_with_augmentation_leaves_the_frozen_base_unchanged(base):
    model = build_lite0_transfer(
        base,
        build_classifier(),
        ImageAugmenter.preset("cats_vs_dogs_lite0", seed=1),
        input_shape=(64, 64, 3),
    )
    compile_binary(model, 1e-3)
    before = snapshot(base)
    x, y = photos(8)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    after = snapshot(base)
    assert all(np.array_equal(before[k], after[k]) for k in before)  # BatchNorm statistics too


def test_fine_tuning_opens_block6_and_up_but_no_batchnorm():
    config.seed_everything(0)
    base = lite0_base(weights=None)
    model = build_lite0_transfer(base, build_classifier(), input_shape=(64, 64, 3))
    opened = unfreeze_top(model, base, "block6", learning_rate=1e-5)
    assert opened[0] == "block6a_expand_conv" and opened[-1] == "top_conv"
    assert len(opened) == 16  # 4 + 1 blocks of three convolutions, and the head convolution
    assert not any("bn" in name for name in opened)
    before = snapshot(base)
    x, y = photos(4)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    after = snapshot(base)
    moved = {k.split("/")[0] for k in before if not np.array_equal(before[k], after[k])}
    assert moved == set(opened)  # BatchNorm statistics stay: the base runs in inference mode
