"""The random options of ``ImageAugmenter`` as Keras random layers, seeded from one seed.

Which layers the options make, in which order, and the one seed scheme
(``layer_seeds``) by which every layer gets its own seed, both when the augmenter is made
and when ``reseed``, ``augment(seed=...)`` or ``flow(seed=...)`` restarts it.
``ImageAugmenter`` inherits these methods (``companion.augment.augmenter``).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from . import options
from .checks import check_batch
from .shear import CentredShear

#: The steps ``order`` may name. The default order is the old API's: one matrix applied
#: rotation first, then shear, zoom, shift and the flips.
STEPS = ("rotation", "shear", "zoom", "shift", "horizontal_flip", "vertical_flip")
#: Seeds of neighbouring steps lie this far apart (a prime).
SEED_STEP = 1009
#: Seeds stay below this, so that they fit a generator's state.
SEED_LIMIT = 2**31 - 1


# --8<-- [start:layer_seeds]
def layer_seeds(seed: int | None, count: int) -> list[int | None]:
    """The one seed scheme: step ``i`` of ``order`` gets ``seed + 1009 * i``.

    Layers given the same seed draw the same numbers (the flip would be decided by the
    very draw that sets the rotation angle), so each step gets its own. A step that is
    off keeps its number: turning rotation on does not change the shifts' seed.

    Args:
        seed: the augmenter's seed, or None.
        count: how many steps.

    Returns:
        ``count`` distinct integers (modulo 2**31 - 1), or ``count`` Nones for None.
    """
    if seed is None:
        return [None] * count
    return [(int(seed) + SEED_STEP * i) % SEED_LIMIT for i in range(count)]
    # --8<-- [end:layer_seeds]


def check_order(order, in_use: set[str]) -> tuple[str, ...]:
    """Check ``order``: steps from ``STEPS``, each once, every step in use among them.

    Args:
        order: a sequence of step names.
        in_use: the steps the options turn on.

    Returns:
        ``order`` as a tuple.

    Raises:
        TypeError: if ``order`` is not a sequence of strings.
        ValueError: for an unknown or repeated step, or a step in use left out.
    """
    if isinstance(order, str) or not all(isinstance(step, str) for step in order):
        raise TypeError(f"order must be a sequence of step names, got {order!r}")
    order = tuple(order)
    unknown = [step for step in order if step not in STEPS]
    if unknown:
        raise ValueError(f"unknown step {unknown[0]!r} in order; the steps: {', '.join(STEPS)}")
    if len(set(order)) != len(order):
        raise ValueError(f"order names a step twice: {order}")
    missing = sorted(in_use - set(order))
    if missing:
        raise ValueError(f"order leaves out {', '.join(missing)}, which the options turn on")
    return order


class RandomTransforms:
    """``ImageAugmenter``'s random layers: making them, reseeding them, ``augment``."""

    def _steps_in_use(self) -> set[str]:
        """The steps of ``STEPS`` that the options turn on."""
        return {
            step
            for step, on in (
                ("rotation", self._rotation),
                ("shear", self._shear),
                ("zoom", self._zoom != (1.0, 1.0)),
                ("shift", self._width_shift[1] or self._height_shift[1]),
                ("horizontal_flip", self._flip in ("horizontal", "horizontal_and_vertical")),
                ("vertical_flip", self._flip in ("vertical", "horizontal_and_vertical")),
            )
            if on
        }

    def _make_random_layers(self, height: int, width: int) -> list:
        """The random layers the options ask for, in ``order``, for ``height`` x ``width``."""
        common = dict(
            fill_mode=self.fill_mode, interpolation=self.interpolation, fill_value=self.cval
        )
        in_use = self._steps_in_use()
        seeds = layer_seeds(self.seed, len(self.order))
        layers, self._slots = [], []
        for slot, step in enumerate(self.order):
            if step not in in_use:
                continue  # the step keeps its slot, and so do the others' seeds
            seed = seeds[slot]
            if step == "rotation":
                layer = keras.layers.RandomRotation(self._rotation, seed=seed, **common)
            elif step == "shear":
                layer = CentredShear(x_factor=self._shear, seed=seed, **common)
            elif step == "zoom":
                factor = (self._zoom[0] - 1.0, self._zoom[1] - 1.0)
                # width_factor None: one draw for both axes (RandomZoom's default);
                # given: height and width zoom independently, as in the old API
                width_factor = None if self.keep_aspect else factor
                layer = keras.layers.RandomZoom(factor, width_factor, seed=seed, **common)
            elif step == "shift":
                dy = options.shift_fraction(self._height_shift, height)
                dx = options.shift_fraction(self._width_shift, width)
                layer = keras.layers.RandomTranslation(dy, dx, seed=seed, **common)
            else:
                # Two flip layers, not RandomFlip("horizontal_and_vertical"): that mode draws
                # once and flips both axes together; the old API flipped each on its own coin.
                layer = keras.layers.RandomFlip(step.removesuffix("_flip"), seed=seed)
            layers.append(layer)
            self._slots.append(slot)
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
        """One generator seed per random layer, from ``seed`` by ``layer_seeds``."""
        seeds = layer_seeds(seed, len(self.order))
        return [seeds[slot] for slot in self._slots]

    def reseed(self, seed: int) -> None:
        """Restart every random layer's generator from ``seed`` (what makes seeded runs repeat).

        Args:
            seed: an integer; each layer's own seed is derived from it by ``layer_seeds``,
                as when the augmenter is made with ``seed``.
        """
        for layer, value in zip(self.random_layers, self._seed_values(seed), strict=True):
            state = layer.generator.state
            state.assign(ops.convert_to_tensor([value, 0], dtype=state.dtype))
