"""How much memory does training a model take? The source's estimate, a better one, a measurement.

``source_estimate_bytes`` is source 003's formula, ``estimate_training_bytes`` counts each
thing once, ``measure_training_memory`` measures what one process used (chapter 06).
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

GIB = 1024**3


# --8<-- [start:activation_count]
def activation_count(model) -> int:
    """Numbers in all layer outputs for *one* image, the input's too (as in the source).

    Args:
        model: a built ``keras.Model``.

    Returns:
        The count of activations per image.
    """
    total = int(np.prod(model.inputs[0].shape[1:]))
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        out = layer.output
        outputs = out if isinstance(out, (list, tuple)) else [out]
        total += sum(int(np.prod(o.shape[1:])) for o in outputs)
    return total
    # --8<-- [end:activation_count]


def _weight_count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


# --8<-- [start:source_estimate_bytes]
def source_estimate_bytes(model, batch_size: int) -> int:
    """Source 003's formula: 4 bytes x batch_size x (activations + parameters).

    Args:
        model: a built ``keras.Model``.
        batch_size: images per batch.

    Returns:
        The estimate in bytes.
    """
    params = _weight_count(model.trainable_weights)
    params += _weight_count(model.non_trainable_weights)
    return 4 * batch_size * (activation_count(model) + params)
    # --8<-- [end:source_estimate_bytes]


# --8<-- [start:estimate_training_bytes]
def estimate_training_bytes(
    model, batch_size: int, optimizer_slots: int = 2, bytes_per_number: int = 4
) -> int:
    """Training memory with each thing counted once: a floor, not a ceiling.

    The weights, their gradients and the optimizer's slots are stored once; the layer
    outputs, kept for backpropagation, once per image. Frameworks add workspace and
    buffers on top.

    Args:
        model: a built ``keras.Model``.
        batch_size: images per batch.
        optimizer_slots: numbers the optimizer keeps per weight: 2 for Adam's two
            moments, 0 for plain SGD.
        bytes_per_number: 4 for float32.

    Returns:
        The estimate in bytes.
    """
    trainable = _weight_count(model.trainable_weights)
    fixed = _weight_count(model.non_trainable_weights)  # e.g. BN's moving statistics
    per_image = activation_count(model)
    numbers = trainable * (2 + optimizer_slots) + fixed + batch_size * per_image
    return bytes_per_number * numbers
    # --8<-- [end:estimate_training_bytes]


def _rss_bytes() -> int:
    """Resident memory of this process (Linux: /proc; elsewhere: peak RSS from resource)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_training_memory(model, batch_size: int, steps: int = 2, seed: int = 0) -> dict:
    """Train ``model`` (already compiled) for ``steps`` batches of random data, watching memory.

    It measures *host* memory: on a GPU the activations live in device memory, so use the
    backend's own tools there. One warm-up step (which builds the training function) runs
    first and counts too. Run it in a fresh process for a clean number: memory a process
    has freed is often not returned to the system.

    Args:
        model: a compiled ``keras.Model`` with one image input and one-hot class output.
        batch_size: images per batch.
        steps: training steps after the warm-up.
        seed: the seed of the random data.

    Returns:
        A dict: ``batch_size``; ``baseline_bytes``, ``peak_bytes`` and ``increase_bytes``
            (the process's resident memory before, its peak, the difference); and
            ``seconds_per_step``, the last step's time in seconds.

    Raises:
        ValueError: ``batch_size`` or ``steps`` below 1.
    """
    if batch_size < 1 or steps < 1:
        raise ValueError(f"batch_size and steps must be at least 1, got {batch_size} and {steps}")
    rng = np.random.default_rng(seed)
    shape = tuple(model.inputs[0].shape[1:])
    x = rng.random((batch_size, *shape), dtype=np.float32)
    classes = int(model.outputs[0].shape[-1])
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, batch_size)]
    baseline = _rss_bytes()
    peak = [baseline]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        seconds = 0.0
        for _ in range(steps + 1):
            start = time.perf_counter()
            model.train_on_batch(x, y)
            seconds = time.perf_counter() - start
    finally:
        done.set()
        watcher.join()
    peak[0] = max(peak[0], _rss_bytes())
    return {
        "batch_size": batch_size,
        "baseline_bytes": baseline,
        "peak_bytes": peak[0],
        "increase_bytes": peak[0] - baseline,
        "seconds_per_step": seconds,
    }
