"""One way in to pretrained weights: every path raises WeightsUnavailableError offline.

No test here uses the network: the download is replaced by one that fails, the caches are
empty folders, and EfficientNet-Lite0's weights package is made to look uninstalled.
"""

import keras
import numpy as np
import pytest

from companion import lite0_weights, pretrained, pretrained_lite0, transfer
from companion.errors import DownloadError, WeightsUnavailableError
from companion.models import load_imagenet_weights, small_convnet


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Empty caches, no mirror, every download fails; returns the URLs tried."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    tried = []

    def no_network(fname, origin, **kwargs):
        tried.append(origin)
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] no network")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    monkeypatch.setattr(lite0_weights, "WEIGHTS_MODULE", "no_such_weights_package_here")
    pretrained_lite0._cached_model.cache_clear()  # a network built by another test
    yield tried
    pretrained_lite0._cached_model.cache_clear()


IMAGE = np.zeros((224, 224, 3), "float32")

#: Every public function that loads ImageNet weights, with the file its message must name.
WEIGHTS_PATHS = {
    "pretrained.ensure_weights": (
        lambda: pretrained.ensure_weights("resnet50"),
        "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
    ),
    "pretrained.build": (
        lambda: pretrained.build("xception", include_top=False),
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
    ),
    "pretrained.classify": (
        lambda: pretrained.classify(IMAGE, model="mobilenet"),
        "mobilenet_1_0_224_tf.h5",
    ),
    "pretrained.classify(EfficientNetLite0)": (
        lambda: pretrained.classify(IMAGE, model="EfficientNetLite0"),
        lite0_weights.CONVERTED_NAME,
    ),
    "pretrained_lite0.build": (pretrained_lite0.build, lite0_weights.CONVERTED_NAME),
    "pretrained_lite0.predict_files": (
        lambda: pretrained_lite0.predict_files([]),
        lite0_weights.CONVERTED_NAME,
    ),
    "transfer.lite0_base": (transfer.lite0_base, lite0_weights.CONVERTED_NAME),
    "small_convnet.vgg16_base": (
        small_convnet.vgg16_base,
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    ),
    # the file is fetched before the model is looked at
    "models.load_imagenet_weights": (
        lambda: load_imagenet_weights(None),
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    ),
}


@pytest.mark.parametrize("name", list(WEIGHTS_PATHS))
def test_every_weights_path_raises_the_one_error_offline(offline, name):
    load, file_name = WEIGHTS_PATHS[name]
    with pytest.raises(WeightsUnavailableError) as info:
        load()
    message = str(info.value)
    assert type(info.value) is WeightsUnavailableError
    assert isinstance(info.value, DownloadError) and isinstance(info.value, OSError)
    assert file_name in message  # what is missing
    assert "What to do" in message and "offline: copy" in message  # and what to do
    assert info.value.__cause__ is None and info.value.__context__ is None


@pytest.mark.parametrize("include_top", [True, False])
@pytest.mark.parametrize("key", list(pretrained.MODELS))
def test_each_keras_file_missing_offline_names_the_file_and_its_place(offline, key, include_top):
    spec = pretrained.MODELS[key]
    with pytest.raises(WeightsUnavailableError) as info:
        pretrained.ensure_weights(key, include_top=include_top)
    message = str(info.value)
    target = pretrained.weights_path(key, include_top)
    assert spec.weights_name(include_top) in message and str(target) in message
    assert spec.weights_url(include_top) in message  # where to download it by hand
    assert offline == [spec.weights_url(include_top)]  # the original address, tried once
    assert not target.exists()


def test_weights_path_names_the_file_ensure_weights_returns(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path))
    target = pretrained.weights_path("EfficientNetLite0", include_top=False)
    assert target == tmp_path / "weights" / lite0_weights.CONVERTED_NAME
    target.parent.mkdir(parents=True)
    target.write_bytes(b"converted before")  # converted once: not converted again
    assert pretrained.ensure_weights("efficientnet_lite0") == target


def test_a_callers_own_remedy_ends_the_message(offline):
    with pytest.raises(WeightsUnavailableError, match=r"\* or use another base\.$"):
        pretrained.ensure_weights("vgg19", instead="use another base")
