"""The seven functional-API models of chapter 08 (source 004, part 3), plus one fix.

Layer names follow the source, and with the defaults every model has the parameter count
the source's summary prints (``SOURCE_PARAMS``). ``build_convnet_as_written`` keeps
the source's missing ``Flatten``; ``build_convnet`` is the corrected model.
"""

from __future__ import annotations

import keras
from keras import layers

#: Parameter counts printed by the source's summaries (source 004, part 3).
SOURCE_PARAMS = {
    "multilayer_perceptron": 541_794,
    "convnet_as_written": 138_122,
    "recurrent_network": 84_362,
    "shared_input": 399_610,
    "shared_feature_extractor": 78_984,
    "multiple_inputs": 424_874,
    "multiple_outputs": 31_348,
}


def _check_classes(num_classes: int) -> None:
    if int(num_classes) != num_classes or num_classes < 2:
        raise ValueError(f"num_classes must be an integer of at least 2, got {num_classes!r}")


def build_multilayer_perceptron(num_classes: int = 10) -> keras.Model:
    """784 -> 512 -> 216 -> 128 -> 10: flattened MNIST digits in, class probabilities out.

    The source's odd 216 (not 256) is kept: it is what its 541,794 counts.

    Args:
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` from (None, 784) to (None, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    pixels = keras.Input(shape=(784,), name="input")
    hidden1 = layers.Dense(512, activation="relu", name="hidden1")(pixels)
    hidden2 = layers.Dense(216, activation="relu", name="hidden2")(hidden1)
    hidden3 = layers.Dense(128, activation="relu", name="hidden3")(hidden2)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden3)
    return keras.Model(inputs=pixels, outputs=output, name="multilayer_perceptron")


def _conv_features(image):
    """The source's feature extractor: two Conv(4x4) + MaxPool(2x2) stages."""
    x = layers.Conv2D(128, kernel_size=4, activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(pool_size=2, name="pool1")(x)
    x = layers.Conv2D(64, kernel_size=4, activation="relu", name="conv2")(x)
    return layers.MaxPooling2D(pool_size=2, name="pool2")(x)  # (None, 4, 4, 64)


def build_convnet_as_written(num_classes: int = 10) -> keras.Model:
    """The source's CNN exactly as written: Dense applied to a 4-D tensor (no Flatten).

    It builds, and counts the source's 138,122 parameters, but its output has shape
    ``(None, 4, 4, num_classes)``: sixteen predictions per image, one per cell of the
    4x4 grid, each made from a 64-channel column that sees only part of the image.
    Kept to show the mistake; use ``build_convnet``.

    Args:
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` from (None, 28, 28, 1) to (None, 4, 4, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    image = keras.Input(shape=(28, 28, 1), name="input")
    x = _conv_features(image)
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(x)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=image, outputs=output, name="convnet_as_written")


def build_convnet(num_classes: int = 10) -> keras.Model:
    """The corrected CNN: Flatten the 4x4x64 feature maps before the dense layers.

    Output ``(None, num_classes)``, 199,562 parameters with ten classes: hidden1 now
    sees all 1,024 features (1,024 * 64 + 64 = 65,600 weights instead of 4,160).

    Args:
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` from (None, 28, 28, 1) to (None, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    image = keras.Input(shape=(28, 28, 1), name="input")
    x = _conv_features(image)
    flat = layers.Flatten(name="flatten")(x)
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(flat)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=image, outputs=output, name="convnet")


def build_recurrent_network(num_classes: int = 10) -> keras.Model:
    """An LSTM reads an image as a sequence of 784 pixels, one feature per step.

    Args:
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Model`` from (None, 784, 1) to (None, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    pixels = keras.Input(shape=(784, 1), name="input")
    lstm1 = layers.LSTM(128, name="lstm1")(pixels)
    hidden1 = layers.Dense(128, activation="relu", name="hidden1")(lstm1)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=pixels, outputs=output, name="recurrent_network")


# --8<-- [start:build_shared_input]
def build_shared_input(num_classes: int = 10) -> keras.Model:
    """One image, two convolutional branches (4x4 and 8x8 kernels), merged.

    Args:
        num_classes: the number of classes.

    Returns:
        A ``keras.Model`` from (None, 28, 28, 1) to (None, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    image = keras.Input(shape=(28, 28, 1), name="input")
    # Branch 1: small kernels see fine strokes.
    conv1 = layers.Conv2D(32, kernel_size=4, activation="relu", name="conv1")(image)
    pool1 = layers.MaxPooling2D(pool_size=2, name="pool1")(conv1)
    flat1 = layers.Flatten(name="flat1")(pool1)
    # Branch 2: larger kernels see bigger parts of the digit. It reads the same `image`.
    conv2 = layers.Conv2D(16, kernel_size=8, activation="relu", name="conv2")(image)
    pool2 = layers.MaxPooling2D(pool_size=2, name="pool2")(conv2)
    flat2 = layers.Flatten(name="flat2")(pool2)
    # The two branches meet: their features side by side in one vector.
    merge = layers.Concatenate(name="merge")([flat1, flat2])
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(merge)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden1)
    # The graph is known from its ends: what goes in, what comes out.
    return keras.Model(inputs=image, outputs=output, name="shared_input")
    # --8<-- [end:build_shared_input]


# --8<-- [start:build_shared_feature_extractor]
def build_shared_feature_extractor(num_classes: int = 10) -> keras.Model:
    """One LSTM's features read by a shallow and a deep interpretation branch.

    Args:
        num_classes: the number of classes.

    Returns:
        A ``keras.Model`` from (None, 784, 1) to (None, ``num_classes``).

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    pixels = keras.Input(shape=(784, 1), name="input")
    extract1 = layers.LSTM(128, name="lstm1")(pixels)
    interp1 = layers.Dense(10, activation="relu", name="interp1")(extract1)
    interp21 = layers.Dense(64, activation="relu", name="interp21")(extract1)
    interp22 = layers.Dense(32, activation="relu", name="interp22")(interp21)
    interp23 = layers.Dense(16, activation="relu", name="interp23")(interp22)
    merge = layers.Concatenate(name="merge")([interp1, interp23])
    output = layers.Dense(num_classes, activation="softmax", name="output")(merge)
    return keras.Model(inputs=pixels, outputs=output, name="shared_feature_extractor")
    # --8<-- [end:build_shared_feature_extractor]


# --8<-- [start:build_multiple_inputs]
def _small_convnet_branch(x, branch: int):
    """Conv(32, 4x4) + pool, Conv(16, 4x4) + pool, flatten; names conv{branch}1 ..."""
    x = layers.Conv2D(32, kernel_size=4, activation="relu", name=f"conv{branch}1")(x)
    x = layers.MaxPooling2D(pool_size=2, name=f"pool{branch}1")(x)
    x = layers.Conv2D(16, kernel_size=4, activation="relu", name=f"conv{branch}2")(x)
    x = layers.MaxPooling2D(pool_size=2, name=f"pool{branch}2")(x)
    return layers.Flatten(name=f"flat{branch}")(x)


def build_multiple_inputs(num_classes: int = 10) -> keras.Model:
    """Two versions of one picture: 64x64 grey and 32x32 colour, one branch each.

    Args:
        num_classes: the number of classes.

    Returns:
        A ``keras.Model``; call or fit it with a list ``[grey, colour]`` or a dict keyed
            by the input names ``img_gray_bigsize`` and ``img_rgb_smallsize``.

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    grey = keras.Input(shape=(64, 64, 1), name="img_gray_bigsize")
    colour = keras.Input(shape=(32, 32, 3), name="img_rgb_smallsize")
    merge = layers.Concatenate(name="merge")(
        [_small_convnet_branch(grey, 1), _small_convnet_branch(colour, 2)]
    )
    hidden1 = layers.Dense(128, activation="relu", name="hidden1")(merge)
    hidden2 = layers.Dense(64, activation="relu", name="hidden2")(hidden1)
    output = layers.Dense(num_classes, activation="softmax", name="output")(hidden2)
    return keras.Model(inputs=[grey, colour], outputs=output, name="multiple_inputs")
    # --8<-- [end:build_multiple_inputs]


def build_multiple_outputs(num_classes: int = 10, time_distributed: bool = False) -> keras.Model:
    """One sequence in, two outputs: a class for the whole sequence and one per step.

    ``output1`` has shape ``(None, num_classes)``; ``output2`` has shape
    ``(None, 784, num_classes)`` -- the same Dense layer applied at every time step.

    The source wraps that Dense layer in ``TimeDistributed``. A Dense layer acts on the
    last axis of a 3-D tensor (Keras 2's did too), so a plain ``Dense`` gives the same
    weights (650 of them) and the same outputs; ``TimeDistributed`` maps the layer over
    the 784 steps, which on the TensorFlow backend makes every call slower, the first
    one (which traces the graph) most.
    ``time_distributed=True`` builds the source's version.

    Args:
        num_classes: the number of classes.
        time_distributed: wrap the per-step Dense layer in ``TimeDistributed``, as the
            source does.

    Returns:
        A ``keras.Model`` from (None, 784, 1) to ``[output1, output2]``.

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    _check_classes(num_classes)
    # --8<-- [start:build_multiple_outputs]
    pixels = keras.Input(shape=(784, 1), name="input")
    # return_sequences=True keeps the hidden state of every step, which both heads read.
    extract = layers.LSTM(64, return_sequences=True, name="extract")(pixels)
    class11 = layers.LSTM(32, name="class11")(extract)
    class12 = layers.Dense(32, activation="relu", name="class12")(class11)
    output1 = layers.Dense(num_classes, activation="softmax", name="output1")(class12)
    if time_distributed:
        output2 = layers.TimeDistributed(
            layers.Dense(num_classes, activation="softmax"), name="output2"
        )(extract)
    else:
        output2 = layers.Dense(num_classes, activation="softmax", name="output2")(extract)
    return keras.Model(inputs=pixels, outputs=[output1, output2], name="multiple_outputs")
    # --8<-- [end:build_multiple_outputs]


#: Every builder of the chapter by name (the source's seven, then the fix).
BUILDERS = {
    "multilayer_perceptron": build_multilayer_perceptron,
    "convnet_as_written": build_convnet_as_written,
    "recurrent_network": build_recurrent_network,
    "shared_input": build_shared_input,
    "shared_feature_extractor": build_shared_feature_extractor,
    "multiple_inputs": build_multiple_inputs,
    "multiple_outputs": build_multiple_outputs,
    "convnet": build_convnet,
}


def build(name: str, num_classes: int = 10) -> keras.Model:
    """Build one of the chapter's models by name.

    Args:
        name: a key of ``BUILDERS``, e.g. ``"shared_input"``.
        num_classes: the number of classes.

    Returns:
        The uncompiled ``keras.Model``.

    Raises:
        ValueError: for an unknown ``name`` or ``num_classes`` under 2.
    """
    if name not in BUILDERS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[name](num_classes)
