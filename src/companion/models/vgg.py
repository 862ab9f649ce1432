"""VGG16 from scratch (chapter 09, source 004 part 4), built twice: Sequential and functional.

Configuration D of Simonyan & Zisserman (arXiv:1409.1556), with the layer names and shapes of
``keras.applications.VGG16(weights=None)``, so that weights load from one into the other by
layer name (``load_weights_by_name``), the ImageNet weights included.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ..errors import DataFormatError

# --8<-- [start:blocks]
#: (filters, number of 3x3 convolutions) of each of the five blocks.
BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
# --8<-- [end:blocks]
#: What the source's summaries (and the paper, "138M") report.
SOURCE_PARAMS = 138_357_544
#: The last remedy the error message of ``load_imagenet_weights`` offers.
PASS_A_PATH = (
    "pass the path of a copy of the file: load_imagenet_weights(model, "
    "path='.../vgg16_weights_tf_dim_ordering_tf_kernels.h5')"
)


def _check(input_shape, classes: int) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3 or shape[-1] not in (1, 3) or any(int(s) != s or s < 32 for s in shape[:2]):
        raise ValueError(
            f"input_shape must be (height, width, channels) with height and width of at least 32 "
            f"(five 2x2 poolings halve them five times) and 1 or 3 channels, got {input_shape!r}"
        )
    if int(classes) != classes or classes < 2:
        raise ValueError(f"classes must be an integer of at least 2, got {classes!r}")
    return shape


# fmt: off
# --8<-- [start:vgg16_layers]
def vgg16_layers(classes: int = 1000) -> list[keras.layers.Layer]:
    """The layers of VGG16 in order, with the names keras.applications uses.

    Args:
        classes: the units of the last, softmax layer.

    Returns:
        New, unbuilt layers, from ``block1_conv1`` to ``predictions``.
    """
    stack = []
    for block, (filters, convs) in enumerate(BLOCKS, start=1):
        for i in range(1, convs + 1):  # 3x3 convolutions that keep the size ("same")
            stack.append(layers.Conv2D(filters, (3, 3), padding="same",
                                       activation="relu", name=f"block{block}_conv{i}"))
        # then halve height and width: 224 -> 112 -> 56 -> 28 -> 14 -> 7
        stack.append(
            layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")
        )
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(4096, activation="relu", name="fc1"),
        layers.Dense(4096, activation="relu", name="fc2"),
        layers.Dense(classes, activation="softmax", name="predictions"),
    ]
    return stack
# --8<-- [end:vgg16_layers]
# fmt: on


def build_vgg16_sequential(input_shape=(224, 224, 3), classes: int = 1000) -> keras.Sequential:
    """VGG16 as a layer stack: ``keras.Sequential([Input, block1_conv1, ...])``.

    Args:
        input_shape: (height, width, channels): at least 32x32, 1 or 3 channels.
        classes: the number of classes.

    Returns:
        An uncompiled ``keras.Sequential``; at 224x224x3 with 1,000 classes it has
            138,357,544 parameters.

    Raises:
        ValueError: for a smaller or otherwise unusable shape, or ``classes`` under 2.
    """
    shape = _check(input_shape, classes)
    return keras.Sequential(
        [keras.Input(shape=shape, name="input_layer"), *vgg16_layers(classes)],
        name="vgg16_sequential",
    )


def build_vgg16(input_shape=(224, 224, 3), classes: int = 1000) -> keras.Model:
    """VGG16 with the functional API: an Input, each layer called on the previous tensor.

    Args:
        input_shape: (height, width, channels): at least 32x32, 1 or 3 channels.
        classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` with the same layers as ``build_vgg16_sequential``.

    Raises:
        ValueError: for a smaller or otherwise unusable shape, or ``classes`` under 2.
    """
    shape = _check(input_shape, classes)
    image = keras.Input(shape=shape, name="input_layer")
    x = image
    for layer in vgg16_layers(classes):
        x = layer(x)
    return keras.Model(inputs=image, outputs=x, name="vgg16_functional")


def feature_map_sizes(model: keras.Model) -> list[dict]:
    """Output height, width and channels of every convolution and pooling layer, in order.

    Args:
        model: a built model, e.g. from ``build_vgg16``.

    Returns:
        One dict per ``Conv2D`` or ``MaxPooling2D`` layer, with the keys ``layer``,
            ``height``, ``width``, ``channels`` and ``params``.
    """
    rows = []
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D)):
            _, height, width, channels = layer.output.shape
            rows.append(
                {
                    "layer": layer.name,
                    "height": height,
                    "width": width,
                    "channels": channels,
                    "params": layer.count_params(),
                }
            )
    return rows


def load_weights_by_name(target: keras.Model, source, skip_missing: bool = False) -> list[str]:
    """Copy weights into ``target`` layer by layer, matching layers by name.

    ``source`` is a ``keras.Model``, a saved ``.keras`` model, or a Keras 2 style HDF5
    weights file (``.h5``, the format of the ImageNet weights keras.applications
    downloads). Every layer of ``target`` that holds weights must find a layer of the
    same name and the same weight shapes in ``source``; with ``skip_missing=True``
    layers absent from ``source`` keep their weights (a new classifier head, say).

    Args:
        target: the model to load into.
        source: a ``keras.Model``, or the path of a ``.keras`` model or a Keras 2 ``.h5``
            weights file.
        skip_missing: leave the layers that ``source`` lacks as they are instead of
            refusing.

    Returns:
        The names of the layers that were copied.

    Raises:
        ValueError: if a layer's weight shapes differ, or a layer is missing from ``source``
            without ``skip_missing``, or the file is neither ``.keras`` nor ``.h5``.
        TypeError: if ``source`` is neither a model nor a path.
        FileNotFoundError: if there is no file at ``source``.
        DataFormatError: if an ``.h5`` file is unreadable or not a Keras 2 weights file.
    """
    # --8<-- [start:load_weights_by_name]
    found = _weights_of(source)  # layer name -> list of weight arrays
    copied, missing = [], []
    for layer in target.layers:
        if not layer.weights:
            continue
        if layer.name not in found:
            missing.append(layer.name)
            continue
        arrays = found[layer.name]
        expected = [tuple(w.shape) for w in layer.weights]
        if [a.shape for a in arrays] != expected:
            raise ValueError(
                f"layer {layer.name!r}: the source holds weights of shapes "
                f"{[a.shape for a in arrays]} "
                f"but the target needs {expected}; the two models differ at this layer."
            )
        layer.set_weights(arrays)
        copied.append(layer.name)
    # --8<-- [end:load_weights_by_name]
    if missing and not skip_missing:
        raise ValueError(
            f"the source has no layer named {', '.join(map(repr, missing))}; rename the target's "
            "layers "
            "to match, or pass skip_missing=True to leave those layers as they are."
        )
    return copied


def _weights_of(source) -> dict[str, list[np.ndarray]]:
    if isinstance(source, keras.Model):
        return {layer.name: layer.get_weights() for layer in source.layers if layer.weights}
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a keras.Model or a file path, got {type(source).__name__}")
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    if path.suffix == ".keras":
        return _weights_of(keras.models.load_model(path, compile=False))
    if path.suffix in (".h5", ".hdf5"):
        return _read_keras2_h5(path)
    raise ValueError(f"{path}: expected a .keras model or a Keras 2 .h5 weights file")


def _read_keras2_h5(path: Path) -> dict[str, list[np.ndarray]]:
    """Read a Keras 2 weights file: one HDF5 group per layer, listed in ``layer_names``."""
    import h5py  # a dependency of Keras itself

    try:
        with h5py.File(path, "r") as f:
            # a whole saved model, or weights only
            root = f["model_weights"] if "model_weights" in f else f
            if "layer_names" not in root.attrs:
                raise DataFormatError(
                    f"{path} has no 'layer_names' attribute: it is not a Keras 2 weights file. "
                    "Keras 3 .weights.h5 files load with model.load_weights() into the same "
                    "architecture."
                )
            weights = {}
            for name in root.attrs["layer_names"]:
                name = name.decode() if isinstance(name, bytes) else str(name)
                group = root[name]
                names = [
                    n.decode() if isinstance(n, bytes) else str(n)
                    for n in group.attrs.get("weight_names", [])
                ]
                if names:
                    weights[name] = [np.asarray(group[n]) for n in names]
            return weights
    except OSError as exc:
        raise DataFormatError(
            f"{path} cannot be read as HDF5 ({exc}); download it again."
        ) from None


def load_imagenet_weights(model: keras.Model, path: str | os.PathLike | None = None) -> list[str]:
    """Load the ImageNet-trained VGG16 weights into ``model`` by layer name.

    Args:
        model: a VGG16 with the 1,000-class top (``build_vgg16``, say).
        path: a local copy of ``vgg16_weights_tf_dim_ordering_tf_kernels.h5``; None fetches
            (and caches) it through ``companion.pretrained.ensure_weights("vgg16")``.

    Returns:
        The names of the layers that were loaded.

    Raises:
        WeightsUnavailableError: if the file must be fetched and cannot be; the message
            says where to put a copy.
        ChecksumError: if the cached file is damaged.
        ValueError: if ``model``'s layers do not match the weights.
        FileNotFoundError: if there is no file at ``path``.
        DataFormatError: if the file is unreadable or not a Keras 2 weights file.
    """
    if path is None:
        from .. import pretrained

        path = pretrained.ensure_weights("vgg16", instead=PASS_A_PATH)
    return load_weights_by_name(model, path)
