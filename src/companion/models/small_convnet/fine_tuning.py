"""A frozen base with a small classifier on top (feature extraction), and fine-tuning.

``build_transfer_model`` works with any base; ``unfreeze_top`` opens the base's layers from
a block on, for bases whose layers are named by block (``block5_conv1`` ...).
"""

from __future__ import annotations

import keras
from keras import layers

from .scratch import compile_binary


# --8<-- [start:build_transfer_model]
def build_transfer_model(
    base: keras.Model,
    input_shape=(150, 150, 3),
    augment: keras.Layer | None = None,
    hidden_units: int = 256,
    dropout: float = 0.5,
) -> keras.Model:
    """A frozen ``base`` with a small classifier on top: the feature-extraction model.

    The base is called with ``training=False``: BatchNormalization stays in inference
    mode even after ``unfreeze_top``, and dropout inside the base stays off.

    Args:
        base: a pretrained base; it is frozen (``trainable = False``) in place.
        input_shape: (height, width, channels) of the images.
        augment: random layers put in front of the base, or None.
        hidden_units: the units of the hidden dense layer.
        dropout: the dropout rate before the output.

    Returns:
        An uncompiled ``keras.Model`` with one sigmoid output, the probability of a dog.
    """
    base.trainable = False  # its weights stay as pretrained: only the head learns
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = augment(inputs) if augment is not None else inputs
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D(name="average")(x)  # one number per channel
    x = layers.Dense(hidden_units, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="dog_probability")(x)
    return keras.Model(inputs, outputs, name=f"{base.name}_transfer")
    # --8<-- [end:build_transfer_model]


# --8<-- [start:unfreeze_top]
def unfreeze_top(
    model: keras.Model, base: keras.Model, block: str, learning_rate: float = 1e-5
) -> list[str]:
    """Open the base's layers from ``block`` on (BatchNorm excepted); compile again.

    Args:
        model: the model of ``build_transfer_model``.
        base: its base.
        block: the prefix of the first layer to open, e.g. ``"block5"``.
        learning_rate: the (low) learning rate of the new compilation.

    Returns:
        The names of the layers that are now trainable.

    Raises:
        ValueError: if no layer of ``base`` starts with ``block``.
    """
    leaves = _leaf_layers(base)  # vgg16_base wraps VGG16 as one layer: look inside
    first = _first_layer_of(base.name, leaves, block)
    base.trainable = True
    opened = []
    for i, layer in enumerate(leaves):
        # BatchNorm stays frozen too: with so little data, fixed statistics are safer.
        is_norm = isinstance(layer, layers.BatchNormalization)
        layer.trainable = i >= first and not is_norm
        if layer.trainable and layer.weights:
            opened.append(layer.name)
    # `trainable` takes effect when the model is compiled again. The low rate keeps the
    # fresh classifier's large updates from wrecking the pretrained features.
    compile_binary(model, learning_rate)
    return opened
    # --8<-- [end:unfreeze_top]


def _first_layer_of(name: str, leaves: list, block: str) -> int:
    """The index of the first layer whose name starts with ``block``."""
    names = [layer.name for layer in leaves]
    starts = [i for i, n in enumerate(names) if n.startswith(block)]
    if not starts:
        blocks = sorted({n.split("_")[0] for n in names if n.startswith("block")})
        raise ValueError(f"{name} has no layer named {block}...; its blocks are {blocks}")
    return starts[0]


def _leaf_layers(model: keras.Model) -> list:
    """The layers of ``model`` in order, with nested models replaced by their own layers."""
    leaves = []
    for layer in model.layers:
        leaves += _leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return leaves
