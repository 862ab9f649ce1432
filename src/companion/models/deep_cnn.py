"""The deeper CIFAR-10 network of chapter 04: fifteen 3x3 convolutions, global max pooling.

Three stages of five ``same``-padded convolutions (32-32-32-48-48, then 80 five times,
then 128 five times), a 2x2 max pooling and 25% dropout after the first two stages, a
``GlobalMaxPooling2D`` after the third (it keeps each of the 128 channels' largest
activation, so the head sees 128 numbers instead of 8*8*128 = 8,192), then a 500-unit dense
layer and the softmax. With the defaults its summary reports 1,071,542 parameters, as in
source 002. More than half of them (682,624) sit in the last stage's five convolutions,
while the dense head has only 69,510 -- unlike chapter 03's network, where the dense layer
holds 94% of the parameters.
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
    """The chapter-04 network; ``augmentation`` (a parameter-free layer) goes in front."""
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
