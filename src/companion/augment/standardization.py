"""The statistics options of ``ImageAugmenter``: fitted on data, then applied always.

Feature-wise centring and std normalization (one mean and std per channel) and ZCA are
learnt by ``fit``; sample-wise standardization needs no fit. ``ImageAugmenter`` inherits
these methods (``companion.augment.augmenter``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from keras import ops

from ..statistics import channel_mean_std
from .checks import check_batch, check_statistics_batch

if TYPE_CHECKING:
    from .augmenter import ImageAugmenter

#: the old API's divisor guard: x / (std + 1e-6)
STD_EPSILON = 1e-6


class Standardization:
    """``ImageAugmenter``'s statistics: ``needs_fit``, ``fit`` and the sample-wise step."""

    @property
    def needs_fit(self) -> bool:
        """Whether ``fit`` must run first: feature-wise statistics or ZCA are on."""
        return self.featurewise_center or self.zca_whitening

    def fit(self, images) -> ImageAugmenter:
        """Learn the feature-wise statistics (per channel, as the old API) and the ZCA matrix.

        ``rescale`` and the sample-wise standardization are applied first, so the statistics
        are those of the images that they will later be applied to (the old ``fit`` skipped
        both).

        Args:
            images: the training images (N, height, width, channels), N >= 2 (for ZCA more
                than the values per image).

        Returns:
            The augmenter itself.

        Raises:
            ValueError: if ``images`` is not a batch of finite images, holds fewer images
                than the statistics need, or has another size than the augmenter was built
                for.
            TypeError: if ``images`` does not hold numbers.
        """
        images = np.asarray(images)
        check_batch(images)  # a batch of images, all values finite
        if self.needs_fit:
            check_statistics_batch(images)
        x = images.astype("float32")
        if self.rescale is not None:
            x = x * self.rescale
        if not self.built:
            self.build(x.shape)
        self._check_size(x.shape)
        if self.samplewise_center:
            x = ops.convert_to_numpy(self._samplewise(ops.convert_to_tensor(x)))
        if self.featurewise_center:
            # float64, a slice at a time: a float32 sum over a whole dataset stops growing
            mean, std = channel_mean_std(x)
            if not self.featurewise_std_normalization:
                std = np.ones_like(mean)
            mean, std = mean.astype("float32"), std.astype("float32")
            self.feature_mean.assign(mean)
            self.feature_std.assign(std)
            x = (x - mean) / (std + STD_EPSILON)
        if self.zca is not None:
            self.zca.fit(x)
        self._fitted = True
        return self

    def _samplewise(self, x):
        """Each image on its own: minus its mean, divided by its standard deviation."""
        if self.samplewise_center:
            x = x - ops.mean(x, axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (ops.std(x, axis=(1, 2, 3), keepdims=True) + STD_EPSILON)
        return x
