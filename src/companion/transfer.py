"""Transfer learning from EfficientNet-Lite0's ImageNet base to cats vs dogs (chapter 11).

The frozen base, feature extraction, the small classifier on top, and the end-to-end
model that fine-tuning trains, with ``ImageAugmenter.preset("cats_vs_dogs_lite0")`` in front.
The base is always called with ``training=False``: BatchNormalization keeps its ImageNet
statistics and stochastic-depth dropout stays off, even while fine-tuning.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

__all__ = [
    "build_classifier",
    "build_lite0_transfer",
    "extract_features",
    "lite0_base",
]


# --8<-- [start:lite0_base]
def lite0_base(weights="imagenet", input_shape=(None, None, 3)) -> keras.Model:
    """EfficientNet-Lite0 without its ImageNet classifier, frozen: 1,280 features.

    It takes raw 0-255 pixels (``include_preprocessing``: ``(x - 127) / 128``
    inside) and ends with global average pooling.

    Args:
        weights: ``"imagenet"``, None (untrained) or a weights file.
        input_shape: (height, width, 3); trained at 224x224, other sizes work too.

    Returns:
        The frozen base, a ``keras.Model``.

    Raises:
        WeightsUnavailableError: the ImageNet weights cannot be had.
    """
    from .pretrained_lite0 import build

    base = build(
        weights,
        include_top=False,
        pooling="avg",  # the 7x7x1280 feature map -> one vector of 1,280 numbers
        input_shape=input_shape,
        include_preprocessing=True,
    )
    base.trainable = False  # the ImageNet weights stay as they are
    return base
    # --8<-- [end:lite0_base]


# --8<-- [start:extract_features]
def extract_features(base: keras.Model, dataset) -> tuple[np.ndarray, np.ndarray]:
    """Every batch of ``dataset`` through ``base`` once.

    Args:
        base: the feature extractor, e.g. ``lite0_base()``.
        dataset: yields ``(images, labels)`` batches, once through.

    Returns:
        ``(features, labels)``: NumPy arrays, one row per image.
    """
    features, labels = [], []
    for images, batch_labels in dataset:
        # predict_on_batch runs the base in inference mode, one batch at a time
        features.append(np.asarray(base.predict_on_batch(images)))
        labels.append(np.asarray(batch_labels))
    return np.concatenate(features), np.concatenate(labels)
    # --8<-- [end:extract_features]


# --8<-- [start:build_classifier]
def build_classifier(n_features: int = 1280, dropout: float = 0.2) -> keras.Sequential:
    """The classifier on top: dropout, then one sigmoid unit (1,281 parameters).

    Args:
        n_features: the length of a feature vector.
        dropout: the fraction of features dropped while training.

    Returns:
        A ``keras.Sequential`` that outputs the dog probability.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(n_features,), name="features"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(1, activation="sigmoid", name="dog_probability"),
        ],
        name="classifier",
    )
    # --8<-- [end:build_classifier]


# --8<-- [start:build_lite0_transfer]
def build_lite0_transfer(
    base: keras.Model,
    classifier: keras.Model,
    augment: keras.Layer | None = None,
    input_shape=(None, None, 3),
) -> keras.Model:
    """Photos (0-255, any size) in, dog probability out: augment, base, classifier.

    The base is called with ``training=False``: it stays in inference mode even
    when its top blocks are unfrozen for fine-tuning.

    Args:
        base: the base, e.g. ``lite0_base()``.
        classifier: the head; one already trained on extracted features is used as is.
        augment: layers applied first (active only while training), or None.
        input_shape: (height, width, 3) of the photos; a side of None: any size.

    Returns:
        The ``keras.Model``.
    """
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = augment(inputs) if augment is not None else inputs
    x = base(x, training=False)
    outputs = classifier(x)
    return keras.Model(inputs, outputs, name="lite0_transfer")
    # --8<-- [end:build_lite0_transfer]
