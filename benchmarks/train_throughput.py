#!/usr/bin/env python3
"""Training images per second, one line per model: the speeds the book publishes.

    python benchmarks/train_throughput.py  # every model, 2,048 images, 3 repeats
    python benchmarks/train_throughput.py --models resnet20v1 --batch-sizes 16 32

Each model trains with its chapter's recipe and data pipeline: CIFAR-10 from
``companion.data.cifar10`` (``COMPANION_DATA_DIR`` or the download cache; random
pixels with ``--synthetic``), scaled to [0, 1], augmentation layers inside the model (so
they run on the accelerator), the chapter's optimizer and batch size. A warm-up epoch is
trained first so that compilation is not timed; then ``--repeats`` timed epochs of
training steps only (no validation), interleaved across the models so that a passing
load hits them alike. Each line gives the median and the range; the load average before
and after is printed, and a speed counts only when it was measured on a quiet machine
(load well below the number of cores). Long training runs give wall times, never speeds.
To add a chapter's model, add an entry to ``MODELS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: the checkout: its src/ and book/ are imported, and publish() writes the book's files under it
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402


@dataclass
class Workload:
    """How a chapter trains its model: builder, optimizer, batch size, image size."""

    chapter: str
    build: Callable[[], keras.Model]
    optimizer: Callable[[], keras.optimizers.Optimizer]
    batch_size: int
    image_size: int = 32


def _cnn():
    from companion.models import build_cnn, shift_and_flip

    return build_cnn(augmentation=shift_and_flip(0.1))


def _deep_cnn():
    from companion.models import build_deep_cnn, shift_and_flip

    return build_deep_cnn(augmentation=shift_and_flip(0.2, rotation_degrees=10))


def _resnet20v1():
    from companion.models import build_resnet_v1, shift_and_flip

    return keras.Sequential([keras.Input((32, 32, 3)), shift_and_flip(0.1), build_resnet_v1(20)])


def _airbench():
    from companion.models.airbench import build_airbench

    # a zero whitening kernel of the right shape: the speed does not depend on its values
    return build_airbench(np.zeros((2, 2, 3, 24), "float32"))


def _airbench_optimizer():
    from companion.fast_training import FastRecipe

    return FastRecipe().optimizer(total_steps=476)


def _inception():
    from companion.models import build_inception

    return build_inception()


def _small_convnet():
    from companion.models.small_convnet import augmentation, build_small_convnet

    return build_small_convnet((150, 150, 3), dropout=0.5, augment=augmentation())


MODELS: dict[str, Workload] = {
    "cnn": Workload("03", _cnn, lambda: keras.optimizers.RMSprop(learning_rate=1e-4), 32),
    "deep_cnn": Workload("04", _deep_cnn, lambda: keras.optimizers.Adam(learning_rate=1e-4), 128),
    "resnet20v1": Workload(
        "05", _resnet20v1, lambda: keras.optimizers.Adam(learning_rate=1e-3), 32
    ),
    "inception": Workload("06", _inception, lambda: keras.optimizers.Adam(), 128),
    "airbench": Workload("13", _airbench, _airbench_optimizer, 1024),
    "small_convnet": Workload(
        "11", _small_convnet, lambda: keras.optimizers.RMSprop(learning_rate=1e-4), 32, 150
    ),
}


def flops_per_image(model) -> int:
    """Floating-point operations of one forward pass: 2 per multiply-add of the convolutions
    and dense layers (nested models included); training costs about three times as much."""
    total = 0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Conv2D) or type(layer).__name__ == "PatchWhitening":
            kernel = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            total += 2 * h * w * int(np.prod(kernel))
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
    return total


def cifar10_images(n: int, synthetic: bool):
    if synthetic:
        rng = np.random.default_rng(0)
        return rng.random((n, 32, 32, 3), dtype=np.float32), keras.utils.to_categorical(
            rng.integers(0, 10, n), 10
        )
    from companion.data import cifar10

    (x, y), _ = cifar10.load_data()
    if len(x) < n:
        # repeat a small copy to n images
        x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, (n, 1))
    return x[:n].astype("float32") / 255, keras.utils.to_categorical(y[:n], 10)


def load_average() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def prepare(workload: Workload, batch_size: int, x, y) -> keras.Model:
    """Build and compile the model and train one untimed warm-up epoch (compilation)."""
    keras.utils.set_random_seed(0)
    model = workload.build()
    loss = "binary_crossentropy" if model.output_shape[-1] == 1 else "categorical_crossentropy"
    model.compile(optimizer=workload.optimizer(), loss=loss)
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return model


def timed_epoch(model, batch_size: int, x, y) -> float:
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return len(x) / (time.perf_counter() - start)


def inputs_for(workload: Workload, x, y):
    """CIFAR-10 for the 32x32 models; for the cats-vs-dogs convnet, images of its size and 0/1
    labels."""
    if workload.image_size == 32:
        return x, y
    rng = np.random.default_rng(0)
    n, size = min(len(x), 512), workload.image_size
    return rng.random((n, size, size, 3), dtype=np.float32) * 255, rng.integers(
        0, 2, (n, 1)
    ).astype("float32")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument(
        "--images", type=int, default=2048, help="images in each timed epoch (default 2048)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per model (default 3)")
    parser.add_argument(
        "--batch-sizes", type=int, nargs="+", help="instead of each chapter's batch size"
    )
    parser.add_argument(
        "--synthetic", action="store_true", help="random pixels instead of CIFAR-10"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--publish-from",
        type=Path,
        metavar="JSON",
        help="no timing: turn a --json file into the book's training-speed table",
    )
    args = parser.parse_args(argv)
    if args.publish_from:
        for path in publish(json.loads(args.publish_from.read_text(encoding="utf-8"))):
            print(f"wrote {path}")
        return 0
    if args.images < 1 or args.repeats < 1:
        parser.error("--images and --repeats must be at least 1")
    from companion.machine import describe_device

    x, y = cifar10_images(args.images, args.synthetic)
    load_before = load_average()
    print(
        f"# Keras {keras.__version__}, backend {keras.backend.backend()}, {describe_device()}, "
        f"{len(x):,} images, {args.repeats} repeats; load average {load_before} (1/5/15 min)"
    )
    cases = [
        (name, batch)
        for name in args.models
        for batch in (args.batch_sizes or [MODELS[name].batch_size])
    ]
    models = {
        case: prepare(MODELS[case[0]], case[1], *inputs_for(MODELS[case[0]], x, y))
        for case in cases
    }
    speeds = {case: [] for case in cases}
    for _ in range(args.repeats):  # interleaved: every model sees the same passing load
        for case, model in models.items():
            speeds[case].append(timed_epoch(model, case[1], *inputs_for(MODELS[case[0]], x, y)))
    flops = {case: flops_per_image(model) for case, model in models.items()}
    for (name, batch), values in speeds.items():
        w = MODELS[name]
        gflops = flops[(name, batch)] / 1e9
        print(
            f"{name:<14} ch{w.chapter}  {w.image_size}px  batch {batch:>4}  median "
            f"{np.median(values):>9,.1f} images/s"
            f"  range {min(values):,.1f}-{max(values):,.1f}"
            f"  {gflops:.3f} GFLOP/image forward, training ~{3 * gflops * np.median(values):.0f}"
            " GFLOP/s"
        )
    print(f"# load average after: {load_average()}")
    if args.json:
        rows = [
            {
                "model": name,
                "chapter": MODELS[name].chapter,
                "image_size": MODELS[name].image_size,
                "batch_size": batch,
                "median": float(np.median(values)),
                "forward_flops_per_image": flops[(name, batch)],
                "range": [min(values), max(values)],
                "repeats": values,
            }
            for (name, batch), values in speeds.items()
        ]
        from book.results import git_commit

        record = {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "device": describe_device(),
            "git_commit": git_commit(),
            "images": len(x),
            "synthetic": args.synthetic,
            "statistic": "median of interleaved epochs",
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "models": rows,
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0


LABELS = {
    "cnn": ("第 3 章 CNN", "Chapter 03 CNN"),
    "deep_cnn": ("第 4 章深层 CNN", "Chapter 04 deep CNN"),
    "resnet20v1": ("第 5 章 ResNet20 v1", "Chapter 05 ResNet20 v1"),
    "inception": ("第 6 章 Inception", "Chapter 06 Inception"),
    "airbench": ("第 13 章 airbench 网络", "Chapter 13 airbench network"),
    "small_convnet": ("第 11 章猫狗卷积网络", "Chapter 11 cats-vs-dogs convnet"),
}
#: the one speed a source measured on a CPU: source 002, "20 minutes per epoch" of 50,000 images
#: on a six-core laptop; every other source speed is a GPU's and is not set beside a CPU's
SOURCE_CPU_SPEED = {("deep_cnn", 128): 50_000 / (20 * 60)}


def publish(figures: dict, root: Path = ROOT) -> list[Path]:
    """The book's table of training speeds (record + include files) from a ``--json`` file.

    It refuses figures measured on a busy machine: a speed counts only when the load average
    stayed below the number of cores (the benchmark itself keeps about one core busy).
    """
    from book.results import provenance, save_record, write_tables

    def first(load: str) -> float:
        return float(load.split("/")[0])

    start, end = first(figures["load_average_before"]), first(figures["load_average_after"])
    cores = os.cpu_count() or 1
    if start > 0.5 * cores:
        raise SystemExit(
            f"the machine was busy when the benchmark started (load {start:.2f} on {cores} cores): "
            "run it again on a quiet machine"
        )
    comparisons = []
    for row in figures["models"]:
        zh, en = LABELS[row["model"]]
        low, high = row["range"]
        size = f"{row['image_size']}×{row['image_size']}"
        comparisons.append(
            {
                "key": f"{row['model']}_batch{row['batch_size']}",
                "label": {
                    "zh": (
                        f"{zh}（{size}，batch {row['batch_size']}；"
                        f"范围 {low:,.0f}–{high:,.0f}），图像/秒"
                    ),
                    "en": (
                        f"{en} ({size}, batch {row['batch_size']}; range {low:,.0f}–{high:,.0f}), "
                        "images/s"
                    ),
                },
                "source": SOURCE_CPU_SPEED.get((row["model"], row["batch_size"])),
                "source_ref": "002"
                if (row["model"], row["batch_size"]) in SOURCE_CPU_SPEED
                else None,
                "ours": round(row["median"], 1),
                "format": "int",
            }
        )
    prov = provenance(
        dataset="CIFAR-10 training images" if not figures["synthetic"] else "random pixels",
        n_train=figures["images"],
        n_test=0,
        measured="benchmarks/train_throughput.py: training steps only, one warm-up epoch "
        "untimed, the median of interleaved timed epochs",
        repeats=len(figures["models"][0]["repeats"]),
    )
    prov.update(
        load_average={"start": start, "end": end},
        device=figures["device"],
        keras_version=figures["keras"],
        backend=figures["backend"],
    )
    if figures.get("git_commit"):
        prov["git_commit"] = figures["git_commit"]
    record = {
        "chapter": "training-speed",
        "provenance": prov,
        "comparisons": comparisons,
        "benchmark": figures,
    }
    stem = "training-speed"
    paths = [save_record(record, root / "docs" / "assets" / "results" / f"{stem}.json")]
    return paths + write_tables(record, root / "includes" / "results", stem)


if __name__ == "__main__":
    sys.exit(main())
