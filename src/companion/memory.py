"""How much memory does training a model take? The source's estimate, a better one, a measurement.

Source 003 estimates the memory of training at a batch size as
``4 bytes x batch_size x (layer outputs + parameters)``: it multiplies the *parameters*
by the batch size too, although the weights are stored once, not once per image, and it
leaves out the gradients and the optimizer's state. :func:`source_estimate_bytes`
reproduces that formula; :func:`estimate_training_bytes` counts each thing once;
:func:`measure_training_memory` measures what one process actually used.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

GIB = 1024**3


def activation_count(model) -> int:
    """Numbers in all layer outputs for *one* image (the input layer's included, as in the
    source)."""
    total = int(np.prod(model.inputs[0].shape[1:]))
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        total += sum(int(np.prod(out.shape[1:])) for out in outputs)
    return total


def _weight_count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def source_estimate_bytes(model, batch_size: int) -> int:
    """Source 003's formula: 4 x batch_size x (activations per image + all parameters)."""
    params = _weight_count(model.trainable_weights) + _weight_count(model.non_trainable_weights)
    return 4 * batch_size * (activation_count(model) + params)


def estimate_training_bytes(
    model, batch_size: int, optimizer_slots: int = 2, bytes_per_number: int = 4
) -> int:
    """Weights, gradients and optimizer slots once; activations (kept for backprop) once per image.

    ``optimizer_slots`` is 2 for Adam (first and second moments), 0 for plain SGD.
    Frameworks add workspace and temporary buffers on top, so this is a floor, not a ceiling.
    """
    trainable = _weight_count(model.trainable_weights)
    fixed = _weight_count(model.non_trainable_weights)
    return bytes_per_number * (
        trainable * (2 + optimizer_slots) + fixed + batch_size * activation_count(model)
    )


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

    Returns the process's resident memory before, its peak during training, the
    increase, and the seconds of the last step. It measures *host* memory: on a GPU
    the activations live in device memory, so use the backend's own tools there.
    One warm-up step (which builds the training function) runs first and counts too.
    Run it in a fresh process for a clean number: memory a process has freed is
    often not returned to the system.
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
