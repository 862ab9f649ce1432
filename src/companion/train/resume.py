"""Resuming an interrupted run: the progress log, the callbacks' counts, the finished run.

``ProgressLog`` writes the history and timings after every epoch, beside Keras'
``BackupAndRestore``; ``restore_waiting`` gives ``EarlyStopping``, ``ReduceLROnPlateau`` and
``ModelCheckpoint`` back their counts; a finished run is kept and loaded instead of trained again.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from pathlib import Path

import keras

from .. import machine
from .._io import write_json
from ..errors import ConfigError
from .timing import EpochTimer, TrainingRun


class ProgressLog(keras.callbacks.Callback):
    """A callback that writes the history and timings so far after every epoch.

    It lets an interrupted run go on. On a resumed run the first epoch Keras starts tells
    where the model's backup stands; anything logged after that backup is dropped, so
    history and weights always agree. Put it after ``keras.callbacks.BackupAndRestore``.

    Args:
        path: the JSON file to write (read first, if it exists, to go on from it).
        timer: the ``EpochTimer`` of the same run, whose seconds it logs.
        watched: callbacks whose best value and waiting count a resumed run gives back
            (see ``restore_waiting``).
    """

    def __init__(self, path: Path, timer: EpochTimer, watched=()):
        super().__init__()
        self.path = path
        self.timer = timer
        self.watched = list(watched)  # callbacks whose counts a resumed run gives back
        self.state = _read_json(path) or {"history": {}, "epoch_seconds": [], "wall_time_s": 0.0}
        self.resumed_at_epoch: int | None = None  # 1-based epoch at which training went on
        self._first = True
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        """On the run's first epoch, drop what the backup lacks and restore the callbacks.

        Args:
            epoch: the epoch's index, counted from 0 (more than 0 when the run resumed).
            logs: Keras' logs (unused).
        """
        if self._first:
            self._first = False
            self.state["history"] = {k: v[:epoch] for k, v in self.state["history"].items()}
            self.state["epoch_seconds"] = self.state["epoch_seconds"][:epoch]
            if epoch > 0:
                self.resumed_at_epoch = epoch + 1
                self.state["resumed_at_epoch"] = epoch + 1
                restore_waiting(self.watched, self.state["history"])
            # the training's own load, kept with the run (a reused run's record shows it)
            self.state.setdefault("load_average", {"start": machine.load_average(), "end": None})
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        """Add the epoch's metrics and seconds to the state and write it to ``path``.

        Args:
            epoch: the epoch's index, counted from 0.
            logs: the epoch's metrics, as Keras passes them.
        """
        for key, value in (logs or {}).items():
            self.state["history"].setdefault(key, []).append(float(value))
        self.state["epoch_seconds"].append(round(self.timer.seconds[-1], 3))
        self.state["wall_time_s"] = round(
            self.state["wall_time_s"] + time.perf_counter() - self._epoch_start, 2
        )
        self.state["load_average"]["end"] = machine.load_average()
        write_json(self.path, self.state)


def restore_waiting(callbacks, history: dict[str, list[float]]) -> None:
    """Replay an interrupted run's logged epochs through the callbacks that count them.

    ``EarlyStopping`` and ``ReduceLROnPlateau`` keep the best value so far and the epochs
    waited since, and reset both when training starts: after a resume they would wait a
    whole patience again. ``ModelCheckpoint(save_best_only=True)`` in a new process knows
    no best yet, and would overwrite the best checkpoint with the first resumed epoch. Here
    they step through the logged values as they did then (the learning rate itself comes
    back with the optimizer in the backup; a reduction is replayed only as the cooldown and
    the reset count it caused). ``EarlyStopping``'s best weights are not kept across a resume.

    Args:
        callbacks: the run's callbacks; other kinds than these three are skipped.
        history: metric name -> one value per logged epoch, as ``model.fit`` records it
            (``learning_rate`` too, if logged).

    Returns:
        None; the callbacks are changed in place. A callback whose ``mode="auto"`` cannot
            tell its direction yet starts afresh, with a warning.
    """
    kinds = (
        keras.callbacks.ReduceLROnPlateau,
        keras.callbacks.EarlyStopping,
        keras.callbacks.ModelCheckpoint,
    )
    for callback in callbacks:
        if not isinstance(callback, kinds):
            continue
        values = history.get(callback.monitor) or []
        if not values:
            continue
        if callback.monitor_op is None:
            try:
                callback._set_monitor_op()  # once: it also gives min_delta its sign
            except ValueError as exc:  # mode="auto" on a metric Keras can't judge yet
                warnings.warn(f"{type(callback).__name__} starts afresh: {exc}", stacklevel=2)
                continue
        better = lambda v, cb=callback: bool(cb._is_improvement(v, cb.best))  # noqa: E731
        if isinstance(callback, keras.callbacks.ModelCheckpoint):
            if callback.save_best_only:
                for value in values:
                    if better(value):
                        callback.best = value
        elif isinstance(callback, keras.callbacks.ReduceLROnPlateau):
            rates = history.get("learning_rate") or []
            for epoch, value in enumerate(values):
                if callback.in_cooldown():
                    callback.cooldown_counter -= 1
                    callback.wait = 0
                if better(value):
                    callback.best, callback.wait = value, 0
                elif not callback.in_cooldown():
                    callback.wait += 1
                    rate = rates[epoch] if epoch < len(rates) else None
                    if callback.wait >= callback.patience and (
                        rate is None or rate > callback.min_lr
                    ):
                        callback.cooldown_counter, callback.wait = callback.cooldown, 0
        else:
            for epoch, value in enumerate(values):
                if epoch < callback.start_from_epoch:
                    continue
                callback.wait += 1
                if better(value):
                    callback.best, callback.best_epoch = value, epoch
                    if callback.baseline is None or bool(
                        callback._is_improvement(value, callback.baseline)
                    ):
                        callback.wait = 0


def _save_finished(model, folder: Path, run: TrainingRun) -> None:
    """Keep the trained weights and the run, then drop the backup and the progress log."""
    model.save_weights(str(folder / "finished.weights.h5"))
    write_json(folder / "finished.json", run.to_dict())
    (folder / "progress.json").unlink(missing_ok=True)
    shutil.rmtree(folder / "backup", ignore_errors=True)


def _load_finished(model, folder: Path) -> TrainingRun | None:
    state = _read_json(folder / "finished.json")
    weights = folder / "finished.weights.h5"
    if state is None or not weights.exists():
        return None
    with warnings.catch_warnings():
        # The file holds the optimizer's state too; a model about to be evaluated needs none.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        try:
            model.load_weights(str(weights))
        except ValueError as error:  # saved from a network of another structure
            reason = str(error).strip().splitlines()[0]
            raise ConfigError(
                f"resume_dir {folder} holds a finished run of another network ({reason}). "
                f"To train this network, pass another resume_dir, or delete {folder} (the "
                "book's experiments: --fresh); nothing in it was changed."
            ) from error
    state.pop("images_per_s", None)
    state["reused"] = True
    return TrainingRun(**state)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
