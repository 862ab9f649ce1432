"""Chapter 13: airbench94's recipe on two CPU cores, and what each ingredient is worth.

Every run trains the chapter's network (or, for ``resnet20``, chapter 05's ResNet20v1) with
:func:`companion.fast_training.train_fast` on all 50,000 JPEG-decoded CIFAR-10 training
images and measures all 10,000 test images after each epoch. Time is counted in a unit that
travels between machines: one ResNet20 epoch of chapter 05's Keras-example recipe (45,000
images, batch 32, shifts and flips, Adam), timed on the same machine just before and just
after each run (``clock``).

Parts (``--part``): ``final`` (the whole recipe), ``no_<ingredient>`` (the recipe without one
ingredient), ``resnet20`` (the recipe on ResNet20 for the final run's time). Each part is
resumable and cached; the record is written from whatever parts have finished.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import keras
import numpy as np

from book.results import provenance
from companion import config
from companion.data import cifar10
from companion.fast_training import FastRecipe, train_fast
from companion.models import build_resnet_v1, shift_and_flip
from companion.models.airbench import build_airbench, whitening_kernel
from companion.statistics import channel_mean_std

CHAPTER = "13-fast-training"
SEED = 0
#: the runs: how each differs from the final recipe (recipe fields, network arguments)
VARIANTS = {
    "final": ({}, {}),
    "no_lookahead": ({"lookahead": False}, {}),
    "no_whitening": ({}, {"whitening": False}),
    "no_dirac": ({}, {"dirac": False}),
    "no_bias_scaler": ({"bias_scaler": 1.0}, {}),
    "no_label_smoothing": ({"label_smoothing": 0.0}, {}),
    "no_alternating_flip": ({"flip": False}, {}),
}
SOURCE = {
    # Jordan 2024, "94% on CIFAR-10 in 3.29 seconds on a single GPU", airbench94
    "airbench94_accuracy": 0.9401,
    "airbench94_epochs": 9.9,
    "airbench94_params": 1_972_792,  # PyTorch's count, BatchNorm weights included
    # chapter 05's records on the book's data (the baseline rows)
    "resnet20_author": "05-resnet",
    "resnet20_keras_example": "05-resnet-keras-example",
}


def data():
    """Standardized CIFAR-10 (float32), integer labels, and the channel statistics used."""
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n_train, n_test = config.samples(50_000, 2048), config.samples(10_000, 512)
    x_train, y_train = x_train[:n_train], y_train[:n_train].reshape(-1)
    x_test, y_test = x_test[:n_test], y_test[:n_test].reshape(-1)
    mean, std = channel_mean_std(x_train)  # of the pixels 0..255, in float64
    scale = lambda x: ((x.astype("float32") - mean.astype("float32")) / std.astype("float32"))  # noqa: E731
    return scale(x_train), y_train, scale(x_test), y_test, (mean / 255, std / 255)


def recipe_for(ctx, name: str) -> FastRecipe:
    changes = VARIANTS.get(name, ({}, {}))[0]
    if ctx.budget == "smoke":
        changes = {**changes, "epochs": 2, "batch_size": 256}
    return dataclasses.replace(FastRecipe(), **changes)


def network(name: str, x_train):
    """The part's network: airbench's, with or without its whitening and identity starts."""
    if name == "resnet20":
        model = build_resnet_v1(20)
        model.layers[-1].activation = keras.activations.linear  # logits, as the loss expects
        return model
    args = VARIANTS[name][1]
    kernel = whitening_kernel(x_train[:5000]) if args.get("whitening", True) else None
    return build_airbench(kernel, dirac=args.get("dirac", True), seed=SEED)


def resnet20_epoch_seconds(x_train, y_train) -> float:
    """One epoch of chapter 05's Keras-example recipe on 45,000 images, timed (after a warm-up)."""
    config.seed_everything(SEED)
    model = keras.Sequential(
        [keras.Input((32, 32, 3)), shift_and_flip(0.1, seed=SEED), build_resnet_v1(20)]
    )
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    n = min(45_000, len(x_train))
    labels = keras.utils.to_categorical(y_train[:n], 10)
    model.fit(x_train[:640], labels[:640], batch_size=32, epochs=1, verbose=0)  # compile
    start = time.perf_counter()
    model.fit(x_train[:n], labels, batch_size=32, epochs=1, verbose=0)
    return round(time.perf_counter() - start, 2)


def train_part(ctx, name: str, d=None) -> dict:
    """Run (or reuse) one part: clock, train, clock; returns its summary."""
    folder = ctx.runs_dir(name)
    done = folder / "summary.json" if folder is not None else None
    if done is not None and done.exists():
        print(f"  reusing the finished run {name} in {folder}")
        return json.loads(done.read_text())
    x_train, y_train, x_test, y_test, _ = d or data()
    config.seed_everything(SEED)
    recipe = recipe_for(ctx, name)
    if name == "resnet20":
        recipe = dataclasses.replace(recipe, epochs=_resnet20_epochs(ctx))
    clock_before = resnet20_epoch_seconds(x_train, y_train)
    print(f"  {name}: one ResNet20 epoch takes {clock_before:.0f} s on this machine now")
    load_start = _load()
    start = time.perf_counter()
    model = network(name, x_train)
    setup_s = round(time.perf_counter() - start, 2)  # the whitening kernel's statistics
    run = train_fast(model, x_train, y_train, x_test, y_test, recipe, seed=SEED, resume_dir=folder)
    clock_after = resnet20_epoch_seconds(x_train, y_train)
    summary = {
        "name": name,
        "recipe": dataclasses.asdict(recipe),
        "params": model.count_params(),
        "setup_s": setup_s,
        "run": dataclasses.asdict(run),
        "resnet20_epoch_s": [clock_before, clock_after],
        "load_average": {"start": load_start, "end": _load()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if done is not None:
        done.write_text(json.dumps(summary))
    return summary


def _resnet20_epochs(ctx) -> float:
    """ResNet20's epochs in the final run's training time, from a short timing of both."""
    final = ctx.runs_dir("final")
    if final is None or not (final / "summary.json").exists():
        return 2.0
    raise NotImplementedError("resnet20 part: set from the final run's time")


def _load():
    import os

    return round(os.getloadavg()[0], 2)


def run(ctx):
    d = data()
    summaries = {}
    for name in VARIANTS:
        summaries[name] = train_part(ctx, name, d)
    write_record(ctx, summaries, d)


def write_record(ctx, summaries: dict, d) -> None:
    """The chapter's record from the finished parts (written by the page build later)."""
    x_train, _, x_test, _, (mean, std) = d
    final = summaries["final"]
    prov = provenance(
        dataset=cifar10.locate().description,
        n_train=len(x_train),
        n_test=len(x_test),
        epochs=final["recipe"]["epochs"],
        batch_size=final["recipe"]["batch_size"],
        wall_time_s=final["run"]["epoch_seconds"] and round(sum(final["run"]["epoch_seconds"]), 2),
        channel_mean=[round(float(m), 4) for m in mean],
        channel_std=[round(float(s), 4) for s in std],
    )
    record = {"chapter": CHAPTER, "provenance": prov, "comparisons": [], "runs": summaries}
    ctx.record(record)


PARTS = {name: (lambda ctx, n=name: train_part(ctx, n)) for name in VARIANTS}
