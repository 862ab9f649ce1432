"""Convolutional bases trained on CIFAR-10, for transfer to cats vs dogs.

``build_cifar10_base`` builds a small VGG-style base and ``pretrain_on_cifar10`` trains it
with a CIFAR-10 head (it loads the data and calls ``companion.train.fit``);
``cifar10_cnn_base`` reuses chapter 03's trained network as a base instead.
"""

from __future__ import annotations

import keras
from keras import layers


def build_cifar10_base(
    input_shape=(None, None, 3), filters=(32, 64, 128), convs=(1, 1, 2)
) -> keras.Model:
    """A small VGG-style base to pretrain on CIFAR-10: blocks of Conv-BN-ReLU + 2x2 pooling.

    Its layers are named ``block<N>_...`` like VGG16's, so ``unfreeze_top`` works on
    both. The top block has two convolutions, so that fine-tuning has something to adapt.

    Args:
        input_shape: (height, width, 3) of raw 0-255 pixels; height and width may be None,
            so that a base trained on 32x32 images applies to photos of any size.
        filters: the filters of each block's convolutions.
        convs: the number of convolutions in each block.

    Returns:
        An untrained ``keras.Model`` named ``cifar10_base`` that outputs the last block's
            feature map.

    Raises:
        ValueError: if ``filters`` and ``convs`` differ in length.
    """
    if len(filters) != len(convs):
        raise ValueError(f"filters and convs need one entry per block, got {filters} and {convs}")
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    for block, (width, n_convs) in enumerate(zip(filters, convs, strict=True), start=1):
        for conv in range(1, n_convs + 1):
            x = layers.Conv2D(
                width, 3, padding="same", use_bias=False, name=f"block{block}_conv{conv}"
            )(x)
            # momentum 0.9, not Keras' 0.99: a short pretraining run takes only a few hundred
            # steps, too few for 0.99's moving averages to settle, and the frozen base runs on them.
            x = layers.BatchNormalization(momentum=0.9, name=f"block{block}_bn{conv}")(x)
            x = layers.Activation("relu", name=f"block{block}_relu{conv}")(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    return keras.Model(inputs, x, name="cifar10_base")


def build_cifar10_classifier(
    base: keras.Model, num_classes: int = 10, dropout: float = 0.3
) -> keras.Model:
    """The base with a CIFAR-10 head, for pretraining.

    Args:
        base: a base such as ``build_cifar10_base``'s, shared (not copied).
        num_classes: the number of classes.
        dropout: the dropout rate before the classifier.

    Returns:
        A ``keras.Model`` for 32x32x3 pixels in 0-255, compiled with Adam and sparse
            categorical cross-entropy (labels as integers 0-9).
    """
    inputs = keras.Input(shape=(32, 32, 3), name="pixels")
    x = base(inputs)
    x = layers.GlobalAveragePooling2D(name="average")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name="cifar10_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def pretrain_on_cifar10(
    base: keras.Model, n_images: int = 4000, epochs: int = 3, batch_size: int = 64
):
    """Train ``base`` with a CIFAR-10 head on the first ``n_images`` training images.

    Args:
        base: the base to train (its weights change in place).
        n_images: how many training images to use (256 at most in a smoke run).
        epochs: the number of epochs.
        batch_size: images per batch.

    Returns:
        ``(classifier, run, accuracy)``: the model of ``build_cifar10_classifier``, its
            ``companion.train.TrainingRun`` and its accuracy (a float in 0-1) on the
            CIFAR-10 test images.

    Raises:
        FileNotFoundError: if CIFAR-10 is missing and cannot be downloaded.
        DataFormatError: if a CIFAR-10 file is damaged.
        DownloadError: if CIFAR-10 must be downloaded and cannot be.
    """
    from ... import config
    from ...data import cifar10
    from ...train import fit

    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n = config.samples(min(n_images, len(x_train)), 256)
    classifier = build_cifar10_classifier(base)
    run = fit(
        classifier,
        x_train[:n].astype("float32"),
        y_train[:n],
        epochs=epochs,
        batch_size=batch_size,
        verbose=2,
    )
    _, accuracy = classifier.evaluate(x_test.astype("float32"), y_test, verbose=0)
    return classifier, run, float(accuracy)


# --8<-- [start:cifar10_cnn_base]
def cifar10_cnn_base(network: keras.Model, last: str = "block2_pool") -> keras.Model:
    """Chapter 03's trained CIFAR-10 network up to the layer ``last``, as a base.

    Chapter 03 divided the pixels by 255 before its network; the base does it inside.

    Args:
        network: chapter 03's trained network (its layers are shared, not copied).
        last: the name of the last layer kept.

    Returns:
        A ``keras.Sequential`` for raw 0-255 pixels of any height and width.

    Raises:
        ValueError: if ``network`` has no layer named ``last``.
    """
    names = [layer.name for layer in network.layers]
    if last not in names:
        raise ValueError(f"{network.name} has no layer {last!r}; it has {names}")
    kept = network.layers[: names.index(last) + 1]  # the same layers, weights shared
    rescale = layers.Rescaling(1 / 255, name="rescale")
    inputs = keras.Input((None, None, 3))
    return keras.Sequential([inputs, rescale, *kept], name="cifar10_cnn_base")
    # --8<-- [end:cifar10_cnn_base]
