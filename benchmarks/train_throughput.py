#!/usr/bin/env python3
"""Images per second of one training epoch, one line per model, on this backend and device.

    python benchmarks/train_throughput.py                    # every model, 2,048 images
    python benchmarks/train_throughput.py --models cnn --images 50000

Each model trains with its chapter's recipe and data pipeline: CIFAR-10 from
``companion.data.cifar10`` (``COMPANION_DATA_DIR`` or the download cache; random
pixels with ``--synthetic``), scaled to [0, 1], augmentation layers inside the model (so
they run on the accelerator), the chapter's optimizer and batch size. A short warm-up
epoch is trained first so that compilation is not timed. To add a chapter's model, add
an entry to ``MODELS``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import keras  # noqa: E402
import numpy as np  # noqa: E402


@dataclass
class Recipe:
    """How a chapter trains its model: builder, optimizer, batch size."""

    chapter: str
    build: Callable[[], keras.Model]
    optimizer: Callable[[], keras.optimizers.Optimizer]
    batch_size: int


def _cnn():
    from companion.models import build_cnn, shift_and_flip

    return build_cnn(augmentation=shift_and_flip(0.1))


def _deep_cnn():
    from companion.models import build_deep_cnn, shift_and_flip

    return build_deep_cnn(augmentation=shift_and_flip(0.2, rotation_degrees=10))


MODELS: dict[str, Recipe] = {
    "cnn": Recipe("03", _cnn, lambda: keras.optimizers.RMSprop(learning_rate=1e-4), 32),
    "deep_cnn": Recipe("04", _deep_cnn, lambda: keras.optimizers.Adam(learning_rate=1e-4), 128),
    # "resnet20v1": Recipe("05", ..., ..., 32),   chapter 05 adds its own entries here
}


def cifar10_images(n: int, synthetic: bool):
    if synthetic:
        rng = np.random.default_rng(0)
        return rng.random((n, 32, 32, 3), dtype=np.float32), keras.utils.to_categorical(rng.integers(0, 10, n), 10)
    from companion.data import cifar10

    (x, y), _ = cifar10.load_data()
    if len(x) < n:
        x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, (n, 1))  # repeat a small copy to n images
    return x[:n].astype("float32") / 255, keras.utils.to_categorical(y[:n], 10)


def measure(name: str, recipe: Recipe, x, y) -> float:
    keras.utils.set_random_seed(0)
    model = recipe.build()
    model.compile(optimizer=recipe.optimizer(), loss="categorical_crossentropy", metrics=["accuracy"])
    warm = min(len(x), 2 * recipe.batch_size)
    model.fit(x[:warm], y[:warm], batch_size=recipe.batch_size, epochs=1, verbose=0)  # compile, not timed
    start = time.perf_counter()
    model.fit(x, y, batch_size=recipe.batch_size, epochs=1, verbose=0)
    return len(x) / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument("--images", type=int, default=2048, help="images in the timed epoch (default 2048)")
    parser.add_argument("--synthetic", action="store_true", help="random pixels instead of CIFAR-10")
    args = parser.parse_args(argv)
    if args.images < 1:
        parser.error("--images must be at least 1")
    from companion.results import describe_device

    x, y = cifar10_images(args.images, args.synthetic)
    print(f"# Keras {keras.__version__}, backend {keras.backend.backend()}, {describe_device()}, {len(x):,} images")
    for name in args.models:
        recipe = MODELS[name]
        speed = measure(name, recipe, x, y)
        print(f"{name:<12} ch{recipe.chapter}  batch {recipe.batch_size:>4}  {speed:>10,.1f} images/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
