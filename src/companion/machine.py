"""The computer a run is on: the device Keras computes on, and how busy the machine is.

``companion info`` prints the device; ``companion.train`` keeps the load average at the
start and end of a training run beside its history, so that a slow run on a crowded machine
can be told from a slow model.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def load_average() -> float | None:
    """How busy the machine is now.

    Returns:
        The 1-minute load average, rounded to 0.01, or None where the system has none
            (Windows).
    """
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe_device() -> str:
    """The device the current Keras backend computes on.

    Returns:
        A short description: ``"GPU: <name>"``, or ``"CPU: <model> (<n> cores)"`` where no GPU
            is in use (or the query fails: it never breaks a run).
    """
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                return "GPU: " + tf.config.experimental.get_device_details(gpus[0]).get(
                    "device_name", "unknown"
                )
        elif backend == "jax":
            import jax

            device = jax.devices()[0]
            if device.platform != "cpu":
                return f"GPU: {device.device_kind}"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return "GPU: " + torch.cuda.get_device_name(0)
    except Exception:  # a device query must never break a run
        pass
    return f"CPU: {_cpu_name()} ({os.cpu_count()} cores)"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
