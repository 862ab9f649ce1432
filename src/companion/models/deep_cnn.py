"""The deeper CIFAR-10 network of chapter 04: fifteen 3x3 convolutions, global max pooling.

Three stages of five convolutions (``STAGES``), a 2x2 max pooling after the first two and
a ``GlobalMaxPooling2D`` after the third, each followed by dropout; then a dense layer and the
softmax.
"""

from __future__ import annotations

import keras

from ._checks import check_classifier_args

# --8<-- [start:stages]
#: Filters of the fifteen convolutions, stage by stage.
STAGES = ((32, 32, 32, 48, 48), (80, 80, 80, 80, 80), (128, 128, 128, 128, 128))
# --8<-- [end:stages]


def build_deep_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    augmentation: keras.layers.Layer | None = None,
    dense_units: int = 500,
    dropout: float = 0.25,
    name: str = "cifar10_deep_cnn",
) -> keras.Sequential:
    """The chapter-04 network, as a Sequential stack.

    Args:
        input_shape: (height, width, channels) of the images.
        num_classes: the number of classes.
        augmentation: a parameter-free layer put in front (e.g.
            ``ImageAugmenter.preset("cifar10_deep_cnn")``), or None.
        dense_units: the units of the dense layer before the softmax.
        dropout: the dropout rate after each stage and after the dense layer.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Sequential``; with the defaults it has 1,071,542 parameters.

    Raises:
        ValueError: for a shape that is not (height, width, channels), ``num_classes < 2``
            or ``dropout`` not in [0, 1).
    """
    check_classifier_args(input_shape, num_classes)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a fraction in [0, 1), got {dropout}")
    layers = [keras.Input(shape=input_shape, name="image")]
    if augmentation is not None:
        layers.append(augmentation)
    # --8<-- [start:stage_loop]
    for stage, filters in enumerate(STAGES, start=1):
        for i, f in enumerate(filters, start=1):
            # "same" padding: the map keeps its size through the five convolutions
            layers.append(
                keras.layers.Conv2D(
                    f, 3, padding="same", activation="relu", name=f"stage{stage}_conv{i}"
                )
            )
        if stage < len(STAGES):  # 32x32 -> 16x16 -> 8x8
            layers.append(keras.layers.MaxPooling2D(2, name=f"stage{stage}_pool"))
        else:  # each of the 128 channels keeps its largest value anywhere in the map
            layers.append(keras.layers.GlobalMaxPooling2D(name="global_max_pool"))
        layers.append(keras.layers.Dropout(dropout, name=f"stage{stage}_dropout"))
    # --8<-- [end:stage_loop]
    layers += [
        keras.layers.Dense(dense_units, activation="relu", name="dense"),
        keras.layers.Dropout(dropout, name="dense_dropout"),
        keras.layers.Dense(num_classes, activation="softmax", name="probabilities"),
    ]
    return keras.Sequential(layers, name=name)
