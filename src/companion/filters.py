"""What a convnet has learned: filter images by gradient ascent, and Grad-CAM heat maps.

Both need gradients with respect to the *input*: ``input_gradients`` dispatches to one
small function per backend (TensorFlow, JAX, PyTorch), each importing its backend itself;
the rest is NumPy and ``keras.ops``. Chapter 12 explains both methods. Images are
channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config
from .errors import CompanionError


class LayerError(CompanionError, ValueError):
    """A layer name that is not in the model, or a layer that is not convolutional.

    Takes one argument, the message (which lists the layers to choose from).
    """


# --- choosing a layer -----------------------------------------------------------------------


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


# --- gradients with respect to the input: one function per backend ---------------------------


def input_gradients(model, inputs, objective):
    """``objective(model(inputs))`` per sample, and its gradient with respect to ``inputs``.

    Samples do not interact (the model runs in inference mode), so the gradient of the
    sum is each sample's own gradient.

    Args:
        model: a ``keras.Model``.
        inputs: a batch the model takes, converted to float32.
        objective: maps the model's output to one value per sample (shape ``(batch,)``),
            with ``keras.ops``.

    Returns:
        ``(values, gradients)``: NumPy arrays of shape (batch,) and that of ``inputs``.

    Raises:
        RuntimeError: the Keras backend is not TensorFlow, JAX or PyTorch.
    """
    import keras

    backend = keras.backend.backend()
    gradients = {
        "tensorflow": _gradients_tensorflow,
        "jax": _gradients_jax,
        "torch": _gradients_torch,
    }.get(backend)
    if gradients is None:
        raise RuntimeError(
            f"input gradients are implemented for TensorFlow, JAX and PyTorch, not {backend!r}"
        )
    return gradients(model, np.asarray(inputs, dtype="float32"), objective)


# --8<-- [start:gradients_tensorflow]
def _gradients_tensorflow(model, inputs, objective):
    import tensorflow as tf

    x = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(x)  # x is a constant, not a variable: tell the tape to follow it
        values = objective(model(x, training=False))
        total = tf.reduce_sum(values)
    return np.asarray(values), np.asarray(tape.gradient(total, x))
    # --8<-- [end:gradients_tensorflow]


# --8<-- [start:gradients_jax_torch]
def _gradients_jax(model, inputs, objective):
    import jax
    import jax.numpy as jnp

    # JAX differentiates pure functions: the weights go in explicitly (stateless_call).
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def total(x):
        outputs, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        values = objective(outputs)
        return jnp.sum(values), values

    (_, values), grads = jax.value_and_grad(total, has_aux=True)(jnp.asarray(inputs))
    return np.asarray(values), np.asarray(grads)


def _gradients_torch(model, inputs, objective):
    import keras
    import torch

    # convert_to_tensor puts x on the device Keras computes on (the GPU if there is one)
    x = keras.ops.convert_to_tensor(inputs).detach().requires_grad_(True)
    with torch.enable_grad():
        values = objective(model(x, training=False))
        (grads,) = torch.autograd.grad(values.sum(), x)
    return values.detach().cpu().numpy(), grads.detach().cpu().numpy()
    # --8<-- [end:gradients_jax_torch]


# --- filter visualization by gradient ascent ------------------------------------------------


def filter_means(filter_indices):
    """An objective for ``input_gradients``: each sample's own filter's mean activation.

    Args:
        filter_indices: one filter number per sample of the batch.

    Returns:
        A function from activations (batch, height, width, channels) to the mean of
        filter ``filter_indices[i]`` for sample i, shape (batch,).
    """
    indices = np.asarray(filter_indices)

    def objective(activations):
        import keras

        # shape (batch, channels)
        mask = keras.ops.one_hot(indices, activations.shape[-1], dtype=activations.dtype)
        # shape (batch, height, width)
        chosen = keras.ops.sum(activations * mask[:, None, None, :], axis=-1)
        return keras.ops.mean(chosen, axis=(1, 2))

    return objective


@dataclass
class FilterImage:
    """The image that one filter responds to most strongly, as gradient ascent found it.

    Args:
        layer: the layer's name.
        index: the filter's number in the layer.
        image: uint8 (height, width, channels), ready to show.
        activation: the filter's mean activation on the (undisplayed) float image.
        start_activation: its mean activation on the starting noise.
    """

    layer: str
    index: int
    image: np.ndarray  # uint8 (height, width, 3), ready to show
    activation: float  # the filter's mean activation on the (undisplayed) float image
    start_activation: float  # ... and on the starting noise


def normalize_gradients(grads: np.ndarray) -> np.ndarray:
    """Scale each sample's gradient to an RMS of 1, so that one step size suits every filter.

    Args:
        grads: a batch of gradients, (batch, ...).

    Returns:
        The gradients divided by their root mean square (plus 1e-7), sample by sample.
    """
    rms = np.sqrt(np.mean(np.square(grads), axis=tuple(range(1, grads.ndim)), keepdims=True))
    return grads / (rms + 1e-7)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float image for display: centred on 0.5, spread to a standard deviation of 0.25.

    Args:
        image: a float image, any range.

    Returns:
        The image as uint8, scaled by 255 and clipped to 0..255.
    """
    x = image - image.mean()
    x = x / (x.std() + 1e-7) * 0.25 + 0.5
    return (np.clip(x, 0, 1) * 255).astype("uint8")


def _resize(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bicubic resize of float images, channel by channel (Pillow's 'F' mode keeps the floats)."""
    from PIL import Image

    height, width = size
    out = np.empty((len(images), height, width, images.shape[-1]), dtype="float32")
    for i, image in enumerate(images):
        for c in range(images.shape[-1]):
            out[i, :, :, c] = np.asarray(
                Image.fromarray(image[:, :, c]).resize((width, height), Image.BICUBIC)
            )
    return out


def _fits(extractor, size: int, channels: int) -> bool:
    """Whether an image of ``size`` pixels is large enough for the layer to have any output."""
    try:
        shape = extractor.compute_output_shape((1, size, size, channels))
    except ValueError:  # a pooling layer would shrink the map to nothing
        return False
    return all(d is None or d > 0 for d in shape[1:3])


def visualize_filters(
    model,
    layer_name: str,
    filters=None,
    *,
    size: int | None = None,
    steps: int = 20,
    upscaling_steps: int = 4,
    upscaling_factor: float = 1.2,
    step: float = 1.0,
    value_range: tuple[float, float] = (0.0, 255.0),
    batch_size: int = 64,
    seed: int = 0,
) -> list[FilterImage]:
    """Find, for each filter of ``layer_name``, an input image that makes its mean activation large.

    Gradient ascent starts from mid-grey with noise of ±10/255 of ``value_range`` and runs
    ``steps`` times at each of ``upscaling_steps + 1`` sizes, growing by ``upscaling_factor``
    up to ``size`` (a model with a fixed input size is optimised at that size only). A smoke
    run does at most 8 filters, 2 steps and 1 upscaling step.

    Args:
        model: a ``keras.Model`` with image input.
        layer_name: the layer, as ``get_conv_layer`` accepts it.
        filters: the filter numbers; None: all of them.
        size: the side of the final image in pixels; None: the model's input size.
        steps: gradient-ascent steps at each size.
        upscaling_steps: how many times the image is enlarged.
        upscaling_factor: how much each enlargement multiplies the side by.
        step: the step size, in units of 1/255 of ``value_range`` (the source's step of 1
            on 0..255 pixels).
        value_range: (low, high) of the pixels the model expects.
        batch_size: filters processed at a time, one image per filter.
        seed: the seed of the starting noise.

    Returns:
        One ``FilterImage`` per filter, in filter order.

    Raises:
        LayerError: as ``get_conv_layer``.
        ValueError: a filter number out of range; ``size`` other than a fixed-size model's,
            or None for a model that accepts any size.
    """
    extractor = feature_extractor(model, layer_name)
    channels = extractor.inputs[0].shape[-1]
    fixed = extractor.inputs[0].shape[1:3]
    n_filters = extractor.outputs[0].shape[-1]
    filters = list(range(n_filters)) if filters is None else [int(f) for f in filters]
    bad = [f for f in filters if not 0 <= f < n_filters]
    if bad:
        raise ValueError(f"layer {layer_name!r} has filters 0..{n_filters - 1}; got {bad}")
    if config.smoke():  # a smoke run only checks the plumbing: a few filters, a few steps
        steps, upscaling_steps, filters = min(steps, 2), min(upscaling_steps, 1), filters[:8]
    if None not in fixed:  # the model takes one input size only: no progressive upscaling
        if size is not None and size != fixed[0]:
            raise ValueError(
                f"{model.name!r} only accepts {fixed[0]}x{fixed[1]} images, not size={size}"
            )
        size, upscaling_steps = int(fixed[0]), 0
    elif size is None:
        size = model.inputs[0].shape[1]  # the size the model was built for, if it says
        if size is None:
            raise ValueError(f"{model.name!r} accepts any image size: say which one with size=...")
    sizes = [max(1, int(size / upscaling_factor**k)) for k in range(upscaling_steps, -1, -1)]
    # too small for the layer: skip
    sizes = [s for s in sizes if _fits(extractor, s, channels)] or [size]

    low, high = value_range
    unit = (high - low) / 255.0
    rng = np.random.default_rng(seed)
    results = []
    # --8<-- [start:ascent]
    for start in range(0, len(filters), batch_size):
        chunk = filters[start : start + batch_size]  # one image per filter
        objective = filter_means(chunk)
        noise = rng.random((len(chunk), sizes[0], sizes[0], channels)) - 0.5
        images = ((low + high) / 2 + noise * 20 * unit).astype("float32")  # grey
        first = None
        for k, side in enumerate(sizes):
            if k:  # enlarge the image found so far, then go on climbing
                images = _resize(images, (side, side))
            for _ in range(steps):
                values, grads = input_gradients(extractor, images, objective)
                first = values if first is None else first
                # a step *up* the gradient, of the same size for every filter
                images += step * unit * normalize_gradients(grads)
        values, _ = input_gradients(extractor, images, objective)
        for f, image, value, before in zip(chunk, images, values, first, strict=True):
            results.append(
                FilterImage(layer_name, f, to_uint8(image), float(value), float(before)),
            )
    # --8<-- [end:ascent]
    return results


def strongest(results: list[FilterImage], n: int) -> list[FilterImage]:
    """The filter images with the largest activation (the source's grid keeps the best n×n).

    Args:
        results: what ``visualize_filters`` returned.
        n: how many to keep.

    Returns:
        The ``n`` strongest, strongest first.
    """
    return sorted(results, key=lambda r: r.activation, reverse=True)[:n]


# --- Grad-CAM -------------------------------------------------------------------------------

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
