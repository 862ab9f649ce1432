"""companion.augment.presets: the named recipes, and the one seed scheme.

The recipes replaced hand-built stacks of Keras layers (``shift_and_flip`` of chapters
03-05 and 13, chapter 11's ``augmentation`` and ``lite0_augmentation``). Built here again
from Keras layers, with the seeds those functions gave them (``seed + 1009 * i`` for the
``i``-th layer of their list), the stacks must move every pixel exactly as the presets do:
the chapters' committed runs trained on exactly these images.
"""

import math

import keras
import numpy as np
import pytest

from companion.augment import CentredShear, ImageAugmenter
from companion.augment.presets import PRESETS
from companion.augment.random_transforms import layer_seeds

L = keras.layers


def old_shift_and_flip(shift, rotation_degrees, seed):
    rotate, shift_seed, flip = (seed + 1009 * i for i in range(3))
    stack = []
    if rotation_degrees:
        stack.append(L.RandomRotation(rotation_degrees / 360, fill_mode="nearest", seed=rotate))
    stack += [
        L.RandomTranslation(shift, shift, fill_mode="nearest", seed=shift_seed),
        L.RandomFlip("horizontal", seed=flip),
    ]
    return keras.Sequential(stack)


def old_cats_vs_dogs(seed, shear=0.2):  # shear in radians, as the old function took it
    flip, rotate, shift, zoom, shear_seed = (seed + 1009 * i for i in range(5))
    return keras.Sequential(
        [
            L.RandomFlip("horizontal", seed=flip),
            L.RandomRotation(40 / 360, fill_mode="nearest", seed=rotate),
            L.RandomTranslation(0.2, 0.2, fill_mode="nearest", seed=shift),
            L.RandomZoom(0.2, fill_mode="nearest", seed=zoom),
            CentredShear(x_factor=math.tan(shear), fill_mode="nearest", seed=shear_seed),
        ]
    )


def old_lite0(seed):
    flip, rotate, shift, zoom = (seed + 1009 * i for i in range(4))
    return keras.Sequential(
        [
            L.RandomFlip("horizontal", seed=flip),
            L.RandomRotation(0.05, fill_mode="nearest", seed=rotate),
            L.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=shift),
            L.RandomZoom(0.1, fill_mode="nearest", seed=zoom),
        ]
    )


OLD = {
    "cifar10_cnn": (lambda seed: old_shift_and_flip(0.1, 0, seed), 32),
    "cifar10_deep_cnn": (lambda seed: old_shift_and_flip(0.2, 10, seed), 32),
    "cats_vs_dogs": (old_cats_vs_dogs, 40),
    "cats_vs_dogs_lite0": (old_lite0, 40),
}


def test_every_preset_is_checked_against_the_old_stack():
    assert set(OLD) == set(PRESETS)


@pytest.mark.parametrize("dtype", ["float32", "uint8"])
@pytest.mark.parametrize("name", sorted(OLD))
def test_a_preset_moves_pixels_exactly_as_the_old_layer_stack(name, dtype):
    make_old, size = OLD[name]
    images = np.random.default_rng(0).integers(0, 256, (6, size, size, 3)).astype(dtype)
    for seed in (1, 42):
        old, new = make_old(seed), ImageAugmenter.preset(name, seed=seed)
        for _ in range(2):  # the second call continues each generator's sequence
            expected = keras.ops.convert_to_numpy(old(images, training=True))
            got = keras.ops.convert_to_numpy(new(images, training=True))
            np.testing.assert_array_equal(got, expected)
        assert np.abs(got - images).mean() > 1  # the test compares moved pixels


def test_the_cats_vs_dogs_shear_is_0_2_radians_in_degrees():
    images = np.random.default_rng(1).integers(0, 256, (4, 40, 40, 3)).astype("float32")
    old = old_cats_vs_dogs(7)
    new = ImageAugmenter.preset("cats_vs_dogs", seed=7)
    assert new.get_config()["shear_range"] == pytest.approx(11.4591559, abs=1e-7)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(new(images, training=True)),
        keras.ops.convert_to_numpy(old(images, training=True)),
    )


def test_overrides_replace_the_recipes_options():
    plain = ImageAugmenter.preset("cats_vs_dogs", shear_range=0, seed=3)
    plain.build((None, 40, 40, 3))
    assert not any(isinstance(layer, CentredShear) for layer in plain.random_layers)
    assert plain.get_config()["rotation_range"] == 40


def test_an_unknown_preset_names_the_known_ones():
    with pytest.raises(ValueError, match="cifar10_cnn, cifar10_deep_cnn, cats_vs_dogs"):
        ImageAugmenter.preset("cifar10")
    with pytest.raises(ValueError, match="unknown augmentation preset"):
        ImageAugmenter.preset(["cifar10_cnn"])
    with pytest.raises(ValueError, match="shift"):
        ImageAugmenter.preset("cifar10_cnn", shift=0.3)  # not an augmenter option


def test_bad_order_and_resample_are_refused():
    with pytest.raises(ValueError, match="leaves out shift"):
        ImageAugmenter(width_shift_range=0.1, order=("rotation",))
    with pytest.raises(ValueError, match="unknown step 'flip'"):
        ImageAugmenter(order=("flip",))
    with pytest.raises(ValueError, match="twice"):
        ImageAugmenter(order=("zoom", "zoom"))
    with pytest.raises(TypeError, match="sequence of step names"):
        ImageAugmenter(order="rotation")
    with pytest.raises(ValueError, match="resample"):
        ImageAugmenter(resample="twice")
    with pytest.raises(TypeError, match="keep_aspect"):
        ImageAugmenter(keep_aspect="yes")


def test_one_seed_scheme_for_making_and_reseeding():
    # a fresh augmenter made with seed s draws what augment(x, seed=s) draws
    images = np.random.default_rng(2).integers(0, 256, (4, 32, 32, 3)).astype("float32")
    first = ImageAugmenter.preset("cifar10_deep_cnn", seed=5)(images, training=True)
    again = ImageAugmenter.preset("cifar10_deep_cnn", seed=99).augment(images, seed=5)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first), again)
    assert layer_seeds(42, 3) == [42, 1051, 2060]
    assert layer_seeds(None, 2) == [None, None]
    assert layer_seeds(2**31 - 1, 2) == [0, 1009]  # kept within a generator's range


def test_a_preset_survives_a_config_round_trip():
    augmenter = ImageAugmenter.preset("cats_vs_dogs_lite0", seed=4)
    again = ImageAugmenter.from_config(augmenter.get_config())
    assert again.get_config() == augmenter.get_config()
    images = np.random.default_rng(3).integers(0, 256, (2, 40, 40, 3)).astype("float32")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(augmenter(images, training=True)),
        keras.ops.convert_to_numpy(again(images, training=True)),
    )
