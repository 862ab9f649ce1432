"""Grad-CAM: heat maps of where in an image the evidence for a class lies.

The gradient of a class's score (before softmax or sigmoid) with respect to a convolution
layer's feature maps weights those maps; ``class_scores_head`` builds the part of the model
after the layer, with the final squashing taken off.
"""

from __future__ import annotations

import numpy as np

from .ascent import _resize
from .gradients import input_gradients
from .layers import LayerError, conv_layer_names, get_conv_layer

#: Final activations that turn class scores into probabilities; Grad-CAM looks before them.
SQUASHING = ("softmax", "sigmoid")


def _activation_name(layer) -> str | None:
    activation = layer.get_config().get("activation") if hasattr(layer, "activation") else None
    return activation if isinstance(activation, str) else None


def _linear_twin(layer):
    """``layer`` again, with the same weights but no activation: it outputs the scores."""
    config = {**layer.get_config(), "activation": "linear", "name": f"{layer.name}_scores"}
    twin = type(layer).from_config(config)
    twin.build(layer.input.shape)
    twin.set_weights(layer.get_weights())
    return twin


def class_scores_head(model, layer):
    """A model from ``layer``'s output to the class *scores*: the logits before softmax/sigmoid.

    The final softmax (or sigmoid) is taken off: a ``Dense(..., activation="softmax")`` is
    replaced by a linear twin with the same weights, a final ``Activation`` layer is dropped.
    A model whose last layer is already linear (trained ``from_logits``) is used as it is.

    Args:
        model: the classifier.
        layer: one of its layers, whose feature maps the head takes.

    Returns:
        The ``keras.Model`` from feature maps to class scores.

    Raises:
        LayerError: the model ends in another activation, or the prediction does not
            depend on ``layer`` alone (a branch from before it joins later).
    """
    import keras

    last = model.layers[-1]
    activation = _activation_name(last)
    if activation not in SQUASHING + ("linear", None):
        raise LayerError(
            f"{model.name!r} ends in a {activation!r} activation; Grad-CAM needs class scores "
            f"before a softmax or sigmoid."
        )
    if isinstance(model, keras.Sequential):
        after = model.layers[model.layers.index(layer) + 1 :]
        if isinstance(last, keras.layers.Activation) and activation in SQUASHING:
            after = after[:-1]
        elif activation in SQUASHING:
            after = [*after[:-1], _linear_twin(last)]
        return keras.Sequential([keras.Input(shape=layer.output.shape[1:]), *after])
    if isinstance(last, keras.layers.Activation) and activation in SQUASHING:
        scores = last.input
    elif activation in SQUASHING:
        scores = _linear_twin(last)(last.input)
    else:
        scores = model.outputs[0]
    try:
        return keras.Model(layer.output, scores)
    except Exception as exc:  # e.g. a skip connection from before the layer joins later
        raise LayerError(
            f"The prediction does not depend on {layer.name!r} alone (a branch from an earlier "
            "layer joins "
            "after it), so Grad-CAM cannot start there. Pick a later layer, e.g. one after the "
            f"last 'add'. ({exc})"
        ) from None


def _chosen_classes(scores, class_index, n_images):
    """The class each heat map explains: the predicted one, or ``class_index``."""
    binary = scores.shape[1] == 1  # one sigmoid unit: its logit z says "class 1" when > 0
    n_classes = 2 if binary else scores.shape[1]
    if class_index is None:
        return (scores[:, 0] > 0).astype(int) if binary else scores.argmax(axis=1)
    classes = np.broadcast_to(np.asarray(class_index, dtype=int), (n_images,)).copy()
    if classes.min() < 0 or classes.max() >= n_classes:
        kind = " (one sigmoid unit: 0 or 1)" if binary else ""
        raise ValueError(f"class_index must be in 0..{n_classes - 1}{kind}, got {class_index}")
    return classes


# --8<-- [start:grad_cam]
def grad_cam(model, images, layer_name: str | None = None, class_index=None):
    """Grad-CAM heat maps in 0..1: where in each image the evidence for a class lies.

    Args:
        model: a classifier with one (batch, classes) output.
        images: a batch (batch, height, width, channels), as the model takes it.
        layer_name: the convolution layer to explain; None: the last one.
        class_index: the class to explain, one or one per image; None: the predicted.

    Returns:
        ``(heatmaps, classes)``: maps (batch, height, width), the classes explained.

    Raises:
        LayerError: no such layer, or Grad-CAM cannot start at it.
        ValueError: not a batch, not a one-output classifier, or a class out of range.
    """
    import keras

    images, layer = _grad_cam_inputs(model, images, layer_name)
    features = keras.Model(model.inputs, layer.output).predict(images, verbose=0)
    head = class_scores_head(model, layer)  # feature maps -> scores before softmax
    scores = head.predict(features, verbose=0)
    classes = _chosen_classes(scores, class_index, len(images))
    if scores.shape[1] == 1:  # one sigmoid unit: class 1 scores z, class 0 scores -z
        pick = np.where(classes == 1, 1.0, -1.0)[:, None]
    else:  # the logit of the chosen class
        pick = np.eye(scores.shape[1])[classes]
    pick = pick.astype("float32")

    def class_score(z):  # one number per image: the score of its chosen class
        # pick as a tensor of z's backend: NumPy times a PyTorch tensor that
        # requires grad would ask the tensor for its values and fail
        chosen = keras.ops.convert_to_tensor(pick, dtype=z.dtype)
        return keras.ops.sum(z * chosen, axis=-1)

    _, grads = input_gradients(head, features, class_score)
    weights = grads.mean(axis=(1, 2))  # one weight per feature map
    cams = np.maximum((features * weights[:, None, None, :]).sum(axis=-1), 0)
    peaks = cams.max(axis=(1, 2), keepdims=True)
    cams = np.where(peaks > 0, cams / np.where(peaks > 0, peaks, 1), 0)
    heatmaps = _resize(cams[..., None].astype("float32"), images.shape[1:3])
    return heatmaps[..., 0].clip(0, 1), classes
    # --8<-- [end:grad_cam]


def _grad_cam_inputs(model, images, layer_name):
    """The images as a float32 batch and the convolution layer to explain (default: the last)."""
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(
            "grad_cam expects a batch of images (batch, height, width, channels), got "
            f"{images.shape}"
        )
    if len(model.outputs) != 1 or len(model.outputs[0].shape) != 2:
        raise ValueError(
            f"grad_cam needs a classifier with one (batch, classes) output, got {model.outputs}"
        )
    names = conv_layer_names(model)
    if layer_name is None:
        if not names:
            raise LayerError(f"Model {model.name!r} has no convolution layer for Grad-CAM.")
        layer_name = names[-1]
    return images, get_conv_layer(model, layer_name)
