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
from urllib.parse import urlsplit

import numpy as np

from .errors import ConfigError

#: How far a smoke run shrinks things. Large enough that a model visibly learns,
#: small enough that every chapter's code runs in seconds on two CPU cores.
SMOKE_TRAIN_SAMPLES = 2000
SMOKE_TEST_SAMPLES = 500
SMOKE_EPOCHS = 1
#: A smoke run also stops each epoch after about this many images (whole batches, at
#: least one): a deep CNN trains at a few dozen images/s on two CPU cores.
SMOKE_IMAGES_PER_EPOCH = 128

#: What COMPANION_MIRROR may name: a web server, or a folder (file:///path/to/copies/).
MIRROR_SCHEMES = ("http", "https", "file")

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
            f"{SMOKE_EPOCHS} epoch(s) of at most {SMOKE_IMAGES_PER_EPOCH} images; its numbers are "
            "not results.",
            file=sys.stderr,
        )


def epochs(full: int) -> int:
    """The number of epochs to train: ``full``, or ``SMOKE_EPOCHS`` in a smoke run."""
    if full < 1:
        raise ValueError(f"epochs must be at least 1, got {full}")
    return min(full, SMOKE_EPOCHS) if smoke() else full


def samples(full: int, smoke_size: int) -> int:
    """How many samples of a split to use: all ``full`` of them, or ``smoke_size`` in a smoke
    run."""
    return min(full, smoke_size) if smoke() else full


def steps_per_epoch(n_samples: int, batch_size: int) -> int | None:
    """Batches per epoch: None (all of them), or a few in a smoke run
    (``SMOKE_IMAGES_PER_EPOCH``)."""
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
    """Where downloaded files are kept; created on first use.

    Raises :class:`~companion.errors.ConfigError` (saying which setting to change) when the
    folder cannot be created or written to.
    """
    value = os.environ.get("COMPANION_CACHE_DIR", "").strip()
    path = Path(value).expanduser() if value else Path.home() / ".cache" / "companion"
    setting = (
        "COMPANION_CACHE_DIR"
        if value
        else "the default ~/.cache/companion (set COMPANION_CACHE_DIR)"
    )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"The download cache {path} cannot be created ({exc.strerror or exc}). "
            f"What to do: point COMPANION_CACHE_DIR at a folder you can write to (now: {setting})."
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(
            f"The download cache {path} is not writable. What to do: point COMPANION_CACHE_DIR at "
            "a folder "
            f"you can write to (now: {setting})."
        )
    return path


def mirror() -> str | None:
    """The base URL of a download mirror (``COMPANION_MIRROR``), or None.

    Raises :class:`~companion.errors.ConfigError` unless it is an ``http://``, ``https://``
    or ``file://`` URL.
    """
    value = os.environ.get("COMPANION_MIRROR", "").strip()
    if not value:
        return None
    if (
        urlsplit(value).scheme.lower() not in MIRROR_SCHEMES
        or not urlsplit(value).netloc + urlsplit(value).path
    ):
        raise ConfigError(
            f"COMPANION_MIRROR={value!r} is not a URL; it must start with http://, https:// or "
            "file:// "
            "(for example https://mirror.example.org/datasets/). Fix it, or unset it to use the "
            "original addresses."
        )
    return value.rstrip("/") + "/"


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
