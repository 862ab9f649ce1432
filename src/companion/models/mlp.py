"""The multilayer perceptron of chapter 02: 784 -> 512 -> 512 -> 10 with dropout."""

from __future__ import annotations

import keras


# --8<-- [start:build_mlp]
def build_mlp(
    input_dim: int = 784,
    hidden_units: tuple[int, ...] = (512, 512),
    dropout: float = 0.2,
    num_classes: int = 10,
) -> keras.Sequential:
    """A Sequential MLP: ``Dense(relu) + Dropout`` per hidden layer, then softmax.

    Args:
        input_dim: values per sample (784 for a flattened MNIST digit).
        hidden_units: the units of each hidden layer.
        dropout: the fraction of each hidden layer's outputs zeroed while training.
        num_classes: the number of classes.

    Returns:
        An uncompiled ``keras.Sequential`` named ``mnist_mlp``.

    Raises:
        ValueError: for ``input_dim < 1``, ``num_classes < 2`` or a ``dropout``
            outside [0, 1).
    """
    _check_mlp_args(input_dim, num_classes, dropout)
    layers = [keras.Input(shape=(input_dim,), name="pixels")]  # 784 = 28 * 28 pixels
    for i, units in enumerate(hidden_units, start=1):
        layers.append(keras.layers.Dense(units, activation="relu", name=f"dense_{i}"))
        # dropout: while training, zero a random 20% of the outputs at each step
        layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    # one probability per class; they sum to 1
    layers.append(
        keras.layers.Dense(num_classes, activation="softmax", name="probabilities"),
    )
    return keras.Sequential(layers, name="mnist_mlp")
    # --8<-- [end:build_mlp]


def _check_mlp_args(input_dim, num_classes, dropout):
    if input_dim < 1 or num_classes < 2:
        raise ValueError(
            f"need input_dim >= 1 and num_classes >= 2, got {input_dim} and {num_classes}"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a fraction in [0, 1), got {dropout}")
