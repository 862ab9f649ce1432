"""Choosing the layer to look into: its name checked, and a model up to its feature maps.

``get_conv_layer`` accepts a convolution layer or a layer of feature maps after one
(BatchNormalization, an activation, a residual ``Add``); ``feature_extractor`` cuts the model
there. A wrong name raises ``LayerError``, listing the convolution layers to choose from.
"""

from __future__ import annotations

from ..errors import CompanionError


class LayerError(CompanionError, ValueError):
    """A layer name that is not in the model, or a layer that is not convolutional.

    Takes one argument, the message (which lists the layers to choose from).
    """


def _conv_types():
    import keras

    return (
        keras.layers.Conv2D,
        keras.layers.SeparableConv2D,
        keras.layers.DepthwiseConv2D,
        keras.layers.Conv2DTranspose,
    )


def _map_types():
    """Layers that keep a convolution's channels one by one: a channel is still a filter's map.

    A modern block rarely ends in a bare convolution: BatchNormalization, an activation
    (ReLU6 in EfficientNet-Lite0) or a residual ``Add`` comes after it, and their outputs are
    the feature maps the next block reads.
    """
    import keras

    return _conv_types() + (
        keras.layers.BatchNormalization,
        keras.layers.ReLU,
        keras.layers.Activation,
        keras.layers.Add,
    )


def conv_layer_names(model) -> list[str]:
    """The names of the model's 2-D convolution layers, input side first.

    Args:
        model: a ``keras.Model``.

    Returns:
        The names of its ``Conv2D``, ``SeparableConv2D``, ``DepthwiseConv2D`` and
            ``Conv2DTranspose`` layers.
    """
    return [layer.name for layer in model.layers if isinstance(layer, _conv_types())]


def get_conv_layer(model, layer_name: str):
    """The convolution layer called ``layer_name``, or a layer of feature maps after one.

    Args:
        model: a ``keras.Model``.
        layer_name: a convolution layer's name, or that of a BatchNormalization,
            activation or ``Add`` layer with 4-D output (a block's feature maps).

    Returns:
        The layer.

    Raises:
        LayerError: no layer of that name, or not one of those kinds; the message lists
            the convolution layers.
    """
    names = [layer.name for layer in model.layers]
    choices = ", ".join(conv_layer_names(model)) or "none"
    if layer_name not in names:
        raise LayerError(
            f"Model {model.name!r} has no layer named {layer_name!r}. Its convolution layers: "
            f"{choices}."
        )
    layer = model.get_layer(layer_name)
    if not isinstance(layer, _map_types()) or len(layer.output.shape) != 4:
        raise LayerError(
            f"Layer {layer_name!r} is a {type(layer).__name__}, not a convolution layer (nor "
            "the BatchNormalization, activation or Add after one): it has no filters to "
            f"visualize. Its convolution layers: {choices}."
        )
    return layer


def feature_extractor(model, layer_name: str):
    """A model from the input to the output of layer ``layer_name``, sharing the weights.

    For a Sequential model the layers are re-wired onto an input of any height and width,
    so that gradient ascent can start on a small image and grow it; a functional model
    keeps its own input shape (``keras.applications`` models with ``include_top=False``
    already accept any size).

    Args:
        model: a ``keras.Model``.
        layer_name: the layer, as ``get_conv_layer`` accepts it.

    Returns:
        The ``keras.Model``, named ``<layer_name>_features``.

    Raises:
        LayerError: as ``get_conv_layer``.
    """
    import keras

    layer = get_conv_layer(model, layer_name)
    if isinstance(model, keras.Sequential):
        inputs = keras.Input(shape=(None, None, model.inputs[0].shape[-1]))
        x = inputs
        for each in model.layers:
            x = each(x)
            if each is layer:
                break
        return keras.Model(inputs, x, name=f"{layer_name}_features")
    return keras.Model(model.inputs, layer.output, name=f"{layer_name}_features")
