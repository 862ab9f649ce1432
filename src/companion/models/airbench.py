"""The fast CIFAR-10 network of chapter 13: patch whitening, identity-initialised convolutions.

An eight-layer convnet after Jordan's airbench94 (2024), itself after Page's ResNet-9 (2018)
and hlb-CIFAR10: a frozen 2x2 patch-whitening convolution, three blocks of two 3x3
convolutions, a max pool and a linear layer whose output is scaled down. Written anew in
Keras 3 from the paper's description.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

#: the block widths of airbench94
WIDTHS = (64, 256, 256)


# --8<-- [start:whitening_kernel]
def whitening_kernel(images, patch_size: int = 2, eps: float = 5e-4) -> np.ndarray:
    """A convolution kernel that whitens the ``patch_size`` x ``patch_size`` patches of ``images``.

    Chapter 07's ZCA whitening made the pixels of whole images uncorrelated; here the same
    eigen-decomposition works on small patches, and its eigenvectors become the filters of
    the network's first convolution. Each eigenvector is divided by the square root of its
    eigenvalue (plus ``eps``), so every filter's output has about unit variance; the filters
    come in pairs, ``v`` and ``-v``, so that the GELU after them loses no information.

    Args:
        images: float array (N, height, width, channels), already standardized.
        patch_size: the side of the square patches (airbench uses 2).
        eps: added to the eigenvalues, so that near-zero ones do not blow up.

    Returns:
        float32 array (patch_size, patch_size, channels, 2 * patch_size**2 * channels),
            a Conv2D kernel; the first half of the filters in order of decreasing eigenvalue.

    Raises:
        ValueError: if ``images`` is not a batch of images larger than one patch.
    """
    x = np.asarray(images)
    if x.ndim != 4 or min(x.shape[1:3]) < patch_size or len(x) < 2:
        raise ValueError(
            f"whitening_kernel needs at least 2 images (N, height, width, channels) larger than "
            f"{patch_size}x{patch_size}, got shape {x.shape}"
        )
    # --8<-- [start:whitening_eigen]
    c = x.shape[3]
    dim = patch_size * patch_size * c
    covariance = np.zeros((dim, dim))  # float64: millions of patches are summed
    count = 0
    for start in range(0, len(x), 500):
        patches = _patches(x[start : start + 500].astype("float64"), patch_size)
        covariance += patches.T @ patches
        count += len(patches)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance / count)  # ascending order
    order = np.argsort(eigenvalues)[::-1]
    filters = eigenvectors[:, order] / np.sqrt(eigenvalues[order] + eps)
    kernel = filters.reshape(patch_size, patch_size, c, dim)
    return np.concatenate([kernel, -kernel], axis=-1).astype("float32")
    # --8<-- [end:whitening_eigen]


# --8<-- [end:whitening_kernel]


def _patches(x: np.ndarray, size: int) -> np.ndarray:
    """Every ``size`` x ``size`` patch of every image, one row each, (row, col, channel) order."""
    n, h, w, c = x.shape
    rows = [
        x[:, i : i + h - size + 1, j : j + w - size + 1, :]
        for i in range(size)
        for j in range(size)
    ]
    # (n, h', w', size*size, c) -> (n*h'*w', size*size*c), matching a (size, size, c) kernel
    return np.stack(rows, axis=3).reshape(-1, size * size * c)


@keras.saving.register_keras_serializable(package="companion")
class PatchWhitening(layers.Layer):
    """A convolution with a fixed (not trained) kernel and a trained bias.

    Args:
        kernel: the kernel from ``whitening_kernel``, or None for one of the right
            shape filled with zeros (to be set with ``set_kernel`` or loaded from weights).
        filters: the number of filters when ``kernel`` is None.
        patch_size: the kernel's side when ``kernel`` is None.
    """

    def __init__(self, kernel=None, filters: int = 24, patch_size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if kernel is not None:
            kernel = np.asarray(kernel, dtype="float32")
            patch_size, filters = kernel.shape[0], kernel.shape[-1]
        self._initial = kernel
        self.filters, self.patch_size = filters, patch_size

    def build(self, input_shape):
        """Create the fixed kernel (the given one, or zeros) and the trained bias.

        Args:
            input_shape: the shape of the input batch, channels last.
        """
        shape = (self.patch_size, self.patch_size, input_shape[-1], self.filters)
        initial = self._initial
        self.kernel = self.add_weight(
            shape=shape,
            initializer=(lambda *_, **__: initial) if initial is not None else "zeros",
            trainable=False,
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, x):
        """Convolve with the fixed kernel ("valid" padding, stride 1) and add the bias.

        Args:
            x: images (batch, height, width, channels).

        Returns:
            (batch, height - patch_size + 1, width - patch_size + 1, filters), in the
                dtype of ``x``.
        """
        return ops.conv(x, ops.cast(self.kernel, x.dtype), padding="valid") + ops.cast(
            self.bias, x.dtype
        )

    def get_config(self):
        """The layer's config; the kernel itself is saved with the weights.

        Returns:
            A dict with ``filters`` and ``patch_size`` added to the base layer's config.
        """
        return {**super().get_config(), "filters": self.filters, "patch_size": self.patch_size}


@keras.saving.register_keras_serializable(package="companion")
class PartialIdentity(keras.initializers.Initializer):
    """PyTorch's default convolution initialisation, with the first filters set to identity.

    A convolution from ``c`` to ``c_out >= c`` channels starts by passing its ``c`` input
    channels through unchanged (a 1 in the kernel's centre), as ``torch.nn.init.dirac_``;
    the other filters are drawn uniformly in ±1/sqrt(fan_in), PyTorch's default.

    Args:
        seed: seed of the uniform draw.
    """

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        # scale 1/3 with fan_in and uniform gives PyTorch's bound 1/sqrt(fan_in)
        draw = keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform", seed=self.seed)
        kernel = ops.convert_to_numpy(draw(shape, dtype="float32"))
        # --8<-- [start:identity_part]
        height, width, c_in, c_out = shape
        n = min(c_in, c_out)
        kernel[:, :, :, :n] = 0.0
        kernel[height // 2, width // 2, np.arange(n), np.arange(n)] = 1.0
        # --8<-- [end:identity_part]
        return ops.convert_to_tensor(kernel, dtype=dtype or "float32")

    def get_config(self):
        """The initializer's config.

        Returns:
            ``{"seed": seed}``.
        """
        return {"seed": self.seed}


# --8<-- [start:conv_group]
def conv_group(x, width: int, *, dirac: bool = True, momentum: float = 0.6, seed=None):
    """airbench's block: two 3x3 convolutions (a 2x2 max pool after the first),
    each followed by BatchNorm (a bias, no scale) and GELU.

    Args:
        x: the input tensor (batch, height, width, channels).
        width: the filters of both convolutions.
        dirac: start the convolutions as identities (``PartialIdentity``).
        momentum: BatchNormalization's momentum.
        seed: seed of the initial weights.

    Returns:
        The output tensor (batch, height / 2, width / 2, ``width``).
    """
    uniform = keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform", seed=seed)
    init = PartialIdentity(seed) if dirac else uniform  # uniform: PyTorch's default
    conv = dict(padding="same", use_bias=False, kernel_initializer=init)
    for i in range(2):
        x = layers.Conv2D(width, 3, **conv)(x)
        if i == 0:
            x = layers.MaxPooling2D(2)(x)
        x = layers.BatchNormalization(momentum=momentum, epsilon=1e-12, scale=False)(x)
        x = layers.Activation(keras.activations.gelu)(x)
    return x


# --8<-- [end:conv_group]


# --8<-- [start:build_airbench]
def build_airbench(
    whitening=None,
    widths=WIDTHS,
    *,
    dirac: bool = True,
    output_scale: float = 1 / 9,
    input_shape=(32, 32, 3),
    num_classes: int = 10,
    seed=None,
) -> keras.Model:
    """The airbench94 network in Keras 3: whitening, three conv groups, a scaled linear output.

    Args:
        whitening: the first layer's kernel (``whitening_kernel``); None trains an
            ordinary 2x2 convolution there instead (the ablation without whitening).
        widths: the three groups' widths.
        dirac: start the 3x3 convolutions as identities (``PartialIdentity``).
        output_scale: the logits are multiplied by it (1/9 in airbench94).
        input_shape: one image's shape (standardized pixels).
        num_classes: the number of classes.
        seed: seed of the initial weights.

    Returns:
        An uncompiled ``keras.Model`` that outputs logits (no softmax).
    """
    # --8<-- [start:airbench_layers]
    inputs = keras.Input(input_shape)
    if whitening is not None:
        x = PatchWhitening(whitening, name="whitening")(inputs)
    else:
        x = layers.Conv2D(2 * 4 * input_shape[-1], 2, name="first_conv")(inputs)
    x = layers.Activation(keras.activations.gelu)(x)
    for width in widths:
        x = conv_group(x, width, dirac=dirac, seed=seed)
    x = layers.MaxPooling2D(3)(x)  # 3x3 after the third group: one vector per image
    x = layers.Flatten()(x)
    x = layers.Dense(num_classes, use_bias=False, name="logits")(x)
    outputs = layers.Rescaling(output_scale)(x)
    return keras.Model(inputs, outputs, name="airbench")
    # --8<-- [end:airbench_layers]


# --8<-- [end:build_airbench]
