"""``ImageAugmenter``: the options of the old ``ImageDataGenerator`` as one Keras 3 layer.

The random options draw only while training and are composed into one affine transform per
image (see ``affine``), or applied one Keras layer after another (``resample="each"``, as
the named recipes of ``presets`` do); the statistics options are fitted on data with
``ImageAugmenter.fit`` and then apply always, at training and at test time.

The class is written in four parts: this module (the options, ``build``, ``call``, the
config), ``standardization`` (``fit`` and the statistics), ``random_transforms`` (the
seeded random layers, ``reseed``, ``augment``) and ``pipelines`` (``flow``,
``flow_from_directory``).
"""

from __future__ import annotations

import keras
from keras import ops

from . import options, presets
from .affine import random_affine
from .checks import check_batch
from .pipelines import Pipelines
from .random_transforms import STEPS, RandomTransforms, check_order
from .standardization import STD_EPSILON, Standardization
from .zca import ZCAWhitening

__all__ = ["STD_EPSILON", "ImageAugmenter"]


def _switch(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


@keras.saving.register_keras_serializable(package="companion")
class ImageAugmenter(Standardization, RandomTransforms, Pipelines, keras.layers.Layer):
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
        seed: seeds the random layers, each its own (``random_transforms.layer_seeds``);
            None for fresh ones.
        order: the order the random steps apply in, from ``"rotation"``, ``"shear"``,
            ``"zoom"``, ``"shift"``, ``"horizontal_flip"``, ``"vertical_flip"`` (the
            default, the old API's); every step in use must be named.
        resample: ``"once"``: compose the steps into one transform and resample once, as
            the old API did; ``"each"``: apply them as Keras layers, each resampling.
        keep_aspect: zoom height and width by one draw (``keras.layers.RandomZoom``'s
            default) instead of two independent ones (the old API's).
        **kwargs: ``keras.layers.Layer``'s arguments (``name``, ``dtype`` ...).

    Raises:
        TypeError: for an option of the wrong type (a flip that is not a bool, a range that
            is not a number).
        ValueError: for an option out of range (negative, a float shift of 1 or more, a
            shear beyond 45 degrees, an unknown mode or step, ``zca_epsilon`` not
            positive).
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
        order=STEPS,
        resample: str = "once",
        keep_aspect: bool = False,
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
        self.order = check_order(order, self._steps_in_use())
        if resample not in ("once", "each"):
            raise ValueError(f"resample must be 'once' or 'each', got {resample!r}")
        self.resample = resample
        self.keep_aspect = _switch("keep_aspect", keep_aspect)
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
            order=list(self.order),
            resample=resample,
            keep_aspect=keep_aspect,
        )
        self.zca = ZCAWhitening(epsilon=zca_epsilon, name="zca") if zca_whitening else None
        self.random_layers: list = []
        self._fitted = False

    @classmethod
    def preset(cls, name: str, *, seed: int | None = None, **overrides) -> ImageAugmenter:
        """An augmenter made from one of the named recipes of ``presets.PRESETS``.

        Args:
            name: ``"cifar10_cnn"`` (chapters 03, 05, 13), ``"cifar10_deep_cnn"``
                (chapter 04), ``"cats_vs_dogs"`` or ``"cats_vs_dogs_lite0"`` (chapter 11).
            seed: seeds the random layers; None for fresh ones.
            **overrides: options that replace the recipe's (e.g. ``shear_range=0``).

        Returns:
            An ``ImageAugmenter`` named ``augmentation`` (a model's summary and diagram show
                that name; pass ``name=`` to choose another).

        Raises:
            ValueError: for an unknown name (the message lists the names), an override
                out of range, or one the augmenter does not take.
            TypeError: for an override of the wrong type.
        """
        options = {"name": "augmentation", **presets.preset_options(name), **overrides}
        return cls(**options, seed=seed)

    # ----------------------------------------------------------------- building
    def build(self, input_shape):
        """Make the random layers and the statistics' weights for images of this shape.

        Args:
            input_shape: (batch, height, width, channels).

        Raises:
            ValueError: if a shift in pixels is not under the image size.
        """
        _, height, width, channels = input_shape
        self.random_layers = self._make_random_layers(height, width)
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
        if training and self.random_layers and self.resample == "each":
            for layer in self.random_layers:  # each resamples the image in turn
                x = layer(x, training=True)
        elif training and self.random_layers:
            x = random_affine(x, self.random_layers, self.interpolation, self.fill_mode, self.cval)
        if self.rescale is not None:
            x = x * self.rescale
        x = self._samplewise(x)
        if self.featurewise_center:
            x = (x - self.feature_mean) / (self.feature_std + STD_EPSILON)
        if self.zca is not None:
            x = self.zca(x)
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
