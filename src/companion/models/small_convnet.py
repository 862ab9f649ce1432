"""Chapter 11: small data. A small convnet from scratch, and transfer from a pretrained base.

From scratch: ``build_small_convnet`` (source 004, part 6) and its ``augmentation``.
Transfer: ``build_transfer_model`` puts a small classifier on a frozen base
(``vgg16_base``, ``cifar10_cnn_base`` or ``build_cifar10_base``), and
``unfreeze_top`` opens the base's top block for fine-tuning.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
from keras import layers

from ..errors import CompanionError
from .cnn import layer_seeds

#: The source's optimiser setting for every model of the chapter.
LEARNING_RATE = 1e-4
VGG16_NOTOP = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"


class PretrainedWeightsUnavailable(CompanionError, FileNotFoundError):
    """Pretrained weights are neither cached nor downloadable here (see ``vgg16_base``)."""


# --8<-- [start:augmentation]
def augmentation(
    rotation: float = 40,
    shift: float = 0.2,
    zoom: float = 0.2,
    shear: float = 0.2,
    seed: int | None = None,
) -> keras.Sequential:
    """Random flips, rotations, shifts, zooms and shears: the old generator as layers.

    Args:
        rotation: the largest angle either way in degrees, as ``rotation_range``.
        shift: the largest shift, a fraction of the width and of the height.
        zoom: the largest zoom in or out, a fraction of the size, as ``zoom_range``.
        shear: the largest shear in radians (Keras 2.0.9's unit), about the centre.
        seed: derives one seed per layer (layers sharing one draw the same numbers).

    Returns:
        A ``keras.Sequential`` whose layers act only while training.
    """
    from ..augment.shear import CentredShear

    flip, rotate, shift_seed, zoom_seed, shear_seed = layer_seeds(seed, 5)
    stack = [
        layers.RandomFlip("horizontal", seed=flip),
        layers.RandomRotation(rotation / 360, fill_mode="nearest", seed=rotate),
        layers.RandomTranslation(shift, shift, fill_mode="nearest", seed=shift_seed),
        layers.RandomZoom(zoom, fill_mode="nearest", seed=zoom_seed),
    ]
    if shear:
        slant = math.tan(shear)  # horizontal offset per pixel of height
        stack.append(CentredShear(x_factor=slant, fill_mode="nearest", seed=shear_seed))
    return keras.Sequential(stack, name="augmentation")
    # --8<-- [end:augmentation]


# --8<-- [start:build_small_convnet]
def build_small_convnet(
    input_shape: tuple[int, int, int] = (150, 150, 3),
    dropout: float = 0.0,
    augment: keras.Layer | None = None,
) -> keras.Sequential:
    """The source's cats-vs-dogs convnet; it rescales the raw 0-255 pixels itself.

    Args:
        input_shape: (height, width, channels), at least 46x46 pixels.
        dropout: the rate after ``Flatten``; the source's second model has 0.5.
        augment: random layers put in front (e.g. ``augmentation()``), or None.

    Returns:
        An uncompiled ``keras.Sequential``, 3,453,121 parameters at 150x150x3.

    Raises:
        ValueError: for ``dropout`` outside [0, 1) or images under 46x46."""
    _check_small_convnet_args(input_shape, dropout)
    stack = [keras.Input(shape=input_shape, name="pixels")]
    if augment is not None:
        stack.append(augment)  # random layers: they act while training only
    stack.append(layers.Rescaling(1 / 255, name="rescale"))  # the old rescale=1./255
    for i, filters in enumerate((32, 64, 128, 128), start=1):
        stack.append(layers.Conv2D(filters, 3, activation="relu", name=f"conv2d_{i}"))
        stack.append(layers.MaxPooling2D(2, name=f"max_pooling2d_{i}"))
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))  # where the source has it
    stack.append(layers.Dense(512, activation="relu", name="dense_1"))
    stack.append(layers.Dense(1, activation="sigmoid", name="dog_probability"))
    name = "small_convnet" + ("_augmented" if augment is not None else "")
    return keras.Sequential(stack, name=name)
    # --8<-- [end:build_small_convnet]


def _check_small_convnet_args(input_shape, dropout) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a fraction in [0, 1), got {dropout}")
    height, width = input_shape[:2]
    if min(height, width) < 46:
        raise ValueError(
            f"input_shape {input_shape} is too small: four 3x3 convolutions and four 2x2 poolings "
            "need images of at least 46x46 pixels."
        )


def compile_binary(model: keras.Model, learning_rate: float = LEARNING_RATE) -> keras.Model:
    """Compile with RMSprop and binary cross-entropy, as the source does.

    Args:
        model: a model with one sigmoid output.
        learning_rate: RMSprop's learning rate (the source's ``lr=1e-4``).

    Returns:
        ``model``, compiled with the accuracy metric.
    """
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


# --- a pretrained convolutional base ---------------------------------------------------


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
    from .. import config
    from ..data import cifar10
    from ..train import fit

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


def vgg16_base(input_shape=(150, 150, 3)) -> keras.Model:
    """VGG16's convolutional base with ImageNet weights, or a clear error where they are missing.

    Args:
        input_shape: (height, width, 3) of raw 0-255 RGB pixels; VGG16's preprocessing
            is inside the base.

    Returns:
        A ``keras.Model`` named ``vgg16_base`` that wraps ``keras.applications.VGG16``.

    Raises:
        PretrainedWeightsUnavailable: if the weights are not in Keras' cache
            (``~/.keras/models/``) and cannot be downloaded; the message says what to do.
    """
    cached = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models" / VGG16_NOTOP
    try:
        base = keras.applications.VGG16(
            weights="imagenet", include_top=False, input_shape=input_shape
        )
    except Exception as exc:  # no network, a proxy, a truncated file ...
        raise PretrainedWeightsUnavailable(
            f"VGG16's ImageNet weights could not be loaded ({type(exc).__name__}: {exc}).\n"
            "What to do: on a machine with network, run "
            "keras.applications.VGG16(weights='imagenet', "
            f"include_top=False) once, then copy {VGG16_NOTOP} to {cached}. Without the weights, "
            "use chapter 03's trained CIFAR-10 network as the base, "
            "cifar10_cnn_base(network) (chapter 11 shows how)."
        ) from None
    # VGG16 expects its own preprocessing (BGR, ImageNet means); put it inside the base.
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = keras.applications.vgg16.preprocess_input(inputs)
    return keras.Model(inputs, base(x), name="vgg16_base")


# --8<-- [start:build_transfer_model]
def build_transfer_model(
    base: keras.Model,
    input_shape=(150, 150, 3),
    augment: keras.Layer | None = None,
    hidden_units: int = 256,
    dropout: float = 0.5,
) -> keras.Model:
    """A frozen ``base`` with a small classifier on top: the feature-extraction model.

    The base is called with ``training=False``: BatchNormalization stays in inference
    mode even after ``unfreeze_top``, and dropout inside the base stays off.

    Args:
        base: a pretrained base; it is frozen (``trainable = False``) in place.
        input_shape: (height, width, channels) of the images.
        augment: random layers put in front of the base, or None.
        hidden_units: the units of the hidden dense layer.
        dropout: the dropout rate before the output.

    Returns:
        An uncompiled ``keras.Model`` with one sigmoid output, the probability of a dog.
    """
    base.trainable = False  # its weights stay as pretrained: only the head learns
    inputs = keras.Input(shape=input_shape, name="pixels")
    x = augment(inputs) if augment is not None else inputs
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D(name="average")(x)  # one number per channel
    x = layers.Dense(hidden_units, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="dog_probability")(x)
    return keras.Model(inputs, outputs, name=f"{base.name}_transfer")
    # --8<-- [end:build_transfer_model]


# --8<-- [start:unfreeze_top]
def unfreeze_top(
    model: keras.Model, base: keras.Model, block: str, learning_rate: float = 1e-5
) -> list[str]:
    """Open the base's layers from ``block`` on (BatchNorm excepted); compile again.

    Args:
        model: the model of ``build_transfer_model``.
        base: its base.
        block: the prefix of the first layer to open, e.g. ``"block5"``.
        learning_rate: the (low) learning rate of the new compilation.

    Returns:
        The names of the layers that are now trainable.

    Raises:
        ValueError: if no layer of ``base`` starts with ``block``.
    """
    leaves = _leaf_layers(base)  # vgg16_base wraps VGG16 as one layer: look inside
    first = _first_layer_of(base.name, leaves, block)
    base.trainable = True
    opened = []
    for i, layer in enumerate(leaves):
        # BatchNorm stays frozen too: with so little data, fixed statistics are safer.
        is_norm = isinstance(layer, layers.BatchNormalization)
        layer.trainable = i >= first and not is_norm
        if layer.trainable and layer.weights:
            opened.append(layer.name)
    # `trainable` takes effect when the model is compiled again. The low rate keeps the
    # fresh classifier's large updates from wrecking the pretrained features.
    compile_binary(model, learning_rate)
    return opened
    # --8<-- [end:unfreeze_top]


def _first_layer_of(name: str, leaves: list, block: str) -> int:
    """The index of the first layer whose name starts with ``block``."""
    names = [layer.name for layer in leaves]
    starts = [i for i, n in enumerate(names) if n.startswith(block)]
    if not starts:
        blocks = sorted({n.split("_")[0] for n in names if n.startswith("block")})
        raise ValueError(f"{name} has no layer named {block}...; its blocks are {blocks}")
    return starts[0]


def _leaf_layers(model: keras.Model) -> list:
    """The layers of ``model`` in order, with nested models replaced by their own layers."""
    leaves = []
    for layer in model.layers:
        leaves += _leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return leaves
