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

from book.experiments.common import chapter03_network, figure_per_lang, row, save, table_per_lang
from book.recipes import Budget, Recipe, what_ran
from book.results import provenance
from book.vocabulary import word
from companion import config
from companion.augment import ImageAugmenter
from companion.data import cats_dogs
from companion.models.small_convnet import (
    build_small_convnet,
    build_transfer_model,
    cifar10_cnn_base,
    compile_binary,
    unfreeze_top,
)
from companion.train import fit
from companion.visualize import plot_history, sample_grid

CHAPTER = "11-cats-vs-dogs"
TRANSFER_SIZE = (32, 32)
EPOCHS_FEATURES, EPOCHS_FINE_TUNE = 8, 5
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


def image_size():
    """150x150 as the source; a smoke run shrinks it (cats_dogs.load_datasets does the same)."""
    return cats_dogs.SMOKE_IMAGE_SIZE if config.smoke() else cats_dogs.IMAGE_SIZE


def rows(*specs, labels=None):
    """Comparison rows against source 004 from ``(key, source, ours[, format])``; the label is
    the vocabulary's ``ch11.<key>``, or ``ch11.<labels[key]>``."""
    labels = labels or {}
    return [
        row(key, ours, source=source, ref="004", fmt=(fmt or ["percent"])[0],
            label=f"ch11.{labels.get(key, key)}")
        for key, source, ours, *fmt in specs
    ]  # fmt: skip


def _cached(dataset, batch_size, shuffle, seed=42):
    """Decode every JPEG once: cache the images, reshuffle the training set every epoch."""
    dataset = dataset.unbatch().cache()
    if shuffle:
        dataset = dataset.shuffle(4000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(2)


def _splits(raw, batch_size):
    return [_cached(d, batch_size, shuffle=i == 0) for i, d in enumerate(raw)]


def _train(ctx, name, model, data, epochs, batch_size, n_train, steps_per_epoch=None):
    """Fit (resumable) on ``data`` = (train, validation, test), then test once."""
    train, validation, test = data
    print(f"== {name}: {model.count_params():,} parameters, {epochs} epochs")
    if steps_per_epoch is not None and config.smoke():
        steps_per_epoch = 2  # a repeated dataset needs a step count; a smoke run takes two
    images = n_train if steps_per_epoch is None else steps_per_epoch * batch_size
    extra = {} if steps_per_epoch is None else {"steps_per_epoch": steps_per_epoch}
    run = fit(
        model,
        train,
        epochs=epochs,
        validation_data=validation,
        verbose=2,
        images_per_epoch=images,
        resume_dir=ctx.runs_dir(name),
        probe=True,
        **extra,
    )
    _, test_accuracy = model.evaluate(test, verbose=0)
    return _summary(name, model, run, test_accuracy, batch_size, images)


def _summary(name, model, run, test_accuracy, batch_size, images):
    """One run's row of the record: sizes, times, accuracies and its learning curves."""
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
        "test_accuracy": float(test_accuracy),
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
    figure_per_lang(ctx, name, lambda lang: plot_history(joined, lang))


def _augmented_photos(augment, photo, name, ctx):
    variants = [np.asarray(augment(photo, training=True))[0] for _ in range(8)]
    grid = np.concatenate([photo, np.stack(variants).clip(0, 255).astype("uint8")])
    ctx.figure(sample_grid(grid, rows=1, cols=9), name)


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    split = cats_dogs.prepare()
    print(split)
    n_train = split.total("train")
    size = image_size()
    for name, r in RECIPES.items():
        what = f"cats vs dogs, {name}"
        ctx.plan(r, train_images=n_train, epochs=r.epochs, batch_size=r.batch_size, what=what)

    # -- from scratch, and with augmentation + dropout, at 150x150 -------------------------
    images, labels = next(iter(cats_dogs.load_datasets(split, image_size=size, batch_size=16)[0]))
    images, labels = np.asarray(images).astype("uint8"), np.asarray(labels).astype(int)
    names = cats_dogs.class_names
    draw = lambda lang: sample_grid(images, labels, names(lang), rows=2, cols=8)  # noqa: E731
    figure_per_lang(ctx, "samples", draw)
    _augmented_photos(ImageAugmenter.preset("cats_vs_dogs", seed=1), images[:1], "augmented", ctx)

    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=20)
    data = _splits(raw, 20)
    model = compile_binary(build_small_convnet((*size, 3)))
    runs = [_train(ctx, "scratch", model, data, RECIPES["scratch"].epochs, 20, n_train)]
    augment = ImageAugmenter.preset("cats_vs_dogs", seed=42)
    runs.append(_train_augmented(ctx, "augmented", augment, raw, data, size, n_train))
    runs += transfer(ctx, split, n_train)

    curves(ctx, "learning_curves_scratch", runs[0])
    curves(ctx, "learning_curves_scratch_long", runs[0])
    curves(ctx, "learning_curves_augmented", runs[1])
    scratch_record(ctx, split, runs[0], size)
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
    config.seed_everything(42)
    split, size = cats_dogs.prepare(), image_size()
    images, _ = next(iter(cats_dogs.load_datasets(split, image_size=size, batch_size=16)[0]))
    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=20)
    name = f"docs/assets/results/{CHAPTER}.json"
    path = next(p for p in (ctx.out / name, Path(__file__).parents[2] / name) if p.exists())
    runs = json.loads(path.read_text())["runs"]
    augmented = next(r for r in runs if r["name"] == "augmented")
    photo = np.asarray(images[:1]).astype("uint8")
    one_resampling(ctx, split, raw, _splits(raw, 20), size, augmented, photo)


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
    best, final = SOURCE["augmented_best_val"], SOURCE["augmented_final_val"]
    same = "layers_same"
    comparisons = rows(
        ("best_val", best, result["best_val_accuracy"]),
        ("layers_best_val", best, augmented["best_val_accuracy"]),
        ("final_val", final, result["final_val_accuracy"]),
        ("layers_final_val", final, augmented["final_val_accuracy"]),
        ("test", None, result["test_accuracy"]),
        ("layers_test", None, augmented["test_accuracy"]),
        labels={"best_val": "one_best_val", "final_val": "one_final_val", "test": "one_test"}
        | {key: same for key in ("layers_best_val", "layers_final_val", "layers_test")},
    )
    prov = _provenance(ctx, split, "augmented", result, size, augmentation=how)
    save(ctx, prov, comparisons, f"{CHAPTER}-one-resampling", run=result)


def _train_augmented(ctx, name, augment, raw, data, size, n_train):
    """The source's second model: ``augment`` in front, dropout 0.5, 50 epochs of 100 batches
    of 32 (the source's generator looped over the training set)."""
    config.seed_everything(42)
    data = (_cached(raw[0], 32, shuffle=True).repeat(), *data[1:])
    model = compile_binary(build_small_convnet((*size, 3), dropout=0.5, augment=augment))
    epochs, steps = RECIPES["augmented"].epochs, STEPS_AUGMENTED
    return _train(ctx, name, model, data, epochs, 32, n_train, steps_per_epoch=steps)


def _write_record(ctx, split, runs, wall, size):
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    run = {r["name"]: r for r in runs}
    prov = _provenance(
        ctx,
        split,
        "augmented",
        run["augmented"],
        size,
        f": {n_train:,} train / {n_val:,} validation / {n_test:,} test photos",
        wall_time_s=wall,
        image_size={
            "scratch": list(size),
            "augmented": list(size),
            "transfer": list(TRANSFER_SIZE),
        },
        base=run["fine_tune"]["base"],
        skipped_files=[list(s) for s in split.skipped],
        runs="from scratch, augmented, feature extraction, fine-tuning; label: the augmented "
        "run's recipe",
    )
    comparisons = rows(
        ("params", SOURCE["params"], build_small_convnet().count_params(), "int"),
        *[
            (f"{name}_{k}_val", SOURCE[f"{name}_{k}_val"], run[name][f"{k}_val_accuracy"])
            for name in ("scratch", "augmented")
            for k in ("best", "final")
        ],
        ("features_val", SOURCE["features_claim"], run["features"]["final_val_accuracy"]),
        ("fine_tune_val", SOURCE["fine_tune_claim"], run["fine_tune"]["final_val_accuracy"]),
    )
    save(ctx, prov, comparisons, runs=runs)
    table_per_lang(ctx, f"{CHAPTER}-approaches", lambda lang: approaches_table(runs, prov, lang))


def _provenance(ctx, split, name, result, size, dataset="", **extra):
    """Provenance of a run of ``RECIPES[name]``, with what ran of the recipe."""
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    values = dict(wall_time_s=result["wall_time_s"], n_validation=n_val, image_size=list(size))
    prov = provenance(
        dataset=f"cats_and_dogs_filtered ({split.layout} layout){dataset}",
        n_train=n_train,
        n_test=n_test,
        epochs=result["epochs"],
        batch_size=result["batch_size"],
        **{**values, **extra},
    )
    what = what_ran(
        RECIPES[name],
        ctx.budget,
        train_images=n_train,
        epochs=result["epochs"],
        batch_size=result["batch_size"],
        resumed_at_epoch=result["resumed_at_epoch"],
        image_size=f"{size[0]}x{size[1]}",
    )
    return {**prov, **what}


def transfer(ctx, split, n_train):
    """Chapter 03's CIFAR-10 network as the base: feature extraction, then fine-tuning its top
    block."""
    config.seed_everything(42)
    network, chapter03 = chapter03_network(ctx)
    base = cifar10_cnn_base(network)
    data = _splits(cats_dogs.load_datasets(split, image_size=TRANSFER_SIZE, batch_size=20), 20)
    model = compile_binary(build_transfer_model(base, input_shape=(*TRANSFER_SIZE, 3)))
    with unchanged(base):
        runs = [_train(ctx, "features", model, data, EPOCHS_FEATURES, 20, n_train)]
    opened = unfreeze_top(model, base, "block2", learning_rate=1e-5)
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


def scratch_record(ctx, split, result, size):
    """The model from scratch, 30 epochs: long enough to overfit. Its own record."""
    comparisons = rows(
        ("best_val", SOURCE["scratch_best_val"], result["best_val_accuracy"]),
        ("best_epoch", SOURCE["scratch_best_epoch"], result["best_epoch"], "int"),
        ("final_val", SOURCE["scratch_final_val"], result["final_val_accuracy"]),
        ("final_train", SOURCE["scratch_final_train"], result["final_train_accuracy"]),
        ("test", None, result["test_accuracy"]),
        labels={"best_val": "scratch_best_val", "test": "test_not_reported"},
    )
    prov = _provenance(ctx, split, "scratch", result, size)
    save(ctx, prov, comparisons, f"{CHAPTER}-scratch-long", run=result)


def _short(n: int) -> str:
    """3,453,121 -> 3.45 M, 16,897 -> 16.9 k: keeps the table within the page."""
    return f"{n / 1e6:.2f}\u00a0M" if n >= 1e6 else f"{n / 1e3:.1f}\u00a0k"  # no-break space


def approaches_table(runs, prov, lang):
    size = prov["image_size"]["scratch"]
    sizes = {"scratch": size, "augmented": size, "features": TRANSFER_SIZE}
    sizes["fine_tune"] = TRANSFER_SIZE
    lines = [word("smoke_numbers", lang), ""] if prov.get("smoke") else []
    lines += [word("ch11.table_header", lang), "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        size = sizes[r["name"]]
        lines.append(
            f"| {word('ch11.run_' + r['name'], lang)} | {size[0]}×{size[1]} | "
            f"{_short(r['trainable_params'])} / {_short(r['params'])} | "
            f"{r['epochs']} × {r['batch_size']} | {r['wall_time_s'] / 60:.1f}\u00a0min | "
            f"{r['best_val_accuracy']:.1%} ({r['best_epoch']}) | "
            f"{r['final_val_accuracy']:.1%} | {r['test_accuracy']:.1%} |"
        )
    accuracy = prov["base"]["cifar10_test_accuracy"]
    foot = word("ch11.table_foot", lang).format(a="—" if accuracy is None else f"{accuracy:.1%}")
    return "\n".join([*lines, "", f"<small>{foot}</small>", ""])
