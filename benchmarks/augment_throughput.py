#!/usr/bin/env python3
"""Images per second: companion's ImageAugmenter against the legacy ImageDataGenerator.

    pip install -e ".[tf,bench]"          # tf_keras and scipy for the legacy generator
    nice -n 10 python benchmarks/augment_throughput.py --images 2048 --repeats 3

The transform set is the one source 004 (part 2) walks through: rotation up to 90°, shifts of
20%, a shear of 1.25°, horizontal and vertical flips, plus feature-wise standardization.
It runs on 28×28×1 (MNIST-sized) and 32×32×3 (CIFAR-sized) random images, on the same
machine in one run, and prints each way's images/s and its speed-up over the legacy one:

- ``legacy``: ``tf_keras.preprocessing.image.ImageDataGenerator(...).flow`` (SciPy, one image
  at a time);
- ``flow``: ``ImageAugmenter.flow`` — a pipeline step on the CPU, NumPy batches out;
- ``tf.data``: the augmenter mapped over a ``tf.data`` pipeline (TensorFlow backend only);
- ``layer``: the augmenter as a layer, compiled as ``model.fit`` compiles it
  (``tf.function`` on the TensorFlow backend; eager elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from companion.augment import ImageAugmenter  # noqa: E402

#: the options of source 004 part 2, all at once (shear in degrees, as every Keras since 2.2)
OPTIONS = dict(
    rotation_range=90,
    width_shift_range=0.2,
    height_shift_range=0.2,
    shear_range=1.25,
    horizontal_flip=True,
    vertical_flip=True,
    featurewise_center=True,
    featurewise_std_normalization=True,
    fill_mode="nearest",
)
SHAPES = {"28x28x1": (28, 28, 1), "32x32x3": (32, 32, 3)}


def _timed(n_images: int):
    """Wrap a pass so that it is warmed up once (tracing, first-call allocation) and then timed."""

    def wrap(run):
        run()

        def timed() -> float:
            start = time.perf_counter()
            run()
            return n_images / (time.perf_counter() - start)

        return timed

    return wrap


def legacy(x, y, batch_size):
    from tf_keras.preprocessing.image import ImageDataGenerator

    datagen = ImageDataGenerator(**OPTIONS)
    datagen.fit(x)
    steps = len(x) // batch_size

    @_timed(steps * batch_size)
    def run():
        iterator = datagen.flow(x, y, batch_size=batch_size, shuffle=True, seed=0)
        for _ in range(steps):
            next(iterator)

    return run


def ours_flow(x, y, batch_size):
    augmenter = ImageAugmenter(**OPTIONS).fit(x)
    batches = augmenter.flow(x, y, batch_size=batch_size, seed=0)
    steps = len(x) // batch_size

    @_timed(steps * batch_size)
    def run():
        for i in range(steps):
            batches[i]

    return run


def ours_tf_data(x, y, batch_size):
    import tensorflow as tf

    augmenter = ImageAugmenter(**OPTIONS).fit(x)
    steps = len(x) // batch_size
    augment = tf.autograph.experimental.do_not_convert(
        lambda images, labels: (augmenter(images, training=True), labels)
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .batch(batch_size, drop_remainder=True)
        .map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )

    @_timed(steps * batch_size)
    def run():
        for _ in dataset:
            pass

    return run


def ours_layer(x, y, batch_size):
    augmenter = ImageAugmenter(**OPTIONS).fit(x)
    call = lambda images: augmenter(images, training=True)  # noqa: E731
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        call = tf.function(call, autograph=False)
    starts = range(0, len(x) - batch_size + 1, batch_size)
    batches = [keras.ops.convert_to_tensor(x[i : i + batch_size]) for i in starts]

    @_timed(len(batches) * batch_size)
    def run():
        for batch in batches:
            out = call(batch)
        keras.ops.convert_to_numpy(out)  # wait for the device to finish

    return run


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def measure(images: int, legacy_images: int, batch_size: int, repeats: int) -> dict:
    """Every way's images/s on both shapes: the median of ``repeats`` interleaved passes and their
    range.

    The passes are interleaved (legacy, flow, layer, … then again) so that a passing load on the
    machine slows every way alike instead of one of them; the load average before and after is
    kept with the figures, which count only when the machine was quiet.
    """
    rng = np.random.default_rng(0)
    ways = {"legacy": legacy, "flow": ours_flow, "layer": ours_layer}
    if keras.backend.backend() == "tensorflow":
        ways["tf.data"] = ours_tf_data
    results = {
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "images": images,
        "legacy_images": legacy_images,
        "batch_size": batch_size,
        "repeats": repeats,
        "statistic": "median of interleaved passes",
        "cpu_count": os.cpu_count(),
        "load_average_before": load_average(),
        "rates": {},
        "ranges": {},
    }
    for shape_name, shape in SHAPES.items():
        x = rng.integers(0, 256, size=(images, *shape)).astype("float32")
        y = rng.integers(0, 10, size=images)
        passes = {}
        for name, way in ways.items():
            n = legacy_images if name == "legacy" else images
            passes[name] = way(x[:n], y[:n], batch_size)
        speeds = {name: [] for name in ways}
        for _ in range(repeats):
            for name, timed in passes.items():
                speeds[name].append(timed())
        results["rates"][shape_name] = {name: float(np.median(v)) for name, v in speeds.items()}
        results["ranges"][shape_name] = {name: [min(v), max(v)] for name, v in speeds.items()}
    results["load_average_after"] = load_average()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2048, help="images per pass (default 2048)")
    parser.add_argument(
        "--legacy-images",
        type=int,
        default=1024,
        help="images per pass for the slow legacy generator",
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    results = measure(args.images, args.legacy_images, args.batch_size, args.repeats)
    print(
        f"backend {results['backend']}, keras {results['keras']}, batch {args.batch_size}, "
        f"median of {args.repeats} interleaved passes; load average "
        f"{results['load_average_before']}"
    )
    for shape_name, rates in results["rates"].items():
        for name, rate in rates.items():
            low, high = results["ranges"][shape_name][name]
            print(
                f"{shape_name:>8}  {name:<8} {rate:>10,.0f} images/s (range {low:,.0f}-{high:,.0f})"
                f"   {rate / rates['legacy']:5.1f}x legacy"
            )
    print(f"load average after: {results['load_average_after']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
