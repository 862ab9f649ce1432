"""Chapter 13: airbench94's recipe on two CPU cores, and what each ingredient is worth.

Each part trains on all 50,000 JPEG-decoded CIFAR-10 training images with
:func:`companion.fast_training.train_fast`, tests on all 10,000 after every epoch, and is timed
in ResNet20 epochs of chapter 05's Keras-example recipe measured on the same machine just
before and after it. Parts (``--part``): ``final``, ``final_seed1/2``, ``no_<ingredient>``,
``resnet20``, ``reference`` (the PyTorch cross-check) and ``record`` (the record, tables and
figure from the finished parts). Each part resumes and is kept.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from functools import partial
from importlib.metadata import version
from pathlib import Path

import keras
import numpy as np

from book.experiments.common import (
    figure_per_lang,
    markdown_table,
    row,
    save,
    table_per_lang,
    timed,
)
from book.results import provenance
from book.vocabulary import label, word
from companion import config
from companion.augment import ImageAugmenter
from companion.data import cifar10
from companion.fast_training import FastRecipe, train_fast
from companion.machine import load_average
from companion.models import build_resnet_v1
from companion.models.airbench import build_airbench, whitening_kernel
from companion.statistics import channel_mean_std

CHAPTER = "13-fast-training"
SEED = 0
#: repeats of the whole recipe, for a single run's spread: their seeds
REPEATS = {"final_seed1": 1, "final_seed2": 2}
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
}
#: the record's comparisons: key -> the source's number (None: ours only), format
TABLE = {
    "test_accuracy": (SOURCE["airbench94_accuracy"], "percent"),
    "time_in_resnet20_epochs": (None, "float"),
    "time_to_84_5_in_resnet20_epochs": (None, "float"),
    "params": (SOURCE["airbench94_params"], "int"),
}
LEVELS = ("tta0", "tta1", "tta2")  # test-time augmentation: none, flips, flips and shifts
TIMES = ("time_in_resnet20_epochs", "time_to_84_5_in_resnet20_epochs")
#: chapter 05's ResNet20 runs on the book's data (the table's first rows): record, accuracy key
BASELINES = {
    "author": ("05-resnet", "test_accuracy_author"),
    "keras_example": ("05-resnet-keras-example", "test_accuracy"),
}


def data():
    """Standardized CIFAR-10 (float32), integer labels, and the channel statistics used."""
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n_train, n_test = config.samples(50_000, 2048), config.samples(10_000, 512)
    x_train, y_train = x_train[:n_train], y_train[:n_train].reshape(-1)
    x_test, y_test = x_test[:n_test], y_test[:n_test].reshape(-1)
    mean, std = channel_mean_std(x_train)  # of the pixels 0..255, in float64
    scale = lambda x: (x.astype("float32") - mean.astype("float32")) / std.astype("float32")  # noqa: E731
    return scale(x_train), y_train, scale(x_test), y_test, (mean / 255, std / 255)


def recipe_for(ctx, name: str) -> FastRecipe:
    changes = VARIANTS.get(name, ({}, {}))[0]
    if ctx.budget == "smoke":
        changes = {**changes, "epochs": 2, "batch_size": 256}
    return dataclasses.replace(FastRecipe(), **changes)


def network(name: str, x_train, seed: int = SEED):
    """The part's network: airbench's, with or without its whitening and identity starts."""
    if name == "resnet20":
        model = build_resnet_v1(20)
        model.layers[-1].activation = keras.activations.linear  # logits, as the loss expects
        return model
    args = VARIANTS.get(name, ({}, {}))[1]
    kernel = whitening_kernel(x_train[:5000]) if args.get("whitening", True) else None
    return build_airbench(kernel, dirac=args.get("dirac", True), seed=seed)


def resnet20_epoch_seconds(x_train, y_train) -> float:
    """One epoch of chapter 05's Keras-example recipe on 45,000 images, timed (after a warm-up)."""
    config.seed_everything(SEED)
    augment = [keras.Input((32, 32, 3)), ImageAugmenter.preset("cifar10_cnn", seed=SEED)]
    model = keras.Sequential([*augment, build_resnet_v1(20)])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    n = min(45_000, len(x_train))
    return round(_fit_seconds(model, x_train[:n], y_train[:n], 32, warm=640), 2)


def _fit_seconds(model, x, y, batch_size: int, warm: int) -> float:
    """Seconds of one epoch of ``model.fit`` on ``x`` and one-hot ``y``, after one on the first
    ``warm`` images (which compiles)."""
    labels = keras.utils.to_categorical(y, 10)
    model.fit(x[:warm], labels[:warm], batch_size=batch_size, verbose=0)
    return timed(model.fit, x, labels, batch_size=batch_size, verbose=0)[1]


def _saved(ctx, name: str, file: str = "summary.json") -> dict | None:
    """A part's saved summary (or a stopped run's progress), if it has one."""
    folder = ctx.runs_dir(name)
    path = None if folder is None else folder / file
    return json.loads(path.read_text()) if path is not None and path.exists() else None


def train_part(ctx, name: str, d=None) -> dict:
    """Run (or reuse) one part: clock, train, clock; returns its summary."""
    folder = ctx.runs_dir(name)
    if (saved := _saved(ctx, name)) is not None:
        print(f"  reusing the finished run {name} in {folder}")
        return saved
    x_train, y_train, x_test, y_test, _ = d or data()
    seed = REPEATS.get(name, SEED)
    config.seed_everything(seed)
    recipe = recipe_for(ctx, name)
    if name == "resnet20":
        recipe = dataclasses.replace(recipe, epochs=_resnet20_epochs(ctx, x_train, y_train))
    clock_before = resnet20_epoch_seconds(x_train, y_train)
    print(f"  {name}: one ResNet20 epoch takes {clock_before:.0f} s on this machine now")
    load_start = load_average()
    model, setup_s = timed(network, name, x_train, seed)  # the whitening kernel's statistics
    run = train_fast(model, x_train, y_train, x_test, y_test, recipe, seed=seed, resume_dir=folder)
    clock_after = resnet20_epoch_seconds(x_train, y_train)
    summary = {
        "name": name,
        "recipe": dataclasses.asdict(recipe),
        "params": model.count_params(),
        "setup_s": round(setup_s, 2),
        "run": dataclasses.asdict(run),
        "resnet20_epoch_s": [clock_before, clock_after],
        "load_average": {"start": load_start, "end": load_average()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if folder is not None:
        (folder / "summary.json").write_text(json.dumps(summary))
    return summary


def _resnet20_epochs(ctx, x_train, y_train) -> float:
    """ResNet20's epochs on the recipe that take as long as the final run's training (its
    speed at the recipe's batch size timed on 4 batches after a warm-up one)."""
    final = _saved(ctx, "final")
    if final is None:
        return 2.0  # smoke, or no final run yet: a short run
    seconds = sum(final["run"]["epoch_seconds"])
    recipe = FastRecipe()
    model = network("resnet20", x_train)
    model.compile(recipe.optimizer(100), keras.losses.CategoricalCrossentropy(from_logits=True))
    batch = recipe.batch_size
    x, y = x_train[: 4 * batch], y_train[: 4 * batch]
    per_image = _fit_seconds(model, x, y, batch, warm=batch) / (4 * batch)
    per_epoch = recipe.steps(len(x_train))[0] * batch * per_image
    print(f"  ResNet20 at batch {batch}: {1 / per_image:.0f} images/s; {seconds:.0f} s of training")
    return round(seconds / per_epoch, 1)


def reference_part(ctx) -> dict | None:
    """The cross-check: airbench94's recipe in PyTorch (``ch13_reference.py``) on the same
    data; accuracy only. Not in a smoke run: it always trains on all 50,000 images."""
    folder = ctx.runs_dir("reference")
    if folder is None:
        return None
    done = folder / "summary.json"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        script = Path(__file__).with_name("ch13_reference.py")
        args = [sys.executable, str(script), str(FastRecipe().epochs), "0", str(done)]
        subprocess.run(args, check=True)
        done.write_text(json.dumps({**json.loads(done.read_text()), "torch": version("torch")}))
    return json.loads(done.read_text())


def table_row(name: str, summary: dict) -> dict:
    """A part's line in the ablation table; the cross-check's gives its accuracy only."""
    if name == "reference":
        levels = {level: round(summary["final"][level], 4) for level in LEVELS}
        times = dict.fromkeys(("wall_time_s", *TIMES))  # none comparable with the others
        return {"name": name, "epochs": summary["epochs"], **levels, **times}
    levels = {level: summary["run"]["final"][level] for level in LEVELS}
    return {"name": name, "epochs": summary["recipe"]["epochs"], **levels, **timing(summary)}


def run(ctx):
    d = data()
    summaries = {name: train_part(ctx, name, d) for name in VARIANTS}
    write_record(ctx, summaries, d)


def record_only(ctx):
    """The record, tables and figure from the parts that have finished (trains nothing)."""
    d = data()
    saved = {name: _saved(ctx, name) for name in [*VARIANTS, *REPEATS, "resnet20"]}
    summaries = {name: summary for name, summary in saved.items() if summary is not None}
    if "final" not in summaries:
        summaries["final"] = train_part(ctx, "final", d)  # smoke: run it
    if (reference := _saved(ctx, "reference")) is not None:
        summaries["reference"] = reference
    progress = {
        name: _saved(ctx, name, "progress.json") for name in STOPPED if name not in summaries
    }
    stopped = {name: {**p, "note": STOPPED[name]} for name, p in progress.items() if p is not None}
    write_record(ctx, summaries, d, stopped)


def epoch_ends(summary: dict) -> tuple[np.ndarray, float]:
    """Seconds from the run's start to the end of each epoch, and the run's unit: the mean of
    the ResNet20 epochs timed just before and just after it."""
    elapsed = summary["setup_s"] + np.cumsum(summary["run"]["epoch_seconds"])
    return elapsed, float(np.mean(summary["resnet20_epoch_s"]))


def timing(summary: dict, target: float = 0.845) -> dict:
    """A run's times in ResNet20 epochs: in all, and until the test accuracy reached ``target``
    (whitening statistics, training epochs and the final TTA evaluation; not the evaluations
    after each epoch, which only watch the run)."""
    run = summary["run"]
    elapsed, unit = epoch_ends(summary)
    total = elapsed[-1] + run["final"]["tta_seconds"]
    reached = [t for t, a in zip(elapsed, run["test_accuracy"], strict=True) if a >= target]
    if not reached and run["final"]["tta2"] >= target:
        reached = [total]
    return {
        "resnet20_epoch_s": round(unit, 1),
        "wall_time_s": round(float(total), 1),
        "time_in_resnet20_epochs": round(float(total) / unit, 2),
        "time_to_84_5_in_resnet20_epochs": round(float(reached[0]) / unit, 2) if reached else None,
    }


#: Runs whose wall time was measured while other work shared the two cores: their accuracy
#: stands, their time is shown but marked as not comparable.
BUSY: dict[str, str] = {}  # none so far: e.g. {"resnet20": "the tests ran beside it"}

#: Runs stopped by hand before their end, and why: the record keeps what they measured (their
#: backups' progress) under ``stopped_runs``; they have no row in the table.
STOPPED = {
    "resnet20": "stopped by hand after 3 of its 16.0 planned epochs (2026-12-05, 12:16 UTC): "
    "the test accuracy stayed at chance while the training loss, ln 10 = 2.3 for a fresh "
    "network, was above 6",
}


def ablation_table(rows: list[dict], smoke: bool, lang: str) -> str:
    """The chapter's table: one line per run, chapter 05's two runs first."""
    w = lambda key: word(f"ch13.{key}", lang)  # noqa: E731
    pct = lambda v: "—" if v is None else f"{v:.2%}"  # noqa: E731
    num = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
    lines, units = [], []
    for r in rows:
        minutes = "—" if r.get("wall_time_s") is None else f"{r['wall_time_s'] / 60:.1f} {w('min')}"
        mark = "\\*" if r["name"] in BUSY and not smoke else ""
        times = (r["time_in_resnet20_epochs"], r.get("time_to_84_5_in_resnet20_epochs"))
        lines.append(
            (w("run_" + r["name"]), f"{r['epochs']:g}", pct(r.get("tta2")), pct(r["tta0"]))
            + tuple(f"{cell}{mark}" for cell in (minutes, *map(num, times)))
        )
        if r.get("resnet20_epoch_s") and r["name"] not in BUSY:
            units.append(f"{r['resnet20_epoch_s']:.0f}\u00a0s")
    foot = w("foot").format(units=", ".join(units) or "—")
    if any(r["name"] in BUSY for r in rows) and not smoke:
        foot += " " + w("busy")
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    return markdown_table(lang, "ch13.header", rule, lines, smoke=smoke, foot=foot)


def baseline_rows(ctx) -> list[dict]:
    """Chapter 05's two ResNet20 runs, from their records (not re-run here)."""
    rows = []
    for name, (stem, key) in BASELINES.items():
        path = ctx.out / "docs" / "assets" / "results" / f"{stem}.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text())
        ours = {c["key"]: c["ours"] for c in record["comparisons"]}
        epochs, wall = record["provenance"]["epochs"], record["provenance"]["wall_time_s"]
        entry = {"name": name, "epochs": epochs, "tta0": ours[key], "wall_time_s": wall}
        rows.append({**entry, "time_in_resnet20_epochs": float(epochs), "record": stem})
    return rows


def write_record(ctx, summaries: dict, d, stopped: dict | None = None) -> None:
    """The chapter's record, ablation table and figure from the finished parts (``stopped``:
    the progress of the runs in ``STOPPED``)."""
    x_train, _, x_test, _, (mean, std) = d
    rows = [*baseline_rows(ctx), *(table_row(name, s) for name, s in summaries.items())]
    final = next(r for r in rows if r["name"] == "final")
    summary = summaries["final"]
    prov = provenance(
        dataset=cifar10.locate().description,
        n_train=len(x_train),
        n_test=len(x_test),
        epochs=summary["recipe"]["epochs"],
        batch_size=summary["recipe"]["batch_size"],
        wall_time_s=final["wall_time_s"],
        load_average=summary["load_average"],
        budget=ctx.budget,
        recipe="airbench94 (Jordan 2024): 9.9 epochs of batch 1,024, Nesterov SGD lr 11.5 per "
        "1,024 examples, momentum 0.85, weight decay 0.0153, BatchNorm biases at 64x, label "
        "smoothing 0.2, lookahead, alternating flips, 2-pixel translations, TTA level 2",
        cuts={lang: [label("ch13.no_cuts")[lang]] for lang in ("en", "zh")},
        channel_mean=[round(float(m), 4) for m in mean],
        channel_std=[round(float(s), 4) for s in std],
    )
    ours = {**final, "test_accuracy": final["tta2"], "params": pytorch_count(summary["params"])}
    comparisons = [
        row(k, ours[k], source=src, ref="airbench94" if src else None, fmt=fmt, label=f"ch13.{k}")
        for k, (src, fmt) in TABLE.items()
    ]
    times = {k: final[k] for k in TIMES}
    save(ctx, prov, comparisons, rows=rows, **times, runs=summaries, stopped_runs=stopped or {})
    table_per_lang(ctx, f"{CHAPTER}-ablation", partial(ablation_table, rows, prov["smoke"]))
    figure_per_lang(ctx, "test_accuracy_vs_time", partial(plot_progress, summaries, rows))


def pytorch_count(keras_count: int, widths=(64, 256, 256)) -> int:
    """Keras's count in PyTorch's terms: without BatchNorm's moving mean and variance (buffers
    there), with its scale (fixed at 1 in airbench, counted)."""
    channels = 2 * sum(widths)  # two BatchNorms per group
    return keras_count - 2 * channels + channels


def plot_progress(summaries: dict, rows: list[dict], lang: str):
    """Test accuracy after each epoch against the time spent, in ResNet20 epochs."""
    from companion.visualize import _start

    plt, _ = _start(lang)  # pyplot with the CJK font registered
    w = lambda key: word(f"ch13.{key}", lang)  # noqa: E731
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, summary in summaries.items():
        if name in BUSY or name == "reference":  # no time axis comparable with the others
            continue
        elapsed, unit = epoch_ends(summary)
        accuracy = np.array(summary["run"]["test_accuracy"]) * 100
        width = 2.2 if name == "final" else 1.2
        ax.plot(elapsed / unit, accuracy, marker="o", ms=3, lw=width, label=w(f"run_{name}"))
    for r in rows:
        if r["name"] in BASELINES:
            x, y = [r["time_in_resnet20_epochs"]], [r["tta0"] * 100]
            ax.scatter(x, y, marker="s", zorder=3, label=w(f"run_{r['name']}"))
    for level, style in ((84.5, ":"), (93.5, "--")):  # chapter 05's best, this chapter's target
        ax.axhline(level, color="grey", lw=0.8, ls=style)
        ax.text(0.3, level + 0.6, f"{level}%", color="dimgrey", fontsize=8)
    ax.set(xlabel=w("xlabel"), ylabel=w("ylabel"), ylim=(40, 96))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


PARTS = {
    name: (lambda ctx, n=name: train_part(ctx, n)) for name in [*VARIANTS, *REPEATS, "resnet20"]
}
PARTS["reference"] = reference_part
PARTS["record"] = record_only
