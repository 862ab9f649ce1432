"""Chapter 11: cats vs dogs with 2,000 training photos, four ways, at CPU scale.

The source (004, part 6) trains its small convnet on 150x150 photos for 30 epochs (about
70-72% validation accuracy), then with augmentation and dropout for 50 epochs of 3,200
augmented images (it reports 82%). A 150x150 epoch of that network takes minutes on the
two shared CPU cores this book is built on, so this run is smaller and says exactly how:

* from scratch and with augmentation + dropout: the same layers at 64x64, batch 20 / 32,
  ``EPOCHS_SCRATCH`` / ``EPOCHS_AUGMENTED`` epochs of the 2,000 training photos, and the
  model from scratch once more for ``EPOCHS_SCRATCH_LONG`` epochs, long enough to overfit
  (:func:`scratch_long`, its own record);
* transfer without any download: a small convolutional base pretrained here on a part of
  CIFAR-10 (``CIFAR_TRAIN`` images, ``CIFAR_EPOCHS`` epochs), then feature extraction (base
  frozen, a small classifier trained on top) and fine-tuning of its top block at a low
  learning rate, on the photos shrunk to 32x32, the size the base was trained at.

:func:`rerun_transfer` re-runs only the transfer rows and merges them into the record.
Validation: the first 250 of each class of the ``validation/`` folder of
``cats_and_dogs_filtered``; test: the last 250 of each class, touched once per model.
"""

import time

import numpy as np

from companion import config
from companion._io import write_text
from companion.data import cats_dogs, cifar10
from companion.models.small_convnet import (
    augmentation,
    build_cifar10_base,
    build_small_convnet,
    build_transfer_model,
    compile_binary,
    pretrain_on_cifar10,
    unfreeze_top,
)
from companion.results import provenance
from companion.train import EpochTimer, TrainingRun
from companion.visualize import plot_history, sample_grid

CHAPTER = "11-cats-vs-dogs"
SCRATCH_SIZE = (64, 64)
TRANSFER_SIZE = (32, 32)
EPOCHS_SCRATCH = 16
EPOCHS_AUGMENTED = 10
EPOCHS_SCRATCH_LONG = 40  # long enough for the small 64x64 model to overfit
CIFAR_TRAIN = 4000
CIFAR_EPOCHS = 3
EPOCHS_FEATURES = 8
EPOCHS_FINE_TUNE = 5

# Source 004, part 6 (its logs and its prose).
SOURCE = {
    "params": 3_453_121,
    "scratch_best_val": 0.7260,  # epoch 25 of 30; the prose says 70-72%
    "scratch_final_val": 0.7010,  # epoch 30
    "augmented_best_val": 0.8128,  # epoch 49 of 50; the prose says 82%
    "augmented_final_val": 0.7720,  # epoch 50
    "features_claim": 0.93,  # "90% to 93%" with a pretrained (ImageNet) network, promised, not shown
    "fine_tune_claim": 0.95,  # "95%", promised, not shown
}


def _cached(dataset, batch_size, shuffle, seed=42):
    """Decode every JPEG once: cache the images, reshuffle the training set every epoch."""
    dataset = dataset.unbatch().cache()
    if shuffle:
        dataset = dataset.shuffle(4000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(2)


def _train(name, model, train, validation, test, epochs, batch_size, n_train):
    print(f"== {name}: {model.count_params():,} parameters, {epochs} epochs")
    timer = EpochTimer()  # companion.train.fit wants arrays; these datasets have no known length
    started = time.perf_counter()
    history = model.fit(train, epochs=config.epochs(epochs), validation_data=validation, callbacks=[timer], verbose=2)
    wall = round(time.perf_counter() - started, 2)
    run = TrainingRun({k: [float(v) for v in vals] for k, vals in history.history.items()}, len(timer.seconds),
                      batch_size, n_train, [round(s, 3) for s in timer.seconds], wall)
    _, test_accuracy = model.evaluate(test, verbose=0)
    val = run.history["val_accuracy"]
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return {
        "name": name,
        "params": model.count_params(),
        "trainable_params": trainable,
        "epochs": run.epochs,
        "batch_size": batch_size,
        "wall_time_s": run.wall_time_s,
        "images_per_s": round(run.images_per_s, 1),
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
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)

    # -- from scratch, and with augmentation + dropout, at 64x64 ------------------------
    shown_train = cats_dogs.load_datasets(split, image_size=cats_dogs.IMAGE_SIZE, batch_size=16)[0]
    images, labels = next(iter(shown_train))
    images = np.asarray(images).astype("uint8")
    for lang in ("zh", "en"):
        ctx.figure(sample_grid(images, np.asarray(labels).astype(int), cats_dogs.class_names(lang), rows=2, cols=8),
                   "samples", lang)
    augment = augmentation(seed=1)
    shown = np.stack([np.asarray(augment(images[:1], training=True))[0] for _ in range(8)]).clip(0, 255).astype("uint8")
    ctx.figure(sample_grid(np.concatenate([images[:1], shown]), rows=1, cols=9), "augmented")

    runs = []
    raw = cats_dogs.load_datasets(split, image_size=SCRATCH_SIZE, batch_size=20)
    train, validation, test = (_cached(d, 20, shuffle=i == 0) for i, d in enumerate(raw))
    model = compile_binary(build_small_convnet((*SCRATCH_SIZE, 3)))
    runs.append(_train("scratch", model, train, validation, test, EPOCHS_SCRATCH, 20, n_train))

    config.seed_everything(42)
    train32 = _cached(raw[0], 32, shuffle=True)
    model = compile_binary(build_small_convnet((*SCRATCH_SIZE, 3), dropout=0.5, augment=augmentation()))
    runs.append(_train("augmented", model, train32, validation, test, EPOCHS_AUGMENTED, 32, n_train))

    runs += transfer(ctx, split, n_train)

    for lang in ("zh", "en"):
        ctx.figure(plot_history(runs[0]["history"], lang), "learning_curves_scratch", lang)
        ctx.figure(plot_history(runs[1]["history"], lang), "learning_curves_augmented", lang)

    scratch_long(ctx, split)
    _write_record(ctx, split, runs, round(time.perf_counter() - start, 1))


def _write_record(ctx, split, runs, wall, **extra):
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    by_name = {r["name"]: r for r in runs}
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"cats_and_dogs_filtered ({split.layout} layout): {n_train:,} train / {n_val:,} validation / "
                    f"{n_test:,} test photos",
            n_train=n_train,
            n_test=n_test,
            epochs=runs[0]["epochs"],
            batch_size=20,
            wall_time_s=wall,
            images_per_s=runs[0]["images_per_s"],
            n_validation=n_val,
            image_size={"scratch": list(SCRATCH_SIZE), "transfer": list(TRANSFER_SIZE)},
            cifar10=by_name["fine_tune"]["cifar10"],
            skipped_files=[list(s) for s in split.skipped],
            note="the source's recipes at CPU scale: 64x64 instead of 150x150 and far fewer epochs; "
                 "see scripts/experiments/ch11.py",
            **extra,
        ),
        "comparisons": [
            _row("params", "小卷积网络参数量（150×150 输入）", "Small convnet parameters (150×150 input)",
                 SOURCE["params"], build_small_convnet().count_params(), "int"),
            _row("scratch_best_val", "从零训练：最高验证准确率", "From scratch: best validation accuracy",
                 SOURCE["scratch_best_val"], by_name["scratch"]["best_val_accuracy"]),
            _row("scratch_final_val", "从零训练：最后一轮验证准确率", "From scratch: last-epoch validation accuracy",
                 SOURCE["scratch_final_val"], by_name["scratch"]["final_val_accuracy"]),
            _row("augmented_best_val", "增强 + Dropout：最高验证准确率", "Augmentation + dropout: best validation accuracy",
                 SOURCE["augmented_best_val"], by_name["augmented"]["best_val_accuracy"]),
            _row("augmented_final_val", "增强 + Dropout：最后一轮验证准确率", "Augmentation + dropout: last-epoch validation accuracy",
                 SOURCE["augmented_final_val"], by_name["augmented"]["final_val_accuracy"]),
            _row("features_val", "特征提取：最后一轮验证准确率（原文：ImageNet 网络，只声称未演示）",
                 "Feature extraction: last-epoch validation accuracy (source: an ImageNet network, claimed, not shown)",
                 SOURCE["features_claim"], by_name["features"]["final_val_accuracy"]),
            _row("fine_tune_val", "微调：最后一轮验证准确率（原文：只声称未演示）",
                 "Fine-tuning: last-epoch validation accuracy (source: claimed, not shown)",
                 SOURCE["fine_tune_claim"], by_name["fine_tune"]["final_val_accuracy"]),
        ],
        "runs": runs,
    }
    ctx.record(record)
    for lang in ("zh", "en"):
        path = ctx.out / "includes" / "results" / f"{CHAPTER}-approaches.{lang}.md"
        write_text(path, approaches_table(runs, record["provenance"], lang))
        print(f"  wrote {path.relative_to(ctx.out)}")


def transfer(ctx, split, n_train):
    """Pretrain a base on CIFAR-10, then feature extraction and fine-tuning on the photos."""
    # -- a base pretrained on CIFAR-10, then feature extraction and fine-tuning -----------
    config.seed_everything(42)
    cifar_source = cifar10.locate()
    base = build_cifar10_base()
    _, cifar_run, cifar_accuracy = pretrain_on_cifar10(base, n_images=CIFAR_TRAIN, epochs=CIFAR_EPOCHS)
    n_cifar_test = len(cifar10.load_data()[1][0])
    print(f"CIFAR-10 base: test accuracy {cifar_accuracy:.3f} after {cifar_run.wall_time_s:.0f} s")

    small = cats_dogs.load_datasets(split, image_size=TRANSFER_SIZE, batch_size=20)
    train, validation, test = (_cached(d, 20, shuffle=i == 0) for i, d in enumerate(small))
    model = build_transfer_model(base, input_shape=(*TRANSFER_SIZE, 3))
    compile_binary(model)
    frozen_before = [w.numpy().copy() for w in base.weights]
    runs = [_train("features", model, train, validation, test, EPOCHS_FEATURES, 20, n_train)]
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(frozen_before, base.weights)), "the frozen base changed"
    opened = unfreeze_top(model, base, "block3", learning_rate=1e-5)
    print("fine-tuning", opened)
    runs.append(_train("fine_tune", model, train, validation, test, EPOCHS_FINE_TUNE, 20, n_train))
    runs[-1]["unfrozen_layers"] = opened
    runs[-1]["cifar10"] = {"dataset": cifar_source.description, "n_train": cifar_run.train_samples,
                           "n_test": n_cifar_test, "epochs": cifar_run.epochs, "batch_size": 64,
                           "wall_time_s": cifar_run.wall_time_s, "test_accuracy": float(cifar_accuracy),
                           "base_params": base.count_params()}
    for lang in ("zh", "en"):
        joined = {k: runs[0]["history"][k] + runs[1]["history"][k] for k in runs[0]["history"]}
        ctx.figure(plot_history(joined, lang), "learning_curves_transfer", lang)
    return runs



def rerun_transfer(ctx):
    """Re-run only the transfer rows and merge them into the chapter's existing record."""
    import json

    path = ctx.out / "docs" / "assets" / "results" / f"{CHAPTER}.json"
    old = json.loads(path.read_text(encoding="utf-8"))
    split = cats_dogs.prepare()
    runs = [r for r in old["runs"] if r["name"] in ("scratch", "augmented")]
    runs += transfer(ctx, split, split.total("train"))
    _write_record(ctx, split, runs, old["provenance"]["wall_time_s"],
                  first_run={k: old["provenance"][k] for k in ("date", "git_commit")},
                  rerun="the feature-extraction and fine-tuning rows were re-run alone (rerun_transfer) "
                        "after BatchNormalization's momentum in the CIFAR-10 base was lowered to 0.9")


def scratch_long(ctx, split=None):
    """The model from scratch trained long enough to overfit: its own figure and record."""
    config.seed_everything(42)
    split = split or cats_dogs.prepare()
    n_train = split.total("train")
    train, validation, test = (_cached(d, 20, shuffle=i == 0) for i, d in
                               enumerate(cats_dogs.load_datasets(split, image_size=SCRATCH_SIZE, batch_size=20)))
    model = compile_binary(build_small_convnet((*SCRATCH_SIZE, 3)))
    result = _train("scratch_long", model, train, validation, test, EPOCHS_SCRATCH_LONG, 20, n_train)
    for lang in ("zh", "en"):
        ctx.figure(plot_history(result["history"], lang), "learning_curves_scratch_long", lang)
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"cats_and_dogs_filtered ({split.layout} layout)", n_train=n_train, n_test=split.total("test"),
            epochs=result["epochs"], batch_size=20, wall_time_s=result["wall_time_s"],
            images_per_s=result["images_per_s"], n_validation=split.total("validation"), image_size=list(SCRATCH_SIZE),
            note="the source's model from scratch at 64x64 instead of 150x150"),
        "comparisons": [
            _row("best_val", "从零训练：最高验证准确率", "From scratch: best validation accuracy",
                 SOURCE["scratch_best_val"], result["best_val_accuracy"]),
            _row("best_epoch", "验证准确率最高的一轮", "Epoch of the best validation accuracy", 25, result["best_epoch"], "int"),
            _row("final_val", "最后一轮验证准确率", "Last-epoch validation accuracy", SOURCE["scratch_final_val"],
                 result["final_val_accuracy"]),
            _row("final_train", "最后一轮训练准确率", "Last-epoch training accuracy", 0.9920, result["final_train_accuracy"]),
            _row("test", "测试准确率（原文没有报告）", "Test accuracy (not reported by the source)", None, result["test_accuracy"]),
        ],
        "run": result,
    }
    ctx.record(record, f"{CHAPTER}-scratch-long")
    return result


def _row(key, zh, en, source, ours, kind="percent"):
    return {"key": key, "label": {"zh": zh, "en": en}, "source": source, "source_ref": "004", "ours": ours, "format": kind}


WORDS = {
    "zh": {
        "header": "| 方法 | 输入 | 参数（可训练 / 总数） | 轮数 | 批大小 | 训练耗时 | 最高验证准确率（第几轮） | 最后验证准确率 | 测试准确率 |",
        "scratch": "从零训练小卷积网络", "augmented": "同上 + 数据增强 + Dropout(0.5)",
        "features": "特征提取：冻结的 CIFAR-10 卷积基 + 小分类器", "fine_tune": "微调：在上一行基础上解冻 block3，学习率 1e-5",
        "smoke": "**冒烟测试的数字，不是结果。**",
        "foot": "本书在 CPU 上的缩小版运行；卷积基先在 {cifar} 中的 {n:,} 张图片上训练了 {e} 轮（{s:.0f} 秒，CIFAR-10 测试准确率 {a:.1%}），这段时间不计入上表。",
    },
    "en": {
        "header": "| Approach | Input | Parameters (trainable / total) | Epochs | Batch | Training time | Best validation accuracy (epoch) | Last validation accuracy | Test accuracy |",
        "scratch": "Small convnet from scratch", "augmented": "The same + augmentation + Dropout(0.5)",
        "features": "Feature extraction: frozen CIFAR-10 base + small classifier", "fine_tune": "Fine-tuning: the row above with block3 unfrozen, learning rate 1e-5",
        "smoke": "**Smoke-run numbers, not results.**",
        "foot": "A scaled-down run on a CPU. The base was first trained for {e} epochs on {n:,} images of {cifar} ({s:.0f} s, CIFAR-10 test accuracy {a:.1%}); that time is not in the table.",
    },
}


def approaches_table(runs, prov, lang):
    w = WORDS[lang]
    sizes = {"scratch": SCRATCH_SIZE, "augmented": SCRATCH_SIZE, "features": TRANSFER_SIZE, "fine_tune": TRANSFER_SIZE}
    lines = [w["smoke"], ""] if prov.get("smoke") else []
    lines += [w["header"], "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        size = sizes[r["name"]]
        lines.append(
            f"| {w[r['name']]} | {size[0]}×{size[1]} | {r['trainable_params']:,} / {r['params']:,} | {r['epochs']} | "
            f"{r['batch_size']} | {r['wall_time_s']:.0f} s | {r['best_val_accuracy']:.1%} ({r['best_epoch']}) | "
            f"{r['final_val_accuracy']:.1%} | {r['test_accuracy']:.1%} |"
        )
    c = prov["cifar10"]
    lines += ["", "<small>" + w["foot"].format(cifar=c["dataset"], n=c["n_train"], e=c["epochs"], s=c["wall_time_s"],
                                              a=c["test_accuracy"]) + "</small>", ""]
    return "\n".join(lines)
