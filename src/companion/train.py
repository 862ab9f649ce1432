"""Training helpers: ``fit`` that times every epoch and returns a plain record.

``fit`` is ``model.fit`` plus two things a textbook needs: it honours the smoke
budget (``COMPANION_SMOKE=1`` trains for one epoch of a few batches), and it returns a
:class:`TrainingRun` whose history and timings go straight into a result record.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import keras

from . import config


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch (the first one includes compilation)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


@dataclass
class TrainingRun:
    """What one call of :func:`fit` did: its history, epochs and timings."""

    history: dict[str, list[float]]
    epochs: int
    batch_size: int
    train_samples: int | None  # None when x was a dataset or generator of unknown size
    epoch_seconds: list[float] = field(default_factory=list)
    wall_time_s: float = 0.0

    @property
    def images_per_s(self) -> float | None:
        """Training throughput over the epochs after the first (which pays for compilation).

        None when the number of training images is unknown (x was a dataset or generator).
        """
        steady = self.epoch_seconds[1:] or self.epoch_seconds
        if self.train_samples is None or not steady:
            return None
        return self.train_samples / (sum(steady) / len(steady))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["images_per_s"] = None if self.images_per_s is None else round(self.images_per_s, 1)
        return out


def fit(model, x, y, *, epochs: int, batch_size: int, callbacks=None, verbose="auto", **kwargs) -> TrainingRun:
    """Train ``model`` like ``model.fit`` and return a :class:`TrainingRun`.

    ``epochs`` is the full recipe's number; a smoke run trains for ``config.SMOKE_EPOCHS``
    epoch(s) of at most ``config.SMOKE_IMAGES_PER_EPOCH`` images (rounded to whole batches).
    Extra keyword arguments (``validation_data``, ``validation_split``, ``shuffle`` ...)
    go to ``model.fit`` unchanged.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    timer = EpochTimer()
    run_epochs = config.epochs(epochs)
    n = _sample_count(x)
    if n is not None:
        if kwargs.get("validation_split"):
            n = int(n * (1 - kwargs["validation_split"]))
        if kwargs.get("steps_per_epoch") is None and config.steps_per_epoch(n, batch_size) is not None:
            kwargs["steps_per_epoch"] = config.steps_per_epoch(n, batch_size)
        if kwargs.get("steps_per_epoch") is not None:
            n = min(n, kwargs["steps_per_epoch"] * batch_size)  # the images one epoch actually saw
    start = time.perf_counter()
    history = model.fit(
        x, y, epochs=run_epochs, batch_size=batch_size, callbacks=[*(callbacks or []), timer], verbose=verbose, **kwargs
    )
    wall = time.perf_counter() - start
    return TrainingRun(
        history={k: [float(v) for v in vals] for k, vals in history.history.items()},
        epochs=len(timer.seconds),
        batch_size=batch_size,
        train_samples=n,
        epoch_seconds=[round(s, 3) for s in timer.seconds],
        wall_time_s=round(wall, 2),
    )


def _sample_count(x) -> int | None:
    """How many samples ``x`` holds: arrays (or a dict of them) only; a dataset's is unknown.

    ``len()`` of a ``keras.utils.PyDataset`` counts batches, not images, so it is not used.
    """
    if isinstance(x, dict):
        x = next(iter(x.values()))
    return len(x) if hasattr(x, "shape") or isinstance(x, (list, tuple)) else None
