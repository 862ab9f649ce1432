"""``companion`` / ``python -m companion``: small helpers for readers.

    companion info           versions, backend, device, cache and data folders
    companion fetch mnist    download a dataset into the cache (checked by sha256)

Errors the reader can fix are printed as one clear message (exit status 2).
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__, config
from .errors import CompanionError, ConfigError

DATASETS = {"mnist": "companion.data.mnist"}


def _import_keras():
    """Keras, or a ``ConfigError`` saying how to get a backend when it cannot start one."""
    try:
        import keras
    except (ImportError, ValueError) as exc:  # ValueError: an unknown KERAS_BACKEND name
        backend = os.environ.get("KERAS_BACKEND") or "the default, tensorflow"
        raise ConfigError(
            f"Keras cannot load its backend ({backend}): {type(exc).__name__}: {exc}. What to do: "
            'install one with the package: pip install "image-classification-book[tf]" for '
            'TensorFlow, or pip install "image-classification-book[jax]" / '
            '"image-classification-book[torch]" and then set KERAS_BACKEND=jax or '
            "KERAS_BACKEND=torch."
        ) from None
    return keras


def _info(args) -> int:
    cache = config.cache_dir()  # first: a broken setting is reported before the slow import
    keras = _import_keras()

    from .machine import describe_device

    print(f"companion {__version__}")
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    print(f"device: {describe_device()}")
    print(f"cache dir: {cache}")
    print(f"data dir (COMPANION_DATA_DIR): {config.data_dir() or 'not set'}")
    print(f"smoke run (COMPANION_SMOKE): {config.smoke()}")
    return 0


def _fetch(args) -> int:
    import importlib

    module = importlib.import_module(DATASETS[args.dataset])
    (x_train, _), (x_test, _) = module.load_data()
    print(f"{args.dataset}: {len(x_train):,} training and {len(x_test):,} test images ready.")
    return 0


def main(argv=None) -> int:
    """Run the ``companion`` command line.

    Args:
        argv: the arguments after the program's name; None: ``sys.argv[1:]``.

    Returns:
        The exit status: 0, or 2 after printing an error the reader can fix
            (``CompanionError`` or ``FileNotFoundError``).

    Raises:
        SystemExit: from argparse, for ``--help``, ``--version`` or a bad command line.
    """
    parser = argparse.ArgumentParser(prog="companion", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="show versions, backend, device and folders").set_defaults(
        func=_info
    )
    fetch = sub.add_parser("fetch", help="download a dataset into the cache")
    fetch.add_argument("dataset", choices=sorted(DATASETS))
    fetch.set_defaults(func=_fetch)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CompanionError, FileNotFoundError) as exc:
        print(f"companion: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
