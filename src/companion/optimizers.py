"""Chapter 13's optimiser: Nesterov SGD with lookahead, and its triangular learning-rate schedule.

What airbench94 does in PyTorch with parameter groups and a separate lookahead state, as one
Keras 3 optimiser (``keras.ops`` only, so it runs on every backend).
"""

from __future__ import annotations

import keras
from keras import ops


# --8<-- [start:triangular]
@keras.saving.register_keras_serializable(package="companion")
class Triangular(keras.optimizers.schedules.LearningRateSchedule):
    """Rise linearly from ``start`` to ``peak`` over ``warmup`` of the run, then fall to ``end``.

    Args:
        peak: the largest learning rate.
        total_steps: the run's training steps.
        warmup: the fraction of the steps spent rising (airbench94: 0.23).
        start: the first step's rate as a fraction of ``peak``.
        end: the last step's rate as a fraction of ``peak``.
    """

    def __init__(self, peak, total_steps, warmup=0.23, start=0.2, end=0.07):
        self.peak, self.total_steps = float(peak), int(total_steps)
        self.warmup, self.start, self.end = float(warmup), float(start), float(end)

    # --8<-- [start:triangular_call]
    def __call__(self, step):
        step = ops.cast(step, "float32")
        rise = float(int(self.total_steps * self.warmup))
        up = self.start + (1.0 - self.start) * step / max(rise, 1.0)
        down = 1.0 + (self.end - 1.0) * (step - rise) / max(self.total_steps - rise, 1.0)
        return self.peak * ops.where(step < rise, up, down)
        # --8<-- [end:triangular_call]

    def get_config(self):
        return {
            "peak": self.peak,
            "total_steps": self.total_steps,
            "warmup": self.warmup,
            "start": self.start,
            "end": self.end,
        }


# --8<-- [end:triangular]


@keras.saving.register_keras_serializable(package="companion")
class LookaheadSGD(keras.optimizers.Optimizer):
    """Nesterov SGD with L2 weight decay, a faster rate for BatchNorm biases, and lookahead.

    Every ``every`` steps the weights move to a running average of themselves ("slow
    weights", Zhang et al. 2019, as hlb-CIFAR10 and airbench94 use it) whose decay rises with
    the cube of the run's progress, and the last step leaves the average in the model.

    Args:
        learning_rate: a float or a schedule (e.g. ``Triangular``), for a loss that is
            the mean over the batch.
        momentum: Nesterov momentum.
        weight_decay: L2 coefficient added to each gradient (``g + weight_decay * w``),
            scaled with the learning rate like PyTorch's ``SGD(weight_decay=...)``.
        bias_scaler: BatchNorm biases ("beta") train at this many times the rate, with the
            same decay per step as the other weights.
        total_steps: the run's training steps (the lookahead's schedule and last step);
            None turns lookahead off.
        every: steps between lookahead updates.
        decay: the lookahead average's decay at the end of the run.
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.85,
        weight_decay=0.0,
        bias_scaler=1.0,
        total_steps=None,
        every=5,
        decay=0.95**5,
        name="lookahead_sgd",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum, self.l2 = float(momentum), float(weight_decay)
        self.bias_scaler, self.total_steps = float(bias_scaler), total_steps
        self.every, self.decay = int(every), float(decay)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.velocities = [self.add_variable_from_reference(v, "velocity") for v in variables]
        self.slow = []
        if self.total_steps:
            for v in variables:
                slow = self.add_variable_from_reference(v, "slow")
                # the average starts at the initial weights (a copy: JAX must not share buffers)
                slow.assign(ops.copy(v))
                self.slow.append(slow)

    # --8<-- [start:update_step]
    def update_step(self, gradient, variable, learning_rate):
        scale = self.bias_scaler if _is_norm_bias(variable) else 1.0
        rate = ops.cast(learning_rate, variable.dtype) * scale
        # PyTorch-style L2: the decay per step is weight_decay * lr whatever the scale
        g = ops.add(gradient, ops.multiply(self.l2 / scale, variable))
        index = self._get_variable_index(variable)
        velocity = self.velocities[index]
        self.assign(velocity, ops.add(ops.multiply(self.momentum, velocity), g))
        step = ops.add(g, ops.multiply(self.momentum, velocity))  # Nesterov
        fast = ops.subtract(variable, ops.multiply(rate, step))
        if not self.slow:
            self.assign(variable, fast)
            return
        slow = ops.convert_to_tensor(self.slow[index])
        done = ops.cast(self.iterations + 1, "float32")  # steps finished after this one
        last = done >= self.total_steps
        due = ops.logical_or(ops.equal(ops.mod(done, self.every), 0.0), last)
        decay = ops.where(last, 1.0, self.decay * (done / self.total_steps) ** 3)
        average = ops.add(slow, ops.multiply(1.0 - decay, ops.subtract(fast, slow)))
        self.assign(self.slow[index], ops.where(due, average, slow))
        self.assign(variable, ops.where(due, average, fast))

    # --8<-- [end:update_step]

    def get_config(self):
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "weight_decay": self.l2,
            "bias_scaler": self.bias_scaler,
            "total_steps": self.total_steps,
            "every": self.every,
            "decay": self.decay,
        }


def _is_norm_bias(variable) -> bool:
    """BatchNormalization's offset, which Keras names "beta".

    On TensorFlow the optimiser is handed the backend's own variable, named ``beta:0`` (or
    ``batch_normalization/beta:0``); on JAX and PyTorch the Keras variable, named ``beta``.
    """
    return variable.name.split("/")[-1].split(":")[0] == "beta"
