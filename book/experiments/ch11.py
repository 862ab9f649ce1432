"""Chapter 11: cats vs dogs with 2,000 training photos: from scratch, augmented, transferred.

The source (004, part 6) trains its small convnet on 150x150 photos for 30 epochs at batch
20 (about 70-72% validation accuracy), then with augmentation and dropout for 50 epochs of
100 batches of 32 augmented photos (it reports 82%; its log's best is 81.3%). At ~120
images/s on two CPU cores both fit in under an hour, so the ``cpu`` budget runs the
source's recipes (``RECIPES``) as they are:

* from scratch, 150x150, 30 epochs: long enough to overfit (the figure shows where);
* augmentation + dropout, 150x150, 50 epochs of 3,200 augmented photos (the training set
  repeated, as the source's generator did), with the source's shear;
* transfer without any weight download: chapter 03's trained CIFAR-10 network (CIFAR-10 has
  cats and dogs), ``cifar10_cnn_base``, as the convolutional base, on the photos shrunk to
  32x32, the size it was trained at: feature extraction (base frozen) for 8 epochs, then
  fine-tuning of its top block for 5;
* the augmented run again with the source generator's geometry: one resampling per photo
  (``ImageAugmenter``) instead of the Keras layers' four, zoom drawn per axis. Last, in its
  own record (``11-cats-vs-dogs-one-resampling``), so the others are written first;
* transfer from EfficientNet-Lite0's ImageNet weights (section 11.3), in its own record
  (``11-cats-vs-dogs-lite0``, ``experiments.ch11_lite0``); it also runs alone, without the
  others: ``build_figures.py --chapter 11 --part lite0``.

Validation: the first 250 of each class of the ``validation/`` folder of
``cats_and_dogs_filtered``; test: the last 250 of each class, touched once per model.
Every training run is resumable (``train.fit(resume_dir=...)``).
"""

import math
import time

import numpy as np

from book.experiments.common import chapter03_network
from book.recipes import Budget, Recipe, what_ran
from book.results import provenance
from companion import config
from companion._io import write_text
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
EPOCHS_FEATURES = 8
EPOCHS_FINE_TUNE = 5
RECIPES = {
    "scratch": Recipe(
        source_ref="004",
        train_images=2_000,
        epochs=30,
        batch_size=20,
        optimizer="RMSprop 1e-4",
        image_size="150x150",
    ),
    "augmented": Recipe(
        source_ref="004",
        train_images=2_000,
        epochs=50,
        batch_size=32,
        optimizer="RMSprop 1e-4",
        augmentation="rotation 40, shifts 0.2, shear 0.2 rad, zoom 0.2, flips; dropout 0.5; "
        "100 batches of 32 per epoch",
        image_size="150x150",
    ),
}
STEPS_AUGMENTED = 100  # the source's steps_per_epoch: 3,200 augmented photos an epoch
BUDGETS = {"smoke": Budget("smoke"), "cpu": Budget("cpu"), "full": Budget("full")}


def image_size():
    """150x150 as the source; a smoke run shrinks it (cats_dogs.load_datasets does the same)."""
    return cats_dogs.SMOKE_IMAGE_SIZE if config.smoke() else cats_dogs.IMAGE_SIZE


# Source 004, part 6 (its logs and its prose).
SOURCE = {
    "params": 3_453_121,
    "scratch_best_val": 0.7260,  # epoch 25 of 30; the prose says 70-72%
    "scratch_final_val": 0.7010,  # epoch 30
    "augmented_best_val": 0.8128,  # epoch 49 of 50; the prose says 82%
    "augmented_final_val": 0.7720,  # epoch 50
    # announced for "another article", not shown; the source names no network or data set
    "features_claim": 0.93,  # "90% to 93%": its upper end
    "fine_tune_claim": 0.95,  # "95%"
}


def _cached(dataset, batch_size, shuffle, seed=42):
    """Decode every JPEG once: cache the images, reshuffle the training set every epoch."""
    dataset = dataset.unbatch().cache()
    if shuffle:
        dataset = dataset.shuffle(4000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(2)


def _train(
    ctx, name, model, train, validation, test, epochs, batch_size, n_train, steps_per_epoch=None
):
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
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return {
        "name": name,
        "params": model.count_params(),
        "trainable_params": trainable,
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


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    split = cats_dogs.prepare()
    print(split)
    n_train = split.total("train")
    size = image_size()
    for name, recipe in RECIPES.items():
        ctx.plan(
            recipe,
            train_images=n_train,
            epochs=recipe.epochs,
            batch_size=recipe.batch_size,
            what=f"cats vs dogs, {name}",
        )

    # -- from scratch, and with augmentation + dropout, at 150x150 -------------------------
    shown_train = cats_dogs.load_datasets(split, image_size=size, batch_size=16)[0]
    images, labels = next(iter(shown_train))
    images = np.asarray(images).astype("uint8")
    for lang in ("zh", "en"):
        ctx.figure(
            sample_grid(
                images, np.asarray(labels).astype(int), cats_dogs.class_names(lang), rows=2, cols=8
            ),
            "samples",
            lang,
        )
    augment = ImageAugmenter.preset("cats_vs_dogs", seed=1)
    shown = (
        np.stack([np.asarray(augment(images[:1], training=True))[0] for _ in range(8)])
        .clip(0, 255)
        .astype("uint8")
    )
    ctx.figure(sample_grid(np.concatenate([images[:1], shown]), rows=1, cols=9), "augmented")

    runs = []
    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=20)
    train, validation, test = (_cached(d, 20, shuffle=i == 0) for i, d in enumerate(raw))
    model = compile_binary(build_small_convnet((*size, 3)))
    runs.append(
        _train(
            ctx, "scratch", model, train, validation, test, RECIPES["scratch"].epochs, 20, n_train
        )
    )

    runs.append(
        _train_augmented(
            ctx,
            "augmented",
            ImageAugmenter.preset("cats_vs_dogs", seed=42),
            raw,
            validation,
            test,
            size,
            n_train,
        )
    )

    runs += transfer(ctx, split, n_train)

    for lang in ("zh", "en"):
        ctx.figure(plot_history(runs[0]["history"], lang), "learning_curves_scratch", lang)
        ctx.figure(plot_history(runs[0]["history"], lang), "learning_curves_scratch_long", lang)
        ctx.figure(plot_history(runs[1]["history"], lang), "learning_curves_augmented", lang)

    scratch_record(ctx, split, runs[0], size)
    _write_record(ctx, split, runs, round(time.perf_counter() - start, 1), size)
    one_resampling(ctx, split, raw, validation, test, size, runs[1], images[:1])
    lite0(ctx)


def lite0(ctx):
    """Feature extraction and fine-tuning from EfficientNet-Lite0 (``ch11_lite0``)."""
    from book.experiments import ch11_lite0

    ch11_lite0.run(ctx)


#: Parts that ``build_figures.py --part NAME`` runs alone.
PARTS = {"lite0": lite0}


def one_resampling(ctx, split, raw, validation, test, size, augmented, photo):
    """The augmented run again, its random geometry resampled once per photo.

    ``augmentation()`` chains Keras layers that each resample the photo (rotation, shift,
    zoom, shear: four bilinear passes) and zooms both axes alike. The source's
    ImageDataGenerator composed one matrix, resampled once and drew the two zooms
    independently; ``ImageAugmenter`` does the same. Model, data, steps and seed are the
    augmented run's, so the two runs differ only there.
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
    variants = [np.asarray(shown(photo, training=True))[0] for _ in range(8)]
    grid = np.concatenate([photo, np.stack(variants).clip(0, 255).astype("uint8")])
    ctx.figure(sample_grid(grid, rows=1, cols=9), "augmented_one_resampling")
    n_train = split.total("train")
    result = _train_augmented(
        ctx, "augmented_one_resampling", augmenter, raw, validation, test, size, n_train
    )
    for lang in ("zh", "en"):
        ctx.figure(plot_history(result["history"], lang), "learning_curves_one_resampling", lang)
    layers_run = "（Keras 层，四次重采样）"
    record = {
        "chapter": CHAPTER,
        "provenance": _one_run_provenance(
            ctx,
            split,
            "augmented",
            result,
            size,
            augmentation=(
                "ImageAugmenter(rotation_range=40, width/height_shift_range=0.2, "
                "shear_range=11.46 deg (0.2 rad), zoom_range=0.2 per axis, "
                "horizontal_flip=True): one bilinear resampling per photo"
            ),
        ),
        "comparisons": [
            _row(
                "best_val",
                "一次重采样：最高验证准确率",
                "One resampling: best validation accuracy",
                SOURCE["augmented_best_val"],
                result["best_val_accuracy"],
            ),
            _row(
                "layers_best_val",
                "同上" + layers_run,
                "The same with the Keras layers (four resamplings)",
                SOURCE["augmented_best_val"],
                augmented["best_val_accuracy"],
            ),
            _row(
                "final_val",
                "一次重采样：最后一轮验证准确率",
                "One resampling: last-epoch validation accuracy",
                SOURCE["augmented_final_val"],
                result["final_val_accuracy"],
            ),
            _row(
                "layers_final_val",
                "同上" + layers_run,
                "The same with the Keras layers (four resamplings)",
                SOURCE["augmented_final_val"],
                augmented["final_val_accuracy"],
            ),
            _row(
                "test",
                "一次重采样：测试准确率（原文没有报告）",
                "One resampling: test accuracy (not reported by the source)",
                None,
                result["test_accuracy"],
            ),
            _row(
                "layers_test",
                "同上" + layers_run,
                "The same with the Keras layers (four resamplings)",
                None,
                augmented["test_accuracy"],
            ),
        ],
        "run": result,
    }
    ctx.record(record, f"{CHAPTER}-one-resampling")


def _train_augmented(ctx, name, augment, raw, validation, test, size, n_train):
    """The source's second model: ``augment`` in front, dropout 0.5, 50 epochs of 100 batches
    of 32 (the source's generator looped over the training set)."""
    config.seed_everything(42)
    train32 = _cached(raw[0], 32, shuffle=True).repeat()
    model = compile_binary(build_small_convnet((*size, 3), dropout=0.5, augment=augment))
    return _train(
        ctx,
        name,
        model,
        train32,
        validation,
        test,
        RECIPES["augmented"].epochs,
        32,
        n_train,
        steps_per_epoch=STEPS_AUGMENTED,
    )


def _write_record(ctx, split, runs, wall, size, **extra):
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    by_name = {r["name"]: r for r in runs}
    record = {
        "chapter": CHAPTER,
        "provenance": {
            **provenance(
                dataset=(
                    f"cats_and_dogs_filtered ({split.layout} layout): {n_train:,} train / "
                    f"{n_val:,} validation / "
                    f"{n_test:,} test photos"
                ),
                n_train=n_train,
                n_test=n_test,
                epochs=by_name["augmented"]["epochs"],
                batch_size=32,
                wall_time_s=wall,
                n_validation=n_val,
                image_size={
                    "scratch": list(size),
                    "augmented": list(size),
                    "transfer": list(TRANSFER_SIZE),
                },
                base=by_name["fine_tune"]["base"],
                skipped_files=[list(s) for s in split.skipped],
                runs=(
                    "from scratch, augmented, feature extraction, fine-tuning; label: the "
                    "augmented run's recipe"
                ),
                **extra,
            ),
            **_what_ran("augmented", by_name["augmented"], size, ctx.budget, n_train),
        },
        "comparisons": [
            _row(
                "params",
                "小卷积网络参数量（150×150 输入）",
                "Small convnet parameters (150×150 input)",
                SOURCE["params"],
                build_small_convnet().count_params(),
                "int",
            ),
            _row(
                "scratch_best_val",
                "从零训练：最高验证准确率",
                "From scratch: best validation accuracy",
                SOURCE["scratch_best_val"],
                by_name["scratch"]["best_val_accuracy"],
            ),
            _row(
                "scratch_final_val",
                "从零训练：最后一轮验证准确率",
                "From scratch: last-epoch validation accuracy",
                SOURCE["scratch_final_val"],
                by_name["scratch"]["final_val_accuracy"],
            ),
            _row(
                "augmented_best_val",
                "增强 + Dropout：最高验证准确率",
                "Augmentation + dropout: best validation accuracy",
                SOURCE["augmented_best_val"],
                by_name["augmented"]["best_val_accuracy"],
            ),
            _row(
                "augmented_final_val",
                "增强 + Dropout：最后一轮验证准确率",
                "Augmentation + dropout: last-epoch validation accuracy",
                SOURCE["augmented_final_val"],
                by_name["augmented"]["final_val_accuracy"],
            ),
            _row(
                "features_val",
                "特征提取：最后一轮验证准确率（原文：用预训练网络 90%～93%，只预告未演示）",
                "Feature extraction: last-epoch validation accuracy (source: 90–93% with a "
                "pretrained network, announced, not shown)",
                SOURCE["features_claim"],
                by_name["features"]["final_val_accuracy"],
            ),
            _row(
                "fine_tune_val",
                "微调：最后一轮验证准确率（原文：只预告未演示）",
                "Fine-tuning: last-epoch validation accuracy (source: announced, not shown)",
                SOURCE["fine_tune_claim"],
                by_name["fine_tune"]["final_val_accuracy"],
            ),
        ],
        "runs": runs,
    }
    ctx.record(record)
    for lang in ("zh", "en"):
        path = ctx.out / "includes" / "results" / f"{CHAPTER}-approaches.{lang}.md"
        write_text(path, approaches_table(runs, record["provenance"], lang))
        print(f"  wrote {path.relative_to(ctx.out)}")


def _one_run_provenance(ctx, split, name, result, size, **extra):
    """Provenance of one training run of ``RECIPES[name]`` (a record of its own)."""
    return {
        **provenance(
            dataset=f"cats_and_dogs_filtered ({split.layout} layout)",
            n_train=split.total("train"),
            n_test=split.total("test"),
            epochs=result["epochs"],
            batch_size=result["batch_size"],
            wall_time_s=result["wall_time_s"],
            n_validation=split.total("validation"),
            image_size=list(size),
            **extra,
        ),
        **_what_ran(name, result, size, ctx.budget, split.total("train")),
    }


def _what_ran(name, result, size, budget, n_train):
    recipe = RECIPES[name]
    return what_ran(
        recipe,
        budget,
        train_images=n_train,
        epochs=result["epochs"],
        batch_size=result["batch_size"],
        resumed_at_epoch=result["resumed_at_epoch"],
        image_size=f"{size[0]}x{size[1]}",
    )


def transfer(ctx, split, n_train):
    """Chapter 03's CIFAR-10 network as the base: feature extraction, then fine-tuning its top
    block."""
    config.seed_everything(42)
    network, chapter03 = chapter03_network(ctx)
    base = cifar10_cnn_base(network)
    small = cats_dogs.load_datasets(split, image_size=TRANSFER_SIZE, batch_size=20)
    train, validation, test = (_cached(d, 20, shuffle=i == 0) for i, d in enumerate(small))
    model = build_transfer_model(base, input_shape=(*TRANSFER_SIZE, 3))
    compile_binary(model)
    frozen_before = [w.numpy().copy() for w in base.weights]
    runs = [_train(ctx, "features", model, train, validation, test, EPOCHS_FEATURES, 20, n_train)]
    assert all(
        np.array_equal(a, b.numpy()) for a, b in zip(frozen_before, base.weights, strict=True)
    ), "the frozen base changed"
    opened = unfreeze_top(model, base, "block2", learning_rate=1e-5)
    print("fine-tuning", opened)
    runs.append(
        _train(ctx, "fine_tune", model, train, validation, test, EPOCHS_FINE_TUNE, 20, n_train)
    )
    runs[-1]["unfrozen_layers"] = opened
    c03 = (
        (chapter03 or {})
        .get("metrics", {})
        .get("test_loss_accuracy", {})
        .get("plain", [None, None])
    )
    runs[-1]["base"] = {
        "network": "chapter 03's CNN, run without augmentation, up to block2_pool",
        "record": "docs/assets/results/03-cifar10-cnn.json",
        "cifar10_test_accuracy": c03[1],
        "base_params": base.count_params(),
        "git_commit": (chapter03 or {}).get("provenance", {}).get("git_commit"),
    }
    for lang in ("zh", "en"):
        joined = {k: runs[0]["history"][k] + runs[1]["history"][k] for k in runs[0]["history"]}
        ctx.figure(plot_history(joined, lang), "learning_curves_transfer", lang)
    return runs


def scratch_record(ctx, split, result, size):
    """The model from scratch, 30 epochs: long enough to overfit. Its own record."""
    record = {
        "chapter": CHAPTER,
        "provenance": _one_run_provenance(ctx, split, "scratch", result, size),
        "comparisons": [
            _row(
                "best_val",
                "从零训练：最高验证准确率",
                "From scratch: best validation accuracy",
                SOURCE["scratch_best_val"],
                result["best_val_accuracy"],
            ),
            _row(
                "best_epoch",
                "验证准确率最高的一轮",
                "Epoch of the best validation accuracy",
                25,
                result["best_epoch"],
                "int",
            ),
            _row(
                "final_val",
                "最后一轮验证准确率",
                "Last-epoch validation accuracy",
                SOURCE["scratch_final_val"],
                result["final_val_accuracy"],
            ),
            _row(
                "final_train",
                "最后一轮训练准确率",
                "Last-epoch training accuracy",
                0.9920,
                result["final_train_accuracy"],
            ),
            _row(
                "test",
                "测试准确率（原文没有报告）",
                "Test accuracy (not reported by the source)",
                None,
                result["test_accuracy"],
            ),
        ],
        "run": result,
    }
    ctx.record(record, f"{CHAPTER}-scratch-long")


def _row(key, zh, en, source, ours, kind="percent"):
    return {
        "key": key,
        "label": {"zh": zh, "en": en},
        "source": source,
        "source_ref": "004",
        "ours": ours,
        "format": kind,
    }


WORDS = {
    "zh": {
        "header": (
            "| 方法 | 输入 | 参数：可训练 / 总数 | 轮数 × 批大小 | 耗时 "
            "| 验证准确率：最高（轮） | 最后 | 测试准确率 |"
        ),
        "scratch": "从零训练",
        "augmented": "+ 数据增强、Dropout(0.5)",
        "features": "特征提取（冻结的 CIFAR-10 卷积基）",
        "fine_tune": "微调：再解冻 block2，学习率 1e-5",
        "smoke": "**冒烟测试的数字，不是结果。**",
        "foot": (
            "迁移学习的卷积基是第 3 章训练好的 CIFAR-10 网络"
            "（无增强的那次运行，CIFAR-10 测试准确率 {a}，图像由 JPEG 副本解码，有损），"
            "它的训练时间不计入上表。"
        ),
    },
    "en": {
        "header": (
            "| Approach | Input | Parameters: trainable / all | Epochs × batch | Time "
            "| Validation: best (epoch) | last | Test accuracy |"
        ),
        "scratch": "From scratch",
        "augmented": "+ augmentation, Dropout(0.5)",
        "features": "Feature extraction (frozen CIFAR-10 base)",
        "fine_tune": "Fine-tuning: block2 unfrozen too, learning rate 1e-5",
        "smoke": "**Smoke-run numbers, not results.**",
        "foot": (
            "The transfer base is chapter 03's trained CIFAR-10 network (its run without "
            "augmentation, CIFAR-10 test accuracy {a}, images decoded from JPEG copies, "
            "lossy); its training time is not in the table."
        ),
    },
}


def _short(n: int) -> str:
    """3,453,121 -> 3.45 M, 16,897 -> 16.9 k: keeps the table within the page."""
    return f"{n / 1e6:.2f}\u00a0M" if n >= 1e6 else f"{n / 1e3:.1f}\u00a0k"  # no-break space


def approaches_table(runs, prov, lang):
    w = WORDS[lang]
    size = prov["image_size"]["scratch"]
    sizes = {
        "scratch": size,
        "augmented": size,
        "features": TRANSFER_SIZE,
        "fine_tune": TRANSFER_SIZE,
    }
    lines = [w["smoke"], ""] if prov.get("smoke") else []
    lines += [w["header"], "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        size = sizes[r["name"]]
        lines.append(
            f"| {w[r['name']]} | {size[0]}×{size[1]} | {_short(r['trainable_params'])} / "
            f"{_short(r['params'])} | {r['epochs']} × {r['batch_size']} | "
            f"{r['wall_time_s'] / 60:.1f}\u00a0min | "
            f"{r['best_val_accuracy']:.1%} ({r['best_epoch']}) | "
            f"{r['final_val_accuracy']:.1%} | {r['test_accuracy']:.1%} |"
        )
    accuracy = prov["base"]["cifar10_test_accuracy"]
    lines += [
        "",
        "<small>" + w["foot"].format(a="—" if accuracy is None else f"{accuracy:.1%}") + "</small>",
        "",
    ]
    return "\n".join(lines)
