"""Probing a run before it starts: ``estimate`` times a few steps on a copy of the model."""

from __future__ import annotations

import time

import keras


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


def _sample_count(x) -> int | None:
    """How many samples ``x`` holds: arrays (or a dict of them) only; a dataset's is unknown.

    ``len()`` of a ``keras.utils.PyDataset`` counts batches, not images, so it is not used.
    """
    if isinstance(x, dict):
        x = next(iter(x.values()))
    return len(x) if hasattr(x, "shape") or isinstance(x, (list, tuple)) else None
