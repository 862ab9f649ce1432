"""Callbacks and learning-rate schedules of chapters 05 (ResNet) and 06 (Inception).

Source 000 trains ResNet with three callbacks: a checkpoint of the best epoch, a step
schedule that divides the learning rate at epochs 80, 120, 160 and 180, and
``ReduceLROnPlateau``. As the source wires them, the schedule *overwrites* the learning
rate at the start of every epoch, so whatever ``ReduceLROnPlateau`` did at the end of
the previous epoch is undone (chapter 05, errata). :func:`step_decay` is the schedule
written so that the two compose: it only multiplies the current rate at a boundary.

Source 003 trains its Inception network with early stopping, a checkpoint, TensorBoard
and ``ReduceLROnPlateau``, all watching the validation loss: :func:`inception_callbacks`.
"""

from __future__ import annotations

import math
import os

import keras

# --8<-- [start:step_decay]
#: (first epoch, counted from 0, that uses the new rate; factor) of the ResNet recipe.
#: The source tests ``epoch > 80``: index 81, the 82nd epoch, is the first at 1e-4.
RESNET_DROPS = ((81, 0.1), (121, 0.1), (161, 0.1), (181, 0.5))
RESNET_BASE_LR = 1e-3


def resnet_lr_schedule(epoch: int, lr: float | None = None) -> float:
    """The source's schedule: 1e-3, then 1e-4, 1e-5, 1e-6 and 5e-7 (RESNET_DROPS).

    It depends on ``epoch`` alone and ignores the current rate ``lr`` -- which is
    exactly why it undoes ``ReduceLROnPlateau``.
    """
    rate = RESNET_BASE_LR
    for first_epoch, factor in RESNET_DROPS:
        if epoch >= first_epoch:
            rate *= factor
    return rate


def step_decay(epoch: int, lr: float) -> float:
    """The same drops, applied to the *current* rate: other callbacks' changes stay."""
    if epoch == 0:
        return RESNET_BASE_LR
    return lr * dict(RESNET_DROPS).get(epoch, 1.0)
    # --8<-- [end:step_decay]


# --8<-- [start:compressed_step_decay]
def compressed_step_decay(epochs: int, recipe_epochs: int = 200):
    """:func:`step_decay` for a run of ``epochs`` instead of ``recipe_epochs``.

    Each drop moves to the same *fraction* of the run: in 40 epochs the first
    epochs (counted from 0) at the lower rates are 16, 24, 32 and 36 instead of
    81, 121, 161 and 181. It composes with ``ReduceLROnPlateau`` as
    :func:`step_decay` does.
    """
    if not 0 < epochs <= recipe_epochs:
        raise ValueError(f"epochs must be between 1 and {recipe_epochs}, got {epochs}")
    drops = {}
    for first_epoch, factor in RESNET_DROPS:
        at = max(1, round(first_epoch * epochs / recipe_epochs))
        # in a very short run two drops can meet
        drops[at] = drops.get(at, 1.0) * factor

    def schedule(epoch: int, lr: float) -> float:
        if epoch == 0:
            return RESNET_BASE_LR
        return lr * drops.get(epoch, 1.0)

    # for the record and the page: {first epoch (counted from 0): factor}
    schedule.drops = drops
    return schedule
    # --8<-- [end:compressed_step_decay]


class LearningRateLog(keras.callbacks.Callback):
    """Records the learning rate each epoch trains with (put it after the schedulers)."""

    def __init__(self):
        super().__init__()
        self.rates: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


# --8<-- [start:resnet_callbacks]
def resnet_callbacks(
    checkpoint_path: str | os.PathLike,
    schedule=step_decay,
    monitor: str = "val_accuracy",
) -> list:
    """Source 000's callbacks: best checkpoint, ``ReduceLROnPlateau``, step schedule.

    ``schedule=resnet_lr_schedule`` reproduces the source's wiring, in which the
    plateau reduction never takes effect.
    """
    return [
        keras.callbacks.ModelCheckpoint(
            os.fspath(checkpoint_path), monitor=monitor, mode="max", save_best_only=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            factor=math.sqrt(0.1), patience=5, cooldown=0, min_lr=0.5e-6
        ),
        keras.callbacks.LearningRateScheduler(schedule),
    ]
    # --8<-- [end:resnet_callbacks]


def inception_callbacks(
    checkpoint_path: str | os.PathLike, log_dir: str | os.PathLike | None = None
) -> list:
    """Source 003's four callbacks, all watching the validation loss.

    * ``EarlyStopping(patience=10)``: stop after ten epochs without a lower validation loss;
    * ``ModelCheckpoint(save_best_only=True)``: keep the weights of the best epoch;
    * ``TensorBoard``: logs for ``tensorboard --logdir`` (needs TensorFlow installed);
    * ``ReduceLROnPlateau(factor=0.3, patience=4)``: multiply the rate by 0.3 after four flat
      epochs.
    """
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=10, verbose=1),
        keras.callbacks.ModelCheckpoint(
            os.fspath(checkpoint_path), monitor="val_loss", save_best_only=True
        ),
    ]
    if log_dir is not None:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.fspath(log_dir)))
    callbacks.append(
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.3, patience=4, min_delta=1e-4, min_lr=0
        )
    )
    return callbacks
