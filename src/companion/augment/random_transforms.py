"""The random options of ``ImageAugmenter`` as Keras random layers, seeded from one seed.

Which layers the options make (each with its own seed derived from the augmenter's),
restarting their generators (``reseed``), and augmenting one batch now (``augment``),
compiled once for ``flow``. ``ImageAugmenter`` inherits these methods
(``companion.augment.augmenter``).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from . import options
from .checks import check_batch
from .shear import CentredShear


class RandomTransforms:
    """``ImageAugmenter``'s random layers: making them, reseeding them, ``augment``."""

    def _make_random_layers(self, height: int, width: int) -> list:
        """The random layers the options ask for, for images of ``height`` x ``width``."""
        common = dict(
            fill_mode=self.fill_mode, interpolation=self.interpolation, fill_value=self.cval
        )
        # Seeded: each random layer gets its own seed derived from ours; unseeded: fresh ones.
        seeds = iter(
            [None] * 6 if self.seed is None else [self.seed + 1000 * k for k in range(1, 7)]
        )
        layers = []
        if self._rotation:
            layers.append(keras.layers.RandomRotation(self._rotation, seed=next(seeds), **common))
        if self._shear:
            layers.append(CentredShear(x_factor=self._shear, seed=next(seeds), **common))
        if self._zoom != (1.0, 1.0):
            factor = (self._zoom[0] - 1.0, self._zoom[1] - 1.0)
            # width_factor given: height and width zoom independently, as in the old API
            layers.append(
                keras.layers.RandomZoom(factor, width_factor=factor, seed=next(seeds), **common)
            )
        if self._width_shift[1] or self._height_shift[1]:
            dy = options.shift_fraction(self._height_shift, height)
            dx = options.shift_fraction(self._width_shift, width)
            layers.append(keras.layers.RandomTranslation(dy, dx, seed=next(seeds), **common))
        # Two flip layers, not RandomFlip("horizontal_and_vertical"): that mode draws once and
        # flips both axes together, while the old API flipped each axis on its own coin.
        for mode in ("horizontal", "vertical"):
            if self._flip in (mode, "horizontal_and_vertical"):
                layers.append(keras.layers.RandomFlip(mode, seed=next(seeds)))
        return layers

    def augment(self, images, seed: int | None = None, compiled: bool = False) -> np.ndarray:
        """Augment one batch now (as when training); with ``seed`` the result repeats exactly.

        Args:
            images: a batch (batch, height, width, channels).
            seed: reseeds the random layers first; None continues their sequence.
            compiled: run as one compiled function (what ``flow`` uses): a one-off
                compilation that makes every later batch fast; for a single batch, running
                op by op is quicker.

        Returns:
            A NumPy array of the same shape, float32 by default.

        Raises:
            ValueError: if ``images`` is not a batch of finite images, or has another size
                than the augmenter was built for.
            TypeError: if ``images`` does not hold numbers.
            RuntimeError: if statistics are needed and ``fit`` has not run.
        """
        check_batch(images)
        if not self.built:
            self.build(tuple(images.shape))
        x = ops.convert_to_tensor(images)
        if compiled:
            seeds = None if seed is None else np.asarray(self._seed_values(seed), dtype="int64")
            return ops.convert_to_numpy(self._compiled_call()(x, seeds))
        if seed is not None:
            self.reseed(seed)
        return ops.convert_to_numpy(self(x, training=True))

    def _compiled_call(self):
        """``self(x, training=True)`` after an optional reseed, compiled once where that is cheap.

        Run op by op (eagerly), a batch costs a few hundred small TensorFlow operations;
        a ``tf.function`` runs them, the reseeding included, as one graph, which is what
        makes ``flow`` fast.
        """
        if getattr(self, "_compiled", None) is None:

            def call(x, seeds=None):
                if seeds is not None:
                    for k, layer in enumerate(self.random_layers):
                        state = layer.generator.state
                        state.assign(ops.cast(ops.stack([seeds[k], 0 * seeds[k]]), state.dtype))
                return self(x, training=True)

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf  # only on this backend, and only when asked for

                call = tf.function(call, reduce_retracing=True, autograph=False)
            self._compiled = call
        return self._compiled

    def _seed_values(self, seed: int) -> list[int]:
        """One generator seed per random layer, all derived from ``seed``."""
        return [
            (int(seed) * 7919 + k * 104729) % (2**31 - 1) for k in range(len(self.random_layers))
        ]

    def reseed(self, seed: int) -> None:
        """Restart every random layer's generator from ``seed`` (what makes seeded runs repeat).

        Args:
            seed: an integer; each layer's own seed is derived from it.
        """
        for layer, value in zip(self.random_layers, self._seed_values(seed), strict=True):
            state = layer.generator.state
            state.assign(ops.convert_to_tensor([value, 0], dtype=state.dtype))
