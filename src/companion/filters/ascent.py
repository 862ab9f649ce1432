"""Filter images by gradient ascent: the input each filter of a layer responds to most.

``visualize_filters`` climbs the gradient of each filter's mean activation from grey noise,
enlarging the image as it goes; ``strongest`` keeps the filters that respond most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import config
from .gradients import input_gradients
from .layers import feature_extractor


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
