"""One resampling for all the geometric options: the random layers draw, we compose.

Every ``keras.layers.Random*`` layer's draw becomes a 3×3 matrix that maps an output pixel to
the input point it reads; the matrices are multiplied and the images resampled once by
``keras.ops.image.affine_transform``, as the old ``ImageDataGenerator`` did.
"""

from __future__ import annotations

import keras

from .shear import CentredShear


def _rows(ops, a0, a1, a2, b0, b1, b2):
    """Per-image 3×3 matrices [[a0 a1 a2], [b0 b1 b2], [0 0 1]] from (batch,) vectors."""
    zeros, ones = ops.numpy.zeros_like(a0), ops.numpy.ones_like(a0)
    flat = ops.numpy.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=1)
    return ops.numpy.reshape(flat, (-1, 3, 3))


def layer_matrix(layer, transformation, height, width):
    """The output->input matrices of one layer's random draw.

    Args:
        layer: a ``RandomRotation``, ``companion.augment.shear.CentredShear``,
            ``RandomZoom``, ``RandomTranslation`` or ``RandomFlip`` layer.
        transformation: what the layer's ``get_random_transformation`` returned.
        height: the images' height in pixels.
        width: the images' width in pixels.

    Returns:
        A float32 tensor (batch, 3, 3).

    Raises:
        TypeError: for a layer of any other kind.
    """
    ops = keras
    f32 = lambda v: ops.ops.cast(v, "float32")  # noqa: E731
    o = ops.ops
    h, w = f32(height), f32(width)
    # --8<-- [start:matrices]
    # Output pixel (x, y) reads the input at (a0 x + a1 y + a2, b0 x + b1 y + b2).
    if isinstance(layer, keras.layers.RandomRotation):  # the layer draws the matrix itself
        m = f32(transformation["rotation_matrix"])
        a0, a1, a2, b0, b1, b2 = (m[:, i] for i in range(6))
    elif isinstance(layer, CentredShear):  # rows slide in proportion to y - centre
        s = f32(transformation["shear_factor"])
        sx, sy = s[:, 0], s[:, 1]
        one = o.ones_like(sx)
        a0, a1, a2 = one, sx, -sx * (h - 1.0) / 2.0
        b0, b1, b2 = sy, one, -sy * (w - 1.0) / 2.0
    elif isinstance(layer, keras.layers.RandomZoom):  # scale about the centre
        zx = f32(transformation["width_zoom"])[:, 0]
        zy = f32(transformation["height_zoom"])[:, 0]
        zero = o.zeros_like(zx)
        a0, a1, a2 = zx, zero, (w - 1.0) / 2.0 * (1.0 - zx)
        b0, b1, b2 = zero, zy, (h - 1.0) / 2.0 * (1.0 - zy)
    elif isinstance(layer, keras.layers.RandomTranslation):  # shift by (dx, dy) pixels
        t = f32(transformation["translations"])
        one, zero = o.ones_like(t[:, 0]), o.zeros_like(t[:, 0])
        a0, a1, a2, b0, b1, b2 = one, zero, -t[:, 0], zero, one, -t[:, 1]
    # --8<-- [end:matrices]
    elif isinstance(layer, keras.layers.RandomFlip):
        flip = f32(o.reshape(transformation["flips"], (-1,)))  # 1.0 where the image is flipped
        zero = o.zeros_like(flip)
        one = o.ones_like(flip)
        sign = one - 2.0 * flip
        if layer.mode == "horizontal":  # x_in = (W - 1) - x
            a0, a1, a2, b0, b1, b2 = sign, zero, flip * (w - 1.0), zero, one, zero
        else:  # "vertical": y_in = (H - 1) - y
            a0, a1, a2, b0, b1, b2 = one, zero, zero, zero, sign, flip * (h - 1.0)
    else:
        raise TypeError(f"no matrix for {type(layer).__name__}")
    return _rows(o, a0, a1, a2, b0, b1, b2)


# fmt: off
# --8<-- [start:random_affine]
def random_affine(images, layers, interpolation: str, fill_mode: str,
                  fill_value: float):
    """Draw from every layer, compose their matrices in order, resample once.

    Args:
        images: a batch (batch, height, width, channels), float.
        layers: the random layers, in the order they apply.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: how points outside the image are filled.
        fill_value: the value for ``fill_mode="constant"``.

    Returns:
        The transformed batch, same shape.
    """
    o = keras.ops
    shape = o.shape(images)
    height, width = shape[1], shape[2]
    total = None
    for layer in layers:
        # the layer's own random draw (angles, shifts ...), one per image
        transformation = layer.get_random_transformation(images, training=True)
        m = layer_matrix(layer, transformation, height, width)  # (batch, 3, 3)
        # layer k reads the output of layer k-1: in(M_1 M_2 ... M_k p)
        total = m if total is None else o.matmul(total, m)
    flat = o.reshape(total, (-1, 9))[:, :8]  # the last row is always (0, 0, 1)
    return o.image.affine_transform(images, flat, interpolation=interpolation,
                                    fill_mode=fill_mode, fill_value=fill_value,
                                    data_format="channels_last")
    # --8<-- [end:random_affine]
# fmt: on
