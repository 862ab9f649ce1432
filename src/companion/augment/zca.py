"""ZCA whitening as a Keras layer: fit on data with NumPy, applied as one matrix product.

Whitening makes the pixels uncorrelated with unit variance. Of all the matrices that do
that, ZCA's ``W = U diag(1 / sqrt(s + epsilon)) U^T`` (``U``, ``s``: eigenvectors and
eigenvalues of the pixel covariance) changes the images least, so they still look like
images, with edges brought out. ``epsilon`` plays the role of the old API's
``zca_epsilon`` (default 1e-6): it keeps the near-zero-variance directions (e.g. MNIST's
always-black border) from being blown up.

Unlike the old ``ImageDataGenerator``, which subtracted one mean per channel and then used
the second moment, this layer subtracts each pixel's own mean, so the whitened fit data has
(near) identity covariance.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="companion")
class ZCAWhitening(keras.layers.Layer):
    """Decorrelate the pixels of each image with a matrix fitted by :meth:`fit`."""

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        if not epsilon > 0:
            raise ValueError(
                f"epsilon must be positive (the old API's zca_epsilon is 1e-6), got {epsilon}"
            )
        self.epsilon = float(epsilon)
        self.fitted = False

    def build(self, input_shape):
        size = int(np.prod(input_shape[1:]))
        self.mean = self.add_weight(
            shape=(size,), initializer="zeros", trainable=False, name="mean"
        )
        self.matrix = self.add_weight(
            shape=(size, size), initializer="identity", trainable=False, name="matrix"
        )

    def fit(self, images) -> ZCAWhitening:
        """Compute the per-pixel mean and the whitening matrix from ``images`` (N, H, W, C)."""
        images = np.asarray(images)
        flat = images.reshape(len(images), -1).astype("float64")
        n, size = flat.shape
        if n <= size:
            raise ValueError(
                "ZCA whitening needs more images than values per image: "
                f"got {n} images of {size} values ({images.shape[1:]}). "
                "With fewer the covariance is singular and the whitening amplifies noise. "
                f"Fit on at least {size + 1} images, "
                "or on smaller (e.g. resized or grey) images."
            )
        if not self.built:
            self.build(images.shape)
        elif tuple(self.mean.shape) != (size,):
            raise ValueError(
                f"this ZCA layer was built for {self.mean.shape[0]} values per image, got {size}"
            )
        # --8<-- [start:zca_fit]
        mean = flat.mean(axis=0)  # each pixel's own mean: (size,)
        centred = flat - mean
        covariance = centred.T @ centred / n  # (size, size): how pixels vary together
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # covariance = U diag(s) U^T
        eigenvalues = np.clip(eigenvalues, 0.0, None)  # round-off can make tiny ones negative
        # W = U diag(1 / sqrt(s + epsilon)) U^T: scale each direction to variance 1, in
        # the pixels' own coordinates (PCA whitening would stop at diag(...) U^T)
        matrix = (eigenvectors / np.sqrt(eigenvalues + self.epsilon)) @ eigenvectors.T
        # --8<-- [end:zca_fit]
        self.mean.assign(mean.astype("float32"))
        self.matrix.assign(matrix.astype("float32"))
        self.fitted = True
        return self

    # --8<-- [start:zca_call]
    def call(self, images):  # every image: subtract the means, then one matrix product
        shape = ops.shape(images)
        flat = ops.reshape(images, (-1, self.mean.shape[0]))
        return ops.reshape(ops.matmul(flat - self.mean, self.matrix), shape)
        # --8<-- [end:zca_call]

    def load_own_variables(self, store):
        super().load_own_variables(store)
        self.fitted = True

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
