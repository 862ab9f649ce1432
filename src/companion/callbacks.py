"""Callbacks and learning-rate schedules of chapters 05 (ResNet) and 06 (Inception).

The source's ResNet schedule (``resnet_lr_schedule``), one that composes with
``ReduceLROnPlateau`` (``step_decay``, ``compressed_step_decay``), the two sources'
callback lists, and ``LearningRateLog``. Why the source's wiring undoes the plateau
reduction is told in chapter 05.
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

    Args:
        epoch: the epoch, counted from 0.
        lr: the current rate, ignored: which is why it undoes ``ReduceLROnPlateau``.

    Returns:
        The learning rate for ``epoch``.
    """
    rate = RESNET_BASE_LR
    for first_epoch, factor in RESNET_DROPS:
        if epoch >= first_epoch:
            rate *= factor
    return rate


def step_decay(epoch: int, lr: float) -> float:
    """The same drops, applied to the *current* rate: other callbacks' changes stay.

    Args:
        epoch: the epoch, counted from 0.
        lr: the current learning rate.

    Returns:
        1e-3 at epoch 0, else ``lr`` times the drop due at ``epoch`` (if any).
    """
    if epoch == 0:
        return RESNET_BASE_LR
    return lr * dict(RESNET_DROPS).get(epoch, 1.0)
    # --8<-- [end:step_decay]


# --8<-- [start:compressed_step_decay]
def compressed_step_decay(epochs: int, recipe_epochs: int = 200):
    """``step_decay`` for a run of ``epochs`` instead of ``recipe_epochs``.

    Each drop moves to the same *fraction* of the run: in 40 epochs the lower rates
    start at epochs 16, 24, 32 and 36 (from 0) instead of 81, 121, 161 and 181.

    Args:
        epochs: the run's length, 1 to ``recipe_epochs``.
        recipe_epochs: the length the drops were set for.

    Returns:
        A schedule ``(epoch, lr) -> lr``; ``drops`` maps each first epoch to its factor.

    Raises:
        ValueError: ``epochs`` is not between 1 and ``recipe_epochs``.
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

    schedule.drops = drops
    return schedule
    # --8<-- [end:compressed_step_decay]


class LearningRateLog(keras.callbacks.Callback):
    """A callback that records the learning rate each epoch trains with.

    Put it after the schedulers, so that it sees the rate they set. The constructor
    takes no arguments.

    Attributes:
        rates: one learning rate per epoch begun.
    """

    def __init__(self):
        super().__init__()
        self.rates: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        """Append the optimizer's current learning rate to ``rates``.

        Args:
            epoch: the epoch's index, counted from 0.
            logs: Keras' logs (unused).
        """
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


# --8<-- [start:resnet_callbacks]
def resnet_callbacks(
    checkpoint_path: str | os.PathLike,
    schedule=step_decay,
    monitor: str = "val_accuracy",
) -> list:
    """Source 000's callbacks: best checkpoint, ``ReduceLROnPlateau``, step schedule.

    Args:
        checkpoint_path: the file the best model is saved to (``.keras``).
        schedule: ``(epoch, lr) -> lr``; ``resnet_lr_schedule`` reproduces the source's
            wiring, in which the plateau reduction never takes effect.
        monitor: the metric the checkpoint keeps the maximum of.

    Returns:
        The three callbacks, in the order ``model.fit`` runs them.
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

    Args:
        checkpoint_path: the file the best model is saved to (``.keras``).
        log_dir: TensorBoard's log folder; None leaves TensorBoard out.

    Returns:
        The callbacks, in the order above.
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
