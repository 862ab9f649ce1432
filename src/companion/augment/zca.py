"""ZCA whitening as a Keras layer: fit on data with NumPy, applied as one matrix product.

Unlike the old ``ImageDataGenerator``, which subtracted one mean per channel, the layer
subtracts each pixel's own mean, so the whitened fit data has (near) identity covariance.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="companion")
class ZCAWhitening(keras.layers.Layer):
    """Decorrelate the pixels of each image with a matrix fitted by ``fit``.

    Args:
        epsilon: added to the covariance's eigenvalues, so that near-zero-variance
            directions (MNIST's black border) are not blown up; the old API's
            ``zca_epsilon``.
        **kwargs: ``keras.layers.Layer``'s arguments (``name``, ``dtype`` ...).

    Raises:
        ValueError: if ``epsilon`` is not positive.
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        if not epsilon > 0:
            raise ValueError(
                f"epsilon must be positive (the old API's zca_epsilon is 1e-6), got {epsilon}"
            )
        self.epsilon = float(epsilon)
        self.fitted = False

    def build(self, input_shape):
        """Create the means (zeros) and the matrix (identity) for images of this shape.

        Args:
            input_shape: (batch, height, width, channels).
        """
        size = int(np.prod(input_shape[1:]))
        self.mean = self.add_weight(
            shape=(size,), initializer="zeros", trainable=False, name="mean"
        )
        self.matrix = self.add_weight(
            shape=(size, size), initializer="identity", trainable=False, name="matrix"
        )

    def fit(self, images) -> ZCAWhitening:
        """Compute the per-pixel mean and the whitening matrix.

        Args:
            images: (N, height, width, channels), more images than values per image.

        Returns:
            The layer itself.

        Raises:
            ValueError: if there are too few images, or the layer was built for another
                image size.
        """
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
        """Whiten a batch.

        Args:
            images: (batch, height, width, channels) of the size the layer was fitted on.

        Returns:
            The whitened batch, of the same shape.
        """
        shape = ops.shape(images)
        flat = ops.reshape(images, (-1, self.mean.shape[0]))
        return ops.reshape(ops.matmul(flat - self.mean, self.matrix), shape)
        # --8<-- [end:zca_call]

    def load_own_variables(self, store):
        """Load the saved means and matrix; the layer then counts as fitted.

        Args:
            store: the saved variables, as Keras passes them.
        """
        super().load_own_variables(store)
        self.fitted = True

    def get_config(self):
        """The layer's config (the fitted values are saved with the weights).

        Returns:
            The base layer's config with ``epsilon`` added.
        """
        return {**super().get_config(), "epsilon": self.epsilon}
