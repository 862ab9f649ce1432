"""Every setting the package reads from the environment, in one place.

- ``COMPANION_SMOKE``: ``1`` shrinks data and epochs for tests and CI (never on by
  default); a line on stderr says so, once.
- ``COMPANION_DATA_DIR``: a folder in the official layout (``mnist/``, ``cifar10/`` ...)
  used instead of downloading.
- ``COMPANION_CACHE_DIR``: where downloads are kept (default ``~/.cache/companion``).
- ``COMPANION_MIRROR``: a base URL tried before the original download address.
- ``COMPANION_SEED``: the seed ``seed_everything`` uses by default (42).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .errors import ConfigError

#: How far a smoke run shrinks things: large enough that a model visibly learns, small
#: enough that the tests can run every chapter's code.
SMOKE_TRAIN_SAMPLES = 2000
SMOKE_TEST_SAMPLES = 500
SMOKE_EPOCHS = 1
#: A smoke run also stops each epoch after about this many images (whole batches, at
#: least one), since a deep CNN trains slowly on a CPU.
SMOKE_IMAGES_PER_EPOCH = 128

#: What COMPANION_MIRROR may name: a web server, or a folder (file:///path/to/copies/).
MIRROR_SCHEMES = ("http", "https", "file")

_announced = False


def smoke() -> bool:
    """Whether ``COMPANION_SMOKE`` asks for a smoke run.

    The first time it does, a line on stderr says so.

    Returns:
        True for ``1``, ``true``, ``yes`` or ``on`` (any case), else False.
    """
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
    """The number of epochs to train.

    Args:
        full: the full run's number of epochs.

    Returns:
        ``full``, or at most ``SMOKE_EPOCHS`` in a smoke run.

    Raises:
        ValueError: ``full`` is below 1.
    """
    if full < 1:
        raise ValueError(f"epochs must be at least 1, got {full}")
    return min(full, SMOKE_EPOCHS) if smoke() else full


def samples(full: int, smoke_size: int) -> int:
    """How many samples of a split to use.

    Args:
        full: the split's size.
        smoke_size: how many a smoke run uses (e.g. ``SMOKE_TRAIN_SAMPLES``).

    Returns:
        ``full``, or at most ``smoke_size`` in a smoke run.
    """
    return min(full, smoke_size) if smoke() else full


def steps_per_epoch(n_samples: int, batch_size: int) -> int | None:
    """Batches per epoch for ``model.fit``'s ``steps_per_epoch``.

    Args:
        n_samples: training samples.
        batch_size: samples per batch.

    Returns:
        None (all batches), or in a smoke run the batches that hold about
            ``SMOKE_IMAGES_PER_EPOCH`` images (at least one), when that is fewer than all.
    """
    full = -(-int(n_samples) // int(batch_size))
    if not smoke():
        return None
    few = max(1, SMOKE_IMAGES_PER_EPOCH // int(batch_size))
    return few if few < full else None


def data_dir() -> Path | None:
    """The local dataset folder named by ``COMPANION_DATA_DIR``.

    Returns:
        The folder (``~`` expanded; it is not checked), or None when the variable is unset.
    """
    value = os.environ.get("COMPANION_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Where downloaded files are kept; created on first use.

    Returns:
        ``COMPANION_CACHE_DIR``, or ``~/.cache/companion``.

    Raises:
        ConfigError: the folder cannot be created or written to (the message says which
            setting to change).
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
    """The base URL of a download mirror (``COMPANION_MIRROR``).

    Returns:
        The URL, ending in ``/``, or None when the variable is unset.

    Raises:
        ConfigError: it is not an ``http://``, ``https://`` or ``file://`` URL.
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
    """The seed runs use unless told otherwise.

    Returns:
        ``COMPANION_SEED`` as an integer, or 42 when it is unset.

    Raises:
        ValueError: ``COMPANION_SEED`` is not an integer.
    """
    value = os.environ.get("COMPANION_SEED", "42").strip()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"COMPANION_SEED must be an integer, got {value!r}") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and the Keras backend so that a run repeats.

    Args:
        seed: the seed; None: ``default_seed()``.

    Returns:
        The seed used.

    Raises:
        ValueError: ``seed`` is None and ``COMPANION_SEED`` is not an integer.
    """
    seed = default_seed() if seed is None else int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras  # imported here so that reading the config stays cheap

    keras.utils.set_random_seed(seed)
    return seed
