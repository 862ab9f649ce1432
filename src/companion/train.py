"""Training helpers: ``fit``, which is ``model.fit`` for a textbook's long runs.

``fit`` honours the smoke budget, times the training part of every epoch, can resume an
interrupted run from its folder, and returns a ``TrainingRun`` whose history and timings
go straight into a result record.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras

from . import config, machine
from ._io import write_json
from .augment.checks import check_fit_inputs


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


def fit(
    model,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int | None = None,
    callbacks=None,
    verbose="auto",
    images_per_epoch: int | None = None,
    resume_dir: str | Path | None = None,
    probe: bool = False,
    **kwargs,
) -> TrainingRun:
    """Train ``model`` like ``model.fit`` and return a ``TrainingRun``.

    A smoke run (``COMPANION_SMOKE=1``) trains ``config.SMOKE_EPOCHS`` epoch(s) of at most
    ``config.SMOKE_IMAGES_PER_EPOCH`` images (rounded to whole batches). With
    ``resume_dir`` the run survives interruption: ``keras.callbacks.BackupAndRestore``
    saves the model and optimizer after every epoch and the history is written beside it,
    so running the same call again goes on from the last finished epoch
    (``EarlyStopping``, ``ReduceLROnPlateau`` and ``ModelCheckpoint`` get back their best
    value and waiting count, see ``restore_waiting``). A finished run is kept in that
    folder, and the next call loads its weights instead of training again.

    Args:
        model: a compiled ``keras.Model``.
        x: training inputs: an array, a dict of arrays, or a dataset (``tf.data``,
            ``keras.utils.PyDataset``) that yields ``(inputs, labels)``.
        y: the labels; required with arrays, None with a dataset.
        epochs: the full run's number of epochs.
        batch_size: images per batch; required with arrays, None with a dataset (whose
            batches are its own).
        callbacks: Keras callbacks, run before the package's own.
        verbose: ``model.fit``'s progress output (``"auto"``, 0, 1 or 2).
        images_per_epoch: with a dataset, how many images one epoch holds (so that the
            speed can be computed); ignored with arrays.
        resume_dir: a folder that makes the run resumable, as above; None: not resumable.
        probe: first time a few steps on a copy of the model and print an estimate of the
            training time (see ``estimate``); not in a smoke run.
        **kwargs: passed on to ``model.fit`` (``validation_data``, ``validation_split``,
            ``shuffle``, ``steps_per_epoch`` ...).

    Returns:
        A ``TrainingRun``: history, epochs, timings, and whether it was resumed or reused.

    Raises:
        ValueError: arrays without ``batch_size`` or without ``y``; ``batch_size`` or
            ``epochs`` below 1; non-finite values (NaN, inf) in the arrays.
    """
    arrays = _sample_count(x) is not None
    if arrays and batch_size is None:
        raise ValueError(
            "fit: batch_size is required when x is an array (it is part of a dataset otherwise)"
        )
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if arrays and y is None and not isinstance(x, dict):
        raise ValueError("fit: y (the labels) is required when x is an array")
    # NaN or inf in the arrays: named here, rather than showing up later as a NaN loss
    check_fit_inputs(x, y, kwargs.get("validation_data"))
    run_epochs = config.epochs(epochs)
    n = _sample_count(x) if arrays else images_per_epoch
    if arrays:
        if kwargs.get("validation_split"):
            n = int(n * (1 - kwargs["validation_split"]))
        if (
            kwargs.get("steps_per_epoch") is None
            and config.steps_per_epoch(n, batch_size) is not None
        ):
            kwargs["steps_per_epoch"] = config.steps_per_epoch(n, batch_size)
        if kwargs.get("steps_per_epoch") is not None:
            n = min(n, kwargs["steps_per_epoch"] * batch_size)  # the images one epoch actually saw

    folder = Path(resume_dir) if resume_dir is not None else None
    if folder is not None:
        finished = _load_finished(model, folder)
        if finished is not None:
            print(
                f"  reusing the finished run in {folder} (delete it, or use --fresh, to train "
                "again)"
            )
            return finished
    if probe and not config.smoke():
        print("  " + estimate(model, x, y, batch_size, images=n, epochs=run_epochs))

    timer = EpochTimer()
    extra = [timer]
    progress = None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        progress = ProgressLog(folder / "progress.json", timer, watched=callbacks or [])
        # The backup comes before the log: the log keeps only epochs that the backup holds.
        extra = [
            timer,
            keras.callbacks.BackupAndRestore(str(folder / "backup"), double_checkpoint=True),
            progress,
        ]
    if batch_size is not None and arrays:
        kwargs["batch_size"] = batch_size
    load_start = machine.load_average()
    start = time.perf_counter()
    try:
        history = model.fit(
            x,
            y,
            epochs=run_epochs,
            callbacks=[*(callbacks or []), *extra],
            verbose=verbose,
            **kwargs,
        )
    finally:
        # Keras' BackupAndRestore leaves the epoch it resumed at on the model, and the next
        # model.fit of that model would start there: fine-tuning after a resumed run would
        # silently skip its first epochs.
        if getattr(model, "_initial_epoch", None) is not None:
            model._initial_epoch = None
    wall = time.perf_counter() - start
    if progress is None:
        run = TrainingRun(
            history={k: [float(v) for v in vals] for k, vals in history.history.items()},
            epochs=len(timer.seconds),
            batch_size=batch_size,
            train_samples=n,
            epoch_seconds=[round(s, 3) for s in timer.seconds],
            wall_time_s=round(wall, 2),
            load_average=_span(load_start, machine.load_average()),
        )
    else:
        state = progress.state
        run = TrainingRun(
            history=state["history"],
            epochs=len(state["epoch_seconds"]),
            batch_size=batch_size,
            train_samples=n,
            epoch_seconds=state["epoch_seconds"],
            wall_time_s=state["wall_time_s"],
            resumed_at_epoch=state.get("resumed_at_epoch"),
            load_average=_span(**state.get("load_average", {"start": None, "end": None})),
        )
        _save_finished(model, folder, run)
    return run


def estimate(
    model, x, y, batch_size: int | None, *, images: int | None, epochs: int, steps: int = 8
) -> str:
    """A sentence estimating the run's training time, from a few steps on a copy of the model.

    The copy (same architecture, fresh weights, same kind of optimizer and loss) trains on
    the first batch again and again: two warm-up steps, then ``steps`` timed ones. The
    model itself is not touched.

    Args:
        model: the compiled ``keras.Model`` to estimate for.
        x: the training inputs (arrays, or a dataset whose first batch is used).
        y: the labels, with arrays; None with a dataset.
        batch_size: images per batch, with arrays; None with a dataset.
        images: training images per epoch; None when unknown (the sentence then gives
            the speed only).
        epochs: epochs the run will train.
        steps: how many training steps are timed.

    Returns:
        One line, e.g. ``"estimate: ~N training images/s -> ... min of training ..."``; if
        the copy cannot be trained, a line saying why (an estimate never stops a run).
    """
    try:
        xb, yb = _first_batch(x, y, batch_size)
        copy = keras.models.clone_model(model)
        copy.compile(optimizer=type(model.optimizer)(), loss=model.loss)
        for _ in range(2):
            copy.train_on_batch(xb, yb)
        start = time.perf_counter()
        for _ in range(steps):
            copy.train_on_batch(xb, yb)
        rate = steps * len(xb) / (time.perf_counter() - start)
    except Exception as exc:  # an estimate must never stop a run
        return f"estimate: not available ({type(exc).__name__}: {exc})"
    if images is None:
        return (
            f"estimate: ~{rate:,.0f} training images/s (the number of images per epoch is unknown)"
        )
    seconds = images * epochs / rate
    return (
        f"estimate: ~{rate:,.0f} training images/s -> {epochs} epochs x {images:,} images "
        f"~ {seconds / 60:,.1f} min of training (validation and evaluation extra)"
    )


def _first_batch(x, y, batch_size):
    if _sample_count(x) is not None:

        def take(a):
            if isinstance(a, dict):
                return {k: v[:batch_size] for k, v in a.items()}
            return a[:batch_size]

        return take(x), take(y)
    batch = next(iter(x))
    return batch[0], batch[1]


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
        model.load_weights(str(weights))
    state.pop("images_per_s", None)
    state["reused"] = True
    return TrainingRun(**state)


def _span(start: float | None, end: float | None) -> dict | None:
    return None if start is None or end is None else {"start": start, "end": end}


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def _sample_count(x) -> int | None:
    """How many samples ``x`` holds: arrays (or a dict of them) only; a dataset's is unknown.

    ``len()`` of a ``keras.utils.PyDataset`` counts batches, not images, so it is not used.
    """
    if isinstance(x, dict):
        x = next(iter(x.values()))
    return len(x) if hasattr(x, "shape") or isinstance(x, (list, tuple)) else None
