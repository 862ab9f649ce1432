"""``fit``: ``model.fit`` for a textbook's long runs, resumable and timed."""

from __future__ import annotations

import time
from pathlib import Path

import keras

from .. import config, machine
from ..augment.checks import check_fit_inputs
from .probe import _sample_count, estimate
from .resume import ProgressLog, _load_finished, _save_finished
from .timing import EpochTimer, TrainingRun


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
        ConfigError: ``resume_dir`` holds a finished run of a network of another structure
            (its weights do not fit ``model``); the folder is left as it is.
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


def _span(start: float | None, end: float | None) -> dict | None:
    return None if start is None or end is None else {"start": start, "end": end}
