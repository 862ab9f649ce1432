#!/usr/bin/env python3
"""What ``ImageAugmenter.flow`` costs on this Keras backend.

``flow`` compiles its augmentation (one ``tf.function``) on TensorFlow only; on JAX and PyTorch
it runs the random layers op by op (eagerly). Run it once per backend, on the same machine:

    KERAS_BACKEND=tensorflow nice -n 10 python benchmarks/flow_backends.py
    KERAS_BACKEND=jax        nice -n 10 python benchmarks/flow_backends.py

It prints, for MNIST- and CIFAR-sized random images and the options of source 004 part 2
(as ``benchmarks/augment_throughput.py``): the first batch's seconds (tracing/compiling
included), then images/s over whole passes (best of ``--repeats``) and the CPU seconds this
process spent per 1,000 images (less disturbed than wall time by other work on the machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import keras  # noqa: E402
import numpy as np  # noqa: E402

# The same transform set and shapes as the throughput benchmark beside this file.
from augment_throughput import OPTIONS, SHAPES  # noqa: E402

from companion.augment import ImageAugmenter  # noqa: E402


def measure(images: int, batch_size: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    out = {
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "images": images,
        "batch_size": batch_size,
        "shapes": {},
    }
    for name, shape in SHAPES.items():
        x = rng.integers(0, 256, size=(images, *shape)).astype("float32")
        y = rng.integers(0, 10, size=images)
        batches = ImageAugmenter(**OPTIONS).fit(x).flow(x, y, batch_size=batch_size, seed=0)
        start = time.perf_counter()
        batches[0]
        first = time.perf_counter() - start
        best_wall, best_cpu = float("inf"), float("inf")
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(len(batches)):
                batches[i]
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        n = len(batches) * batch_size
        out["shapes"][name] = {
            "first_batch_s": round(first, 3),
            "images_per_s": round(n / best_wall),
            "cpu_s_per_1000_images": round(1000 * best_cpu / n, 3),
        }
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    results = measure(args.images, args.batch_size, args.repeats)
    for name, r in results["shapes"].items():
        print(
            f"{results['backend']:<10} {name}: first batch {r['first_batch_s']:.2f} s, "
            f"{r['images_per_s']:,} images/s, {r['cpu_s_per_1000_images']:.2f} CPU s per 1,000 "
            "images"
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
