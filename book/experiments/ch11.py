"""Chapter 11: cats vs dogs with 2,000 training photos: from scratch, augmented, transferred.

The source's two recipes (004, part 6: ``RECIPES``) run as they are under every budget; then
transfer from chapter 03's CIFAR-10 network on the photos shrunk to 32x32 (feature
extraction, then fine-tuning its top block), the augmented run again with one resampling per
photo (record ``11-cats-vs-dogs-one-resampling``) and transfer from EfficientNet-Lite0
(``ch11_lite0``, record ``11-cats-vs-dogs-lite0``; alone: ``--part lite0``). Validation: the
first 250 photos of each class of ``validation/``; test: the last 250. Every run resumes.
"""

import contextlib
import json
import math
import time
from pathlib import Path

import numpy as np

from book.experiments import common
from book.recipes import Budget, Recipe, what_ran
from book.results import provenance
from book.vocabulary import word
from companion import config
from companion.augment import ImageAugmenter
from companion.data import cats_dogs
from companion.models import small_convnet as nets
from companion.train import fit
from companion.visualize import plot_history, sample_grid

CHAPTER = "11-cats-vs-dogs"
TRANSFER_SIZE = (32, 32)
EPOCHS_FEATURES, EPOCHS_FINE_TUNE = 8, 5
TRANSFERS = ("features", "fine_tune")  # the runs from chapter 03's network
_SMALL = dict(source_ref="004", train_images=2_000, optimizer="RMSprop 1e-4", image_size="150x150")
RECIPES = {
    "scratch": Recipe(**_SMALL, epochs=30, batch_size=20),
    "augmented": Recipe(
        **_SMALL,
        epochs=50,
        batch_size=32,
        augmentation="rotation 40, shifts 0.2, shear 0.2 rad, zoom 0.2, flips; dropout 0.5; "
        "100 batches of 32 per epoch",
    ),
}
STEPS_AUGMENTED = 100  # the source's steps_per_epoch: 3,200 augmented photos an epoch
BUDGETS = {name: Budget(name) for name in ("smoke", "cpu", "full")}  # the recipes as they are
# Source 004, part 6 (its logs and its prose).
SOURCE = {
    "params": 3_453_121,
    "scratch_best_val": 0.7260,  # epoch 25 of 30; the prose says 70-72%
    "scratch_best_epoch": 25,
    "scratch_final_val": 0.7010,  # epoch 30
    "scratch_final_train": 0.9920,
    "augmented_best_val": 0.8128,  # epoch 49 of 50; the prose says 82%
    "augmented_final_val": 0.7720,  # epoch 50
    # announced for "another article", not shown; the source names no network or data set
    "features_claim": 0.93,  # "90% to 93%": its upper end
    "fine_tune_claim": 0.95,  # "95%"
}


def rows(*specs):
    """Comparison rows against source 004 from ``(key, source, ours[, label[, format]])``: the
    label is the vocabulary's ``ch11.<label>`` (default: ``ch11.<key>``), the format percent."""

    def one(key, source, ours, label=None, fmt="percent"):
        label = f"ch11.{label or key}"
        return common.row(key, ours, source=source, ref="004", fmt=fmt, label=label)

    return [one(*spec) for spec in specs]


def _splits(raw, batch_size):
    """Decode every JPEG once: cache the images, reshuffle the training set (the first of
    ``raw``) every epoch."""
    cached = [dataset.unbatch().cache() for dataset in raw]
    cached[0] = cached[0].shuffle(4000, seed=42, reshuffle_each_iteration=True)
    return [dataset.batch(batch_size).prefetch(2) for dataset in cached]


def _train(ctx, name, model, data, epochs, batch_size, n_train, steps_per_epoch=None, probe=True):
    """Fit (resumable) on ``data`` = (train, validation, test), datasets or ``(x, y)`` arrays,
    then test once. Returns the run's row of the record: sizes, times, accuracies and its
    learning curves."""
    train, _, test = (d if isinstance(d, tuple) else (d, None) for d in data)
    print(f"== {name}: {model.count_params():,} parameters, {epochs} epochs")
    if steps_per_epoch is not None and config.smoke():
        steps_per_epoch = 2  # a repeated dataset needs a step count; a smoke run takes two
    images = n_train if steps_per_epoch is None else steps_per_epoch * batch_size
    run = fit(
        model,
        *train,
        epochs=epochs,
        batch_size=None if train[1] is None else batch_size,  # a dataset has its own
        validation_data=data[1],
        verbose=2,
        images_per_epoch=images,
        resume_dir=ctx.runs_dir(name),
        probe=probe,
        steps_per_epoch=steps_per_epoch,
    )
    val = run.history["val_accuracy"]
    return {
        "name": name,
        "params": model.count_params(),
        "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "epochs": run.epochs,
        "batch_size": batch_size,
        "images_per_epoch": images,
        "wall_time_s": run.wall_time_s,
        "resumed_at_epoch": run.resumed_at_epoch,
        "best_val_accuracy": float(max(val)),
        "best_epoch": int(np.argmax(val)) + 1,
        "final_val_accuracy": float(val[-1]),
        "final_train_accuracy": float(run.history["accuracy"][-1]),
        "test_accuracy": float(model.evaluate(*test, verbose=0)[1]),
        "history": run.history,
    }


@contextlib.contextmanager
def unchanged(base):
    """Checks that what runs inside leaves ``base``'s weights as they were (a frozen base)."""
    before = [w.numpy().copy() for w in base.weights]
    yield
    same = all(np.array_equal(a, b.numpy()) for a, b in zip(before, base.weights, strict=True))
    assert same, "the frozen base changed"


def curves(ctx, name, *runs):
    """The learning curves of ``runs`` one after the other, in each language."""
    joined = {k: sum((r["history"][k] for r in runs), []) for k in runs[0]["history"]}
    common.figure_per_lang(ctx, name, lambda lang: plot_history(joined, lang))


def _augmented_photos(augment, photo, name, ctx):
    """``photo`` and eight draws of ``augment`` from it, in one row."""
    variants = [np.asarray(augment(photo, training=True))[0] for _ in range(8)]
    grid = np.concatenate([photo, np.stack(variants).clip(0, 255).astype("uint8")])
    ctx.figure(sample_grid(grid, rows=1, cols=9), name)


def _start(full=cats_dogs.IMAGE_SIZE):
    """Seeded: the split (printed) and the image size, ``full`` but in a smoke run (150x150 as
    the source; cats_dogs.load_datasets shrinks it the same way)."""
    config.seed_everything(42)
    split = cats_dogs.prepare()
    print(split)
    return split, cats_dogs.SMOKE_IMAGE_SIZE if config.smoke() else full


def _photos(split, size):
    """The first 16 training photos (uint8) and their labels, as the figures show them."""
    images, labels = next(iter(cats_dogs.load_datasets(split, image_size=size, batch_size=16)[0]))
    return np.asarray(images).astype("uint8"), np.asarray(labels).astype(int)


def run(ctx):
    start = time.perf_counter()
    split, size = _start()
    n_train = split.total("train")
    for name, r in RECIPES.items():
        what = f"cats vs dogs, {name}"
        ctx.plan(r, train_images=n_train, epochs=r.epochs, batch_size=r.batch_size, what=what)

    # -- from scratch, and with augmentation + dropout, at 150x150 -------------------------
    images, labels = _photos(split, size)
    names = cats_dogs.class_names
    draw = lambda lang: sample_grid(images, labels, names(lang), rows=2, cols=8)  # noqa: E731
    common.figure_per_lang(ctx, "samples", draw)
    _augmented_photos(ImageAugmenter.preset("cats_vs_dogs", seed=1), images[:1], "augmented", ctx)

    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=20)
    data = _splits(raw, 20)
    model = nets.compile_binary(nets.build_small_convnet((*size, 3)))
    runs = [_train(ctx, "scratch", model, data, RECIPES["scratch"].epochs, 20, n_train)]
    augment = ImageAugmenter.preset("cats_vs_dogs", seed=42)
    runs.append(_train_augmented(ctx, "augmented", augment, raw, data, size, n_train))
    runs += transfer(ctx, split, n_train)

    for name in ("scratch", "scratch_long"):
        curves(ctx, f"learning_curves_{name}", runs[0])
    curves(ctx, "learning_curves_augmented", runs[1])
    _write_record(ctx, split, runs, round(time.perf_counter() - start, 1), size)
    one_resampling(ctx, split, raw, data, size, runs[1], images[:1])
    lite0(ctx)


def lite0(ctx):
    """Feature extraction and fine-tuning from EfficientNet-Lite0 (``ch11_lite0``)."""
    from book.experiments import ch11_lite0

    ch11_lite0.run(ctx)


def one_resampling_alone(ctx):
    """The one-resampling run by itself, set beside the augmented run of the chapter's record
    (in ``ctx.out``, else the committed one): the same photos, seed and first figure photo as
    in :func:`run`."""
    split, size = _start()
    images, _ = _photos(split, size)
    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=20)
    name = f"docs/assets/results/{CHAPTER}.json"
    path = next(p for p in (ctx.out / name, Path(__file__).parents[2] / name) if p.exists())
    augmented = next(r for r in json.loads(path.read_text())["runs"] if r["name"] == "augmented")
    one_resampling(ctx, split, raw, _splits(raw, 20), size, augmented, images[:1])


#: Parts that ``build_figures.py --part NAME`` runs alone.
PARTS = {"lite0": lite0, "one_resampling": one_resampling_alone}


def one_resampling(ctx, split, raw, data, size, augmented, photo):
    """The augmented run again, its random geometry resampled once per photo.

    The ``cats_vs_dogs`` preset chains Keras layers that each resample the photo (four
    bilinear passes) and zooms both axes alike; the source's ImageDataGenerator, like a
    default ``ImageAugmenter``, composed one matrix and drew the two zooms apart. All else is
    the augmented run's.
    """
    augmenter = ImageAugmenter(
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.2,
        shear_range=math.degrees(0.2),  # the source's 0.2 rad; the augmenter takes degrees
        zoom_range=0.2,
        horizontal_flip=True,
        seed=42,
    )
    # the photo of the "augmented" figure, through this augmenter (seeded apart from training)
    shown = ImageAugmenter(**{**augmenter.get_config(), "seed": 1})
    _augmented_photos(shown, photo, "augmented_one_resampling", ctx)
    name, n_train = "augmented_one_resampling", split.total("train")
    result = _train_augmented(ctx, name, augmenter, raw, data, size, n_train)
    curves(ctx, "learning_curves_one_resampling", result)
    how = (
        "ImageAugmenter(rotation_range=40, width/height_shift_range=0.2, "
        "shear_range=11.46 deg (0.2 rad), zoom_range=0.2 per axis, "
        "horizontal_flip=True): one bilinear resampling per photo"
    )
    # each of ours beside the augmented run's (the preset's layers), against the source's
    sources = {f"{k}_val": SOURCE[f"augmented_{k}_val"] for k in ("best", "final")}
    specs = []
    for key, source in (sources | {"test": None}).items():
        specs.append((key, source, result[f"{key}_accuracy"], f"one_{key}"))
        specs.append((f"layers_{key}", source, augmented[f"{key}_accuracy"], "layers_same"))
    prov = _provenance(ctx, split, size, result, "augmented", augmentation=how)
    common.save(ctx, prov, rows(*specs), f"{CHAPTER}-one-resampling", run=result)


def _train_augmented(ctx, name, augment, raw, data, size, n_train):
    """The source's second model: ``augment`` in front, dropout 0.5, 50 epochs of 100 batches
    of 32 (the source's generator looped over the training set)."""
    config.seed_everything(42)
    data = (_splits(raw[:1], 32)[0].repeat(), *data[1:])
    model = nets.compile_binary(nets.build_small_convnet((*size, 3), dropout=0.5, augment=augment))
    epochs, steps = RECIPES["augmented"].epochs, STEPS_AUGMENTED
    return _train(ctx, name, model, data, epochs, 32, n_train, steps_per_epoch=steps)


def _write_record(ctx, split, runs, wall, size):
    """The chapter's records and its table: the model from scratch, 30 epochs (long enough to
    overfit) in its own record; then all the runs, labelled with the augmented run's recipe."""
    run = {r["name"]: r for r in runs}
    scratch = run["scratch"]
    comparisons = rows(
        ("best_val", SOURCE["scratch_best_val"], scratch["best_val_accuracy"], "scratch_best_val"),
        ("best_epoch", SOURCE["scratch_best_epoch"], scratch["best_epoch"], None, "int"),
        ("final_val", SOURCE["scratch_final_val"], scratch["final_val_accuracy"]),
        ("final_train", SOURCE["scratch_final_train"], scratch["final_train_accuracy"]),
        ("test", None, scratch["test_accuracy"], "test_not_reported"),
    )
    prov = _provenance(ctx, split, size, scratch, "scratch")
    common.save(ctx, prov, comparisons, f"{CHAPTER}-scratch-long", run=scratch)

    counts = (split.total(s) for s in cats_dogs.SPLITS)
    photos = ": {:,} train / {:,} validation / {:,} test photos".format(*counts)
    sizes = {"scratch": list(size), "augmented": list(size), "transfer": list(TRANSFER_SIZE)}
    prov = _provenance(
        ctx,
        split,
        size,
        run["augmented"],
        "augmented",
        photos,
        wall_time_s=wall,
        image_size=sizes,
        base=run["fine_tune"]["base"],
        skipped_files=[list(s) for s in split.skipped],
        runs="from scratch, augmented, feature extraction, fine-tuning; label: the augmented "
        "run's recipe",
    )
    comparisons = rows(
        ("params", SOURCE["params"], nets.build_small_convnet().count_params(), None, "int"),
        *[
            (f"{name}_{k}_val", SOURCE[f"{name}_{k}_val"], run[name][f"{k}_val_accuracy"])
            for name in ("scratch", "augmented")
            for k in ("best", "final")
        ],
        *[(f"{n}_val", SOURCE[f"{n}_claim"], run[n]["final_val_accuracy"]) for n in TRANSFERS],
    )
    common.save(ctx, prov, comparisons, runs=runs)
    table = lambda lang: approaches_table(runs, prov, lang)  # noqa: E731
    common.table_per_lang(ctx, f"{CHAPTER}-approaches", table)


def _provenance(ctx, split, size, ran, recipe=None, dataset="", **extra):
    """A record's provenance: the split's photos at ``size``, ``ran``'s epochs, batch size and
    time (a run's row), ``extra``; with ``recipe`` (a key of ``RECIPES``) what ran of it."""
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    shape = dict(epochs=ran["epochs"], batch_size=ran["batch_size"])
    values = dict(wall_time_s=ran["wall_time_s"], n_validation=n_val, image_size=list(size))
    dataset = f"cats_and_dogs_filtered ({split.layout} layout){dataset}"
    prov = provenance(dataset=dataset, n_train=n_train, n_test=n_test, **shape, **(values | extra))
    if recipe is None:
        return prov
    ran = dict(resumed_at_epoch=ran["resumed_at_epoch"], image_size=f"{size[0]}x{size[1]}")
    return prov | what_ran(RECIPES[recipe], ctx.budget, train_images=n_train, **shape, **ran)


def transfer(ctx, split, n_train):
    """Chapter 03's CIFAR-10 network as the base: feature extraction, then fine-tuning its top
    block."""
    config.seed_everything(42)
    network, chapter03 = common.chapter03_network(ctx)
    base = nets.cifar10_cnn_base(network)
    data = _splits(cats_dogs.load_datasets(split, image_size=TRANSFER_SIZE, batch_size=20), 20)
    model = nets.compile_binary(nets.build_transfer_model(base, input_shape=(*TRANSFER_SIZE, 3)))
    with unchanged(base):
        runs = [_train(ctx, "features", model, data, EPOCHS_FEATURES, 20, n_train)]
    opened = nets.unfreeze_top(model, base, "block2", learning_rate=1e-5)
    print("fine-tuning", opened)
    runs.append(_train(ctx, "fine_tune", model, data, EPOCHS_FINE_TUNE, 20, n_train))
    runs[-1]["unfrozen_layers"] = opened
    chapter03 = chapter03 or {}
    c03 = chapter03.get("metrics", {}).get("test_loss_accuracy", {}).get("plain", [None, None])
    runs[-1]["base"] = {
        "network": "chapter 03's CNN, run without augmentation, up to block2_pool",
        "record": "docs/assets/results/03-cifar10-cnn.json",
        "cifar10_test_accuracy": c03[1],
        "base_params": base.count_params(),
        "git_commit": chapter03.get("provenance", {}).get("git_commit"),
    }
    curves(ctx, "learning_curves_transfer", *runs)
    return runs


def _short(n: int) -> str:
    """3,453,121 -> 3.45 M, 16,897 -> 16.9 k: keeps the table within the page."""
    return f"{n / 1e6:.2f}\u00a0M" if n >= 1e6 else f"{n / 1e3:.1f}\u00a0k"  # no-break space


def approaches_table(runs, prov, lang):
    """The chapter's table: one line per approach, from the record's runs."""
    lines = []
    for r in runs:
        height, width = prov["image_size"].get(r["name"], TRANSFER_SIZE)
        lines.append(
            (
                word("ch11.run_" + r["name"], lang),
                f"{height}×{width}",
                f"{_short(r['trainable_params'])} / {_short(r['params'])}",
                f"{r['epochs']} × {r['batch_size']}",
                f"{r['wall_time_s'] / 60:.1f}\u00a0min",
                f"{r['best_val_accuracy']:.1%} ({r['best_epoch']})",
                f"{r['final_val_accuracy']:.1%}",
                f"{r['test_accuracy']:.1%}",
            )
        )
    accuracy = prov["base"]["cifar10_test_accuracy"]
    foot = word("ch11.table_foot", lang).format(a="—" if accuracy is None else f"{accuracy:.1%}")
    rule = "|---|---|---:|---:|---:|---:|---:|---:|"
    return common.markdown_table(
        lang, "ch11.table_header", rule, lines, smoke=prov["smoke"], foot=foot
    )
