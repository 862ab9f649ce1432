"""Gradients with respect to the *input* image, one small function per backend.

``input_gradients`` picks the function of the Keras backend in use (TensorFlow, JAX or
PyTorch); each imports its backend itself, so importing this module imports none of them.
"""

from __future__ import annotations

import numpy as np


def input_gradients(model, inputs, objective):
    """``objective(model(inputs))`` per sample, and its gradient with respect to ``inputs``.

    Samples do not interact (the model runs in inference mode), so the gradient of the
    sum is each sample's own gradient.

    Args:
        model: a ``keras.Model``.
        inputs: a batch the model takes, converted to float32.
        objective: maps the model's output to one value per sample (shape ``(batch,)``),
            with ``keras.ops``.

    Returns:
        ``(values, gradients)``: NumPy arrays of shape (batch,) and that of ``inputs``.

    Raises:
        RuntimeError: the Keras backend is not TensorFlow, JAX or PyTorch.
    """
    import keras

    backend = keras.backend.backend()
    gradients = {
        "tensorflow": _gradients_tensorflow,
        "jax": _gradients_jax,
        "torch": _gradients_torch,
    }.get(backend)
    if gradients is None:
        raise RuntimeError(
            f"input gradients are implemented for TensorFlow, JAX and PyTorch, not {backend!r}"
        )
    return gradients(model, np.asarray(inputs, dtype="float32"), objective)


# --8<-- [start:gradients_tensorflow]
def _gradients_tensorflow(model, inputs, objective):
    import tensorflow as tf

    x = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(x)  # x is a constant, not a variable: tell the tape to follow it
        values = objective(model(x, training=False))
        total = tf.reduce_sum(values)
    return np.asarray(values), np.asarray(tape.gradient(total, x))
    # --8<-- [end:gradients_tensorflow]


# --8<-- [start:gradients_jax_torch]
def _gradients_jax(model, inputs, objective):
    import jax
    import jax.numpy as jnp

    # JAX differentiates pure functions: the weights go in explicitly (stateless_call).
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def total(x):
        outputs, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        values = objective(outputs)
        return jnp.sum(values), values

    (_, values), grads = jax.value_and_grad(total, has_aux=True)(jnp.asarray(inputs))
    return np.asarray(values), np.asarray(grads)


def _gradients_torch(model, inputs, objective):
    import keras
    import torch

    # convert_to_tensor puts x on the device Keras computes on (the GPU if there is one)
    x = keras.ops.convert_to_tensor(inputs).detach().requires_grad_(True)
    with torch.enable_grad():
        values = objective(model(x, training=False))
        (grads,) = torch.autograd.grad(values.sum(), x)
    return values.detach().cpu().numpy(), grads.detach().cpu().numpy()
    # --8<-- [end:gradients_jax_torch]
