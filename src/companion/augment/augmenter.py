"""``ImageAugmenter``: the options of the old ``ImageDataGenerator`` as one Keras 3 layer.

The random options draw only while training and are composed into one affine transform per
image (see ``affine``); the statistics options are fitted on data with
``ImageAugmenter.fit`` and then apply always, at training and at test time.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ..statistics import channel_mean_std
from . import options
from .affine import random_affine
from .checks import check_batch, check_statistics_batch
from .shear import CentredShear
from .zca import ZCAWhitening

#: the old API's divisor guard: x / (std + 1e-6)
STD_EPSILON = 1e-6


def _switch(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


@keras.saving.register_keras_serializable(package="companion")
class ImageAugmenter(keras.layers.Layer):
    """The familiar ``ImageDataGenerator`` options, on Keras 3 layers; works on every backend.

    Use it as a layer in a model, or as a data pipeline step with ``flow`` /
    ``flow_from_directory``. The random options act only when ``training=True``; the
    statistics options apply always, so a model that contains the augmenter standardizes
    its test images itself. The order is the old API's: geometric transforms, ``rescale``,
    sample-wise standardization, feature-wise statistics, ZCA.

    Args:
        rotation_range: the largest rotation either way, in degrees (0 to 180).
        width_shift_range: the largest horizontal shift: a fraction of the width below 1,
            or an ``int`` number of pixels.
        height_shift_range: the largest vertical shift, in the same units.
        shear_range: the largest shear angle in degrees (0 to 45), about the image centre.
        zoom_range: ``z`` in [0, 1) for a zoom factor in ``[1 - z, 1 + z]``, or
            ``[lower, upper]``; below 1 zooms in. Height and width zoom independently.
        horizontal_flip: flip half of the images left to right.
        vertical_flip: flip half of the images top to bottom (on its own coin).
        featurewise_center: subtract the training set's mean, one per channel (needs
            ``fit``).
        featurewise_std_normalization: also divide by its standard deviation per channel;
            implies ``featurewise_center``.
        samplewise_center: subtract each image's own mean (over all pixels and channels).
        samplewise_std_normalization: also divide by each image's own standard deviation;
            implies ``samplewise_center``.
        zca_whitening: whiten with a ZCA matrix (``companion.augment.ZCAWhitening``,
            needs ``fit``).
        zca_epsilon: the ZCA matrix's ``epsilon``.
        fill_mode: how points outside the image are filled: ``"constant"``,
            ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value for ``fill_mode="constant"``.
        rescale: a factor the pixels are multiplied by (e.g. ``1 / 255``); None or 0 for none.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: seeds the random layers (each its own, derived from it); None for fresh ones.
        **kwargs: ``keras.layers.Layer``'s arguments (``name``, ``dtype`` ...).

    Raises:
        TypeError: for an option of the wrong type (a flip that is not a bool, a range that
            is not a number).
        ValueError: for an option out of range (negative, a float shift of 1 or more, a
            shear beyond 45 degrees, an unknown mode, ``zca_epsilon`` not positive).
    """

    def __init__(
        self,
        rotation_range: float = 0.0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        shear_range: float = 0.0,
        zoom_range=0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        featurewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_center: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        rescale: float | None = None,
        interpolation: str = "bilinear",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        # Check everything now, so that a wrong option fails where it is written.
        self._rotation = options.rotation_factor(rotation_range)
        self._width_shift = options.shift_range("width_shift_range", width_shift_range)
        self._height_shift = options.shift_range("height_shift_range", height_shift_range)
        self._shear = options.shear_factor(shear_range)
        self._zoom = options.zoom_bounds(zoom_range) if zoom_range != 0 else (1.0, 1.0)
        self._flip = options.flip_mode(horizontal_flip, vertical_flip)
        self.fill_mode = options.check_fill_mode(fill_mode)
        self.interpolation = options.check_interpolation(interpolation)
        self.cval = float(cval)
        self.rescale = options.check_rescale(rescale)
        # The old API: std normalization and ZCA both imply centring.
        self.featurewise_center = bool(featurewise_center or featurewise_std_normalization)
        self.featurewise_std_normalization = bool(featurewise_std_normalization)
        self.samplewise_center = _switch("samplewise_center", samplewise_center) or bool(
            samplewise_std_normalization
        )
        self.samplewise_std_normalization = _switch(
            "samplewise_std_normalization", samplewise_std_normalization
        )
        self.zca_whitening = bool(zca_whitening)
        self.seed = seed
        self._config = dict(
            rotation_range=rotation_range,
            width_shift_range=width_shift_range,
            height_shift_range=height_shift_range,
            shear_range=shear_range,
            zoom_range=zoom_range,
            horizontal_flip=horizontal_flip,
            vertical_flip=vertical_flip,
            featurewise_center=featurewise_center,
            featurewise_std_normalization=featurewise_std_normalization,
            samplewise_center=samplewise_center,
            samplewise_std_normalization=samplewise_std_normalization,
            zca_whitening=zca_whitening,
            zca_epsilon=zca_epsilon,
            fill_mode=fill_mode,
            cval=cval,
            rescale=rescale,
            interpolation=interpolation,
            seed=seed,
        )
        self.zca = ZCAWhitening(epsilon=zca_epsilon, name="zca") if zca_whitening else None
        self.random_layers: list = []
        self._fitted = False

    # ----------------------------------------------------------------- building
    def build(self, input_shape):
        """Make the random layers and the statistics' weights for images of this shape.

        Args:
            input_shape: (batch, height, width, channels).

        Raises:
            ValueError: if a shift in pixels is not under the image size.
        """
        _, height, width, channels = input_shape
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
        self.random_layers = layers
        if self.featurewise_center:
            self.feature_mean = self.add_weight(
                shape=(channels,), initializer="zeros", trainable=False, name="mean"
            )
            self.feature_std = self.add_weight(
                shape=(channels,), initializer="ones", trainable=False, name="std"
            )
        if self.zca is not None:
            self.zca.build(input_shape)
        self._input_shape = tuple(input_shape[1:])

    # ------------------------------------------------------------------ fitting
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

    def _check_size(self, shape):
        if tuple(shape[1:]) != self._input_shape and None not in self._input_shape:
            raise ValueError(
                f"this augmenter was built for images of shape {self._input_shape}, "
                f"got {tuple(shape[1:])}; make a new ImageAugmenter for images of another size."
            )

    # ------------------------------------------------------------------ calling
    def call(self, images, training=None):
        """Augment (when training) and standardize a batch.

        Args:
            images: a batch (batch, height, width, channels).
            training: apply the random transforms.

        Returns:
            The batch, same shape, in the layer's compute dtype (float32 by default).

        Raises:
            RuntimeError: if statistics are needed and ``fit`` has not run.
        """
        if self.needs_fit and not self._fitted:
            raise RuntimeError(
                "featurewise_center / featurewise_std_normalization / zca_whitening "
                "need statistics: call augmenter.fit(x_train) before using the augmenter."
            )
        x = ops.cast(images, self.compute_dtype)
        if training and self.random_layers:
            x = random_affine(x, self.random_layers, self.interpolation, self.fill_mode, self.cval)
        if self.rescale is not None:
            x = x * self.rescale
        x = self._samplewise(x)
        if self.featurewise_center:
            x = (x - self.feature_mean) / (self.feature_std + STD_EPSILON)
        if self.zca is not None:
            x = self.zca(x)
        return x

    def _samplewise(self, x):
        """Each image on its own: minus its mean, divided by its standard deviation."""
        if self.samplewise_center:
            x = x - ops.mean(x, axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (ops.std(x, axis=(1, 2, 3), keepdims=True) + STD_EPSILON)
        return x

    def __call__(self, images, *args, **kwargs):
        check_batch(images)
        if self.built:
            self._check_size(images.shape)
        return super().__call__(images, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        """The output has the input's shape.

        Args:
            input_shape: (batch, height, width, channels).

        Returns:
            ``input_shape``.
        """
        return input_shape

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

    # --------------------------------------------------------------- pipelines
    def flow(
        self,
        x,
        y=None,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        """Batches of augmented ``x`` (and ``y``), as the old ``flow`` gave them.

        Args:
            x: the images (N, height, width, channels).
            y: the labels, N of them, or None.
            batch_size: images per batch.
            shuffle: draw a new order every epoch.
            seed: makes the order and the transforms repeat; None for fresh ones.
            save_to_dir: an existing folder to write every augmented image to, or None.
            save_prefix: the start of the saved files' names.
            save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
            **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

        Returns:
            An ``companion.augment.ArrayBatches``, a ``keras.utils.PyDataset``: one
            pass is one epoch.

        Raises:
            ValueError: if ``x`` is not a batch of finite images, ``y`` has another
                length, or an option is out of range.
            TypeError: if ``x`` does not hold numbers.
            RuntimeError: if statistics are needed and ``fit`` has not run.
            FileNotFoundError: if ``save_to_dir`` does not exist.
        """
        from .flow import ArrayBatches

        return ArrayBatches(
            self,
            x,
            y,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            **kwargs,
        )

    def flow_from_directory(
        self,
        directory,
        target_size=(256, 256),
        color_mode: str = "rgb",
        classes=None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        """Batches read from ``directory/<class>/<image>`` and augmented, labelled by folder.

        Args:
            directory: the folder holding one sub-folder per class.
            target_size: (height, width) in pixels the images are resized to.
            color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
            classes: the class folders' names in label order; None for all, sorted by name.
            class_mode: ``"categorical"``, ``"binary"``, ``"sparse"``, ``"input"`` or None.
            batch_size: images per batch.
            shuffle: draw a new order every epoch.
            seed: makes the order and the transforms repeat; None for fresh ones.
            save_to_dir: an existing folder to write every augmented image to, or None.
            save_prefix: the start of the saved files' names.
            save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
            **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

        Returns:
            A ``companion.augment.DirectoryBatches``, a ``keras.utils.PyDataset``.

        Raises:
            FileNotFoundError: if ``directory`` or a class folder is missing or holds no
                image, or ``save_to_dir`` does not exist.
            DataFormatError: if a link leads out of ``directory`` or an image is unreadable.
            ValueError: for an unknown mode or format, or a bad size or ``batch_size``.
            RuntimeError: if statistics are needed and ``fit`` has not run.
        """
        from .flow import DirectoryBatches

        return DirectoryBatches(
            self,
            directory,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            **kwargs,
        )

    def load_own_variables(self, store):
        """Load the saved statistics; the augmenter then counts as fitted.

        Args:
            store: the saved variables, as Keras passes them.
        """
        super().load_own_variables(store)
        self._fitted = True

    def get_config(self):
        """The layer's config: every constructor argument as given.

        Returns:
            The base layer's config with the augmenter's options added.
        """
        return {**super().get_config(), **self._config}
