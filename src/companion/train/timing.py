"""Timing a run: ``EpochTimer`` times each epoch's training, ``TrainingRun`` holds what it did.

An epoch's time leaves out the validation Keras runs after its last batch, so images per second
is a training speed; ``TrainingRun`` carries the history and timings into a result record.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import keras


class EpochTimer(keras.callbacks.Callback):
    """A callback that times the training part of every epoch.

    An epoch's time runs from its start to the end of its last training batch: the
    validation Keras runs after that batch is left out, so ``images / seconds`` is a
    training speed. The constructor takes no arguments.

    Attributes:
        seconds: the training time of each finished epoch, in seconds.
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0
        self._last_batch_end: float | None = None

    def on_epoch_begin(self, epoch, logs=None):
        """Start the epoch's clock.

        Args:
            epoch: the epoch's index, counted from 0.
            logs: Keras' logs (unused).
        """
        self._start = time.perf_counter()
        self._last_batch_end = None

    def on_train_batch_end(self, batch, logs=None):
        """Note when the latest training batch ended.

        Args:
            batch: the batch's index within the epoch.
            logs: Keras' logs (unused).
        """
        self._last_batch_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        """Append the epoch's training seconds to ``seconds``.

        Args:
            epoch: the epoch's index, counted from 0.
            logs: Keras' logs (unused).
        """
        end = self._last_batch_end or time.perf_counter()
        self.seconds.append(end - self._start)


@dataclass
class TrainingRun:
    """What one call of ``fit`` did: its history, epochs and timings.

    Args:
        history: metric name -> one value per epoch, as ``model.fit`` records it.
        epochs: how many epochs were trained.
        batch_size: images per batch; None when it was part of a dataset.
        train_samples: training images one epoch saw; None when unknown.
        epoch_seconds: each epoch's training time in seconds, validation excluded.
        wall_time_s: training wall time in seconds, validation included (summed over
            resumes).
        resumed_at_epoch: the 1-based epoch at which an interrupted run went on, or None.
        reused: True when a finished run was loaded from ``resume_dir``.
        load_average: the machine's load average at the start and end of training
            (``{"start", "end"}``), or None.
    """

    history: dict[str, list[float]]
    epochs: int
    batch_size: int | None
    train_samples: int | None  # None when x was a dataset or generator of unknown size
    epoch_seconds: list[float] = field(default_factory=list)  # training only, validation excluded
    wall_time_s: float = 0.0
    resumed_at_epoch: int | None = None  # 1-based, when an interrupted run went on
    reused: bool = False  # True when a finished run was loaded from resume_dir
    load_average: dict | None = None  # {"start", "end"} of the training itself

    @property
    def images_per_s(self) -> float | None:
        """Training throughput in images per second, over the epochs after the first.

        The first epoch pays for compilation, so it counts only in a one-epoch run.

        Returns:
            Images per second, or None when the number of training images is unknown
                (``x`` was a dataset or generator) or no epoch was timed.
        """
        steady = self.epoch_seconds[1:] or self.epoch_seconds
        if self.train_samples is None or not steady:
            return None
        return self.train_samples / (sum(steady) / len(steady))

    def to_dict(self) -> dict:
        """The run as a JSON-ready dict.

        Returns:
            Every field, plus ``images_per_s`` rounded to 0.1.
        """
        out = asdict(self)
        out["images_per_s"] = None if self.images_per_s is None else round(self.images_per_s, 1)
        return out
