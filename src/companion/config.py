"""Every setting the package reads from the environment, in one place.

=====================  ======================================================
``COMPANION_SMOKE``    ``1`` shrinks data and epochs for tests and CI (never
                       on by default); a line on stderr says so, once.
``COMPANION_DATA_DIR`` a folder in the official layout (``mnist/``,
                       ``cifar10/`` ...) used instead of downloading.
``COMPANION_CACHE_DIR`` where downloads are kept (default
                       ``~/.cache/companion``).
``COMPANION_MIRROR``   a base URL tried before the original download address.
``COMPANION_SEED``     the seed :func:`seed_everything` uses by default (42).
=====================  ======================================================
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import numpy as np

#: How far a smoke run shrinks things. Large enough that a model visibly learns,
#: small enough that every chapter's code runs in seconds on two CPU cores.
SMOKE_TRAIN_SAMPLES = 2000
SMOKE_TEST_SAMPLES = 500
SMOKE_EPOCHS = 1
#: A smoke run also stops each epoch after about this many images (whole batches, at
#: least one): a deep CNN trains at a few dozen images/s on two CPU cores.
SMOKE_IMAGES_PER_EPOCH = 128

_announced = False


def smoke() -> bool:
    """True when ``COMPANION_SMOKE`` asks for a smoke run (``1``, ``true``, ``yes``)."""
    on = os.environ.get("COMPANION_SMOKE", "").strip().lower() in {"1", "true", "yes", "on"}
    if on:
        _announce()
    return on


def _announce() -> None:
    global _announced
    if not _announced:
        _announced = True
        print(
            "[companion] COMPANION_SMOKE=1: smoke run with a few thousand samples and "
            f"{SMOKE_EPOCHS} epoch(s) of at most {SMOKE_IMAGES_PER_EPOCH} images; its numbers are not results.",
            file=sys.stderr,
        )


def epochs(full: int) -> int:
    """The number of epochs to train: ``full``, or ``SMOKE_EPOCHS`` in a smoke run."""
    if full < 1:
        raise ValueError(f"epochs must be at least 1, got {full}")
    return min(full, SMOKE_EPOCHS) if smoke() else full


def samples(full: int, smoke_size: int) -> int:
    """How many samples of a split to use: all ``full`` of them, or ``smoke_size`` in a smoke run."""
    return min(full, smoke_size) if smoke() else full


def steps_per_epoch(n_samples: int, batch_size: int) -> int | None:
    """Batches per epoch: None (all of them), or a few in a smoke run (``SMOKE_IMAGES_PER_EPOCH``)."""
    full = -(-int(n_samples) // int(batch_size))
    if not smoke():
        return None
    few = max(1, SMOKE_IMAGES_PER_EPOCH // int(batch_size))
    return few if few < full else None


def data_dir() -> Path | None:
    """The local dataset folder named by ``COMPANION_DATA_DIR``, or None."""
    value = os.environ.get("COMPANION_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Where downloaded files are kept; created on first use."""
    value = os.environ.get("COMPANION_CACHE_DIR", "").strip()
    path = Path(value).expanduser() if value else Path.home() / ".cache" / "companion"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror() -> str | None:
    """The base URL of a download mirror (``COMPANION_MIRROR``), or None."""
    value = os.environ.get("COMPANION_MIRROR", "").strip()
    return value.rstrip("/") + "/" if value else None


def default_seed() -> int:
    value = os.environ.get("COMPANION_SEED", "42").strip()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"COMPANION_SEED must be an integer, got {value!r}") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and the Keras backend so that a run repeats; returns the seed."""
    seed = default_seed() if seed is None else int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras  # imported here so that reading the config stays cheap

    keras.utils.set_random_seed(seed)
    return seed
