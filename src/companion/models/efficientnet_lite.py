"""EfficientNet-Lite0 in Keras 3: EfficientNet-B0 (Tan and Le, 2019) made for phones.

Sixteen mobile inverted bottleneck blocks (``mbconv_block``) without
squeeze-and-excitation and with ReLU6 instead of swish, as the authors' Lite variants.
Layer names follow ``keras.applications.EfficientNetB0``; the ImageNet weights come from
``companion.pretrained_lite0``.
"""

from __future__ import annotations

import keras

#: The seven stages: (kernel size, repeats, stride of the first block, expansion,
#: input channels, output channels), as in the authors' efficientnet_lite_builder.py.
STAGES = (
    (3, 1, 1, 1, 32, 16),
    (3, 2, 2, 6, 16, 24),
    (5, 2, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (5, 3, 1, 6, 80, 112),
    (5, 4, 2, 6, 112, 192),
    (3, 1, 1, 6, 192, 320),
)
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
INPUT_SIZE = 224  # the resolution Lite0 was trained and evaluated at
# BatchNormalization as the authors configured it (TensorFlow's convention: the moving
# averages keep 99% of their value at each step).
BN_MOMENTUM = 0.99
BN_EPSILON = 1e-3
# The authors' initializers: He-like for convolutions (scaled by fan-out), uniform for the
# classifier. They only matter when the network is trained from scratch.
CONV_INIT = keras.initializers.VarianceScaling(2.0, mode="fan_out", distribution="truncated_normal")
DENSE_INIT = keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_out", distribution="uniform")


def preprocess_input(x):
    """Scale RGB pixels from 0..255 to about -1..1, as the network was trained: (x - 127) / 128.

    Args:
        x: an array or tensor of RGB pixels in 0..255, channels last.

    Returns:
        The scaled values, float32.
    """
    return (keras.ops.cast(x, "float32") - 127.0) / 128.0


def _relu6(name):
    # ReLU6 = min(max(x, 0), 6): its bounded range is why Lite quantizes to 8 bits well.
    return keras.layers.ReLU(max_value=6.0, name=name)


def _bn(name):
    return keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=name)


def mbconv_block(x, filters_in, filters_out, kernel_size, strides, expand, drop_rate, name):
    """One mobile inverted bottleneck block, without squeeze-and-excitation.

    Args:
        x: the input tensor (batch, height, width, ``filters_in``).
        filters_in: channels of ``x``.
        filters_out: channels of the block's output.
        kernel_size: size of the depthwise convolution (3 or 5).
        strides: 1, or 2 to halve height and width.
        expand: how many times wider the middle of the block is (1 or 6).
        drop_rate: the chance that training skips the block's residual branch
            (stochastic depth); 0 for none.
        name: prefix of the layer names, e.g. ``"block2a_"``.

    Returns:
        The output tensor (batch, height / strides, width / strides, ``filters_out``).
    """
    inputs = x
    wide = filters_in * expand
    if expand != 1:
        x = keras.layers.Conv2D(
            wide, 1, use_bias=False, kernel_initializer=CONV_INIT, name=name + "expand_conv"
        )(x)
        x = _bn(name + "expand_bn")(x)
        x = _relu6(name + "expand_activation")(x)
    # "same" pads like TensorFlow (the extra row and column at the bottom and right) on
    # every Keras backend: the padding the weights were trained with.
    x = keras.layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=False,
        depthwise_initializer=CONV_INIT,
        name=name + "dwconv",
    )(x)
    x = _bn(name + "bn")(x)
    x = _relu6(name + "activation")(x)
    # The projection back to few channels has no activation: a ReLU there would destroy
    # information in the narrow representation (MobileNetV2's "linear bottleneck").
    x = keras.layers.Conv2D(
        filters_out, 1, use_bias=False, kernel_initializer=CONV_INIT, name=name + "project_conv"
    )(x)
    x = _bn(name + "project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Dropping the whole branch for a sample (noise shape 1 x 1 x 1) is stochastic depth.
            x = keras.layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = keras.layers.Add(name=name + "add")([x, inputs])
    return x


def block_names() -> list[str]:
    """The 16 blocks' name prefixes in order: ``block1a_``, ``block2a_``, ``block2b_`` ...

    Returns:
        One prefix per block, in the order the network applies them.
    """
    return [
        f"block{stage + 1}{chr(ord('a') + i)}_"
        for stage, (_, repeats, *_rest) in enumerate(STAGES)
        for i in range(repeats)
    ]


def build_efficientnet_lite0(
    include_top: bool = True,
    input_shape: tuple = (INPUT_SIZE, INPUT_SIZE, 3),
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    include_preprocessing: bool = False,
) -> keras.Model:
    """EfficientNet-Lite0, untrained (see ``companion.pretrained_lite0.build`` for weights).

    Args:
        include_top: end with global pooling and a ``classes``-way classifier; without it the
            output is the 1280-channel feature map of ``top_activation`` (or its pooling).
        input_shape: (height, width, 3); height and width may be None (any size).
        pooling: without the top, ``"avg"`` or ``"max"`` pools the feature map to a vector.
        classes: size of the classifier (1000 for ImageNet).
        classifier_activation: ``"softmax"`` for probabilities, None for logits.
        dropout_rate: dropout before the classifier during training (the authors' 0.2).
        drop_connect_rate: stochastic depth: the last block's residual branch is skipped with
            this probability during training, the first ones less (linearly in the block's
            position), as the authors trained it.
        include_preprocessing: take pixels in 0..255 and scale them inside the model
            (``(x - 127) / 128``); otherwise the input must already be scaled with
            ``preprocess_input``.

    Returns:
        A functional ``keras.Model`` named ``efficientnet_lite0``.

    Raises:
        ValueError: for an unknown ``pooling`` or an input without 3 channels.
    """
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}")
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (height, width, 3), got {input_shape}")
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    if include_preprocessing:
        x = keras.layers.Rescaling(1.0 / 128.0, offset=-127.0 / 128.0, name="rescaling")(x)
    x = keras.layers.Conv2D(
        STEM_CHANNELS,
        3,
        strides=2,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_INIT,
        name="stem_conv",
    )(x)
    x = _bn("stem_bn")(x)
    x = _relu6("stem_activation")(x)

    names = iter(block_names())
    total = len(block_names())
    index = 0
    for kernel_size, repeats, strides, expand, filters_in, filters_out in STAGES:
        for i in range(repeats):
            # Only the first block of a stage changes the size and the number of channels.
            x = mbconv_block(
                x,
                filters_in if i == 0 else filters_out,
                filters_out,
                kernel_size,
                strides if i == 0 else 1,
                expand,
                drop_connect_rate * index / total,
                next(names),
            )
            index += 1

    x = keras.layers.Conv2D(
        HEAD_CHANNELS, 1, use_bias=False, kernel_initializer=CONV_INIT, name="top_conv"
    )(x)
    x = _bn("top_bn")(x)
    x = _relu6("top_activation")(x)
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = keras.layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = keras.layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_INIT,
            name="predictions",
        )(x)
    elif pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return keras.Model(inputs, x, name="efficientnet_lite0")
