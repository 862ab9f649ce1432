"""Chapter 11, section 11.3: transfer learning from EfficientNet-Lite0's ImageNet weights.

Source 004 §6 announces 90-93% for feature extraction from a network pretrained on a large
photo collection and 95% after fine-tuning, and shows neither. This part runs both on the
chapter's split (the same train / validation / test photos as the other runs), at 224x224,
the size Lite0 was trained at, with the code of ``companion.transfer``:

* ``lite0_features``: the frozen base turns every photo into 1,280 numbers once (no
  augmentation); a classifier (dropout 0.2, one sigmoid unit) trains on them;
* ``lite0_augmented``: a fresh classifier behind random flips, rotations, shifts and zooms
  and the frozen base (in inference mode): a forward pass through the base per photo and
  epoch;
* ``lite0_fine_tune``: that model with the base's top blocks (``block6``, ``block7`` and the
  head convolution) unfrozen, BatchNormalization excepted, at learning rate 1e-5.

Its own record (``11-cats-vs-dogs-lite0``), so that it runs alone, without retraining the
chapter's other models (about two hours on two CPU cores)::

    python scripts/build_figures.py --chapter 11 --part lite0 --budget cpu --wait

Every training run resumes (``train.fit(resume_dir=...)``); the features are kept beside them.
"""

import time

import numpy as np

from book.experiments.ch11 import CHAPTER, SOURCE, _cached, _row, _summary, _train
from book.results import provenance
from companion import config
from companion.augment import ImageAugmenter
from companion.data import cats_dogs
from companion.lite0_weights import weights_record
from companion.models.small_convnet import compile_binary, unfreeze_top
from companion.train import fit
from companion.transfer import (
    build_classifier,
    build_lite0_transfer,
    extract_features,
    lite0_base,
)
from companion.visualize import plot_history

STEM = f"{CHAPTER}-lite0"
IMAGE_SIZE = (224, 224)  # Lite0's own resolution
BATCH = 32
UNFREEZE = "block6"  # block6, block7 and top_conv train; everything below stays frozen
LEARNING_RATE = {"features": 1e-3, "fine_tune": 1e-5}
#: Epochs per budget: classifier on the extracted features, with augmentation, fine-tuning.
#: The source shows no recipe; ``cpu`` is sized to about half an hour on two busy CPU cores.
EPOCHS = {"smoke": (1, 1, 1), "cpu": (30, 3, 4), "full": (30, 30, 30)}


def image_size():
    """224x224; a smoke run uses the split's 64x64 (load_datasets shrinks it)."""
    return cats_dogs.SMOKE_IMAGE_SIZE if config.smoke() else IMAGE_SIZE


def _features(ctx, base, datasets):
    """The base's features of the three splits, computed once (and kept for a rerun)."""
    folder = ctx.runs_dir("lite0_features")
    saved = None if folder is None else folder / "features.npz"
    if saved is not None and saved.exists():
        print(f"  reusing the features in {saved}")
        data = dict(np.load(saved))
        return data, float(data["seconds"])
    start = time.perf_counter()
    data = {}
    for split, dataset in zip(cats_dogs.SPLITS, datasets, strict=True):
        data[f"x_{split}"], data[f"y_{split}"] = extract_features(base, dataset)
        print(f"  features of {split}: {data[f'x_{split}'].shape}")
    seconds = round(time.perf_counter() - start, 1)
    if saved is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        np.savez(saved, seconds=seconds, **data)
    return data, seconds


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    split = cats_dogs.prepare()
    print(split)
    n_train = split.total("train")
    size = image_size()
    epochs_features, epochs_augmented, epochs_fine = EPOCHS[ctx.budget]
    base = lite0_base()
    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=BATCH)

    # -- (a) feature extraction: the base's features once, a classifier on them --------------
    print(f"== lite0_features: the base ({base.count_params():,} parameters) over every photo")
    data, feature_seconds = _features(ctx, base, raw)
    classifier = compile_binary(build_classifier(), LEARNING_RATE["features"])
    run_features = fit(
        classifier,
        data["x_train"],
        data["y_train"],
        epochs=epochs_features,
        batch_size=BATCH,
        validation_data=(data["x_validation"], data["y_validation"]),
        verbose=2,
        resume_dir=ctx.runs_dir("lite0_features"),
    )
    _, accuracy = classifier.evaluate(data["x_test"], data["y_test"], verbose=0)
    runs = [_summary("lite0_features", classifier, run_features, accuracy, BATCH, n_train)]
    runs[0]["feature_extraction_s"] = feature_seconds
    n_images = sum(len(data[f"y_{s}"]) for s in cats_dogs.SPLITS)
    runs[0]["feature_ms_per_image"] = round(1000 * feature_seconds / n_images, 1)

    # -- (b) with augmentation: a fresh classifier behind random layers and the frozen base ----
    config.seed_everything(42)
    train, validation, test = (_cached(d, BATCH, shuffle=i == 0) for i, d in enumerate(raw))
    model = build_lite0_transfer(
        base,
        build_classifier(),
        ImageAugmenter.preset("cats_vs_dogs_lite0", seed=42),
        input_shape=(*size, 3),
    )
    compile_binary(model, LEARNING_RATE["features"])
    frozen_before = [w.numpy().copy() for w in base.weights]
    runs.append(
        _train(
            ctx, "lite0_augmented", model, train, validation, test, epochs_augmented, BATCH, n_train
        )
    )
    assert all(
        np.array_equal(a, b.numpy()) for a, b in zip(frozen_before, base.weights, strict=True)
    ), "the frozen base changed"

    # -- (c) fine-tuning: the top blocks unfrozen (BatchNorm excepted), learning rate 1e-5 ----
    opened = unfreeze_top(model, base, UNFREEZE, learning_rate=LEARNING_RATE["fine_tune"])
    print(f"fine-tuning {len(opened)} layers, {opened[0]} ... {opened[-1]}")
    runs.append(
        _train(ctx, "lite0_fine_tune", model, train, validation, test, epochs_fine, BATCH, n_train)
    )
    runs[-1]["unfrozen_layers"] = opened

    for lang in ("zh", "en"):
        joined = {k: runs[1]["history"][k] + runs[2]["history"][k] for k in runs[1]["history"]}
        ctx.figure(plot_history(joined, lang), "learning_curves_lite0", lang)
    _write_record(ctx, split, runs, base, round(time.perf_counter() - start, 1), size)


BUDGET_CUTS = {
    "en": "the source shows no recipe; the cpu budget trains {a} epochs with augmentation "
    "and {f} of fine-tuning (the full budget 30 and 30); the classifier on the extracted "
    "features trains {c} epochs",
    "zh": "原文没有给出配方；cpu 预算训练 {a} 轮带增强的特征提取、{f} 轮微调"
    "（full 预算各 30 轮）；在提取出的特征上训练分类器 {c} 轮",
}


def _write_record(ctx, split, runs, base, wall, size):
    n_train, n_val, n_test = (split.total(s) for s in cats_dogs.SPLITS)
    by_name = {r["name"]: r for r in runs}
    epochs = EPOCHS[ctx.budget]
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"cats_and_dogs_filtered ({split.layout} layout)",
            n_train=n_train,
            n_test=n_test,
            epochs=sum(r["epochs"] for r in runs[1:]),
            batch_size=BATCH,
            wall_time_s=wall,
            n_validation=n_val,
            image_size=list(size),
            weights=weights_record(),
            base={
                "network": "EfficientNet-Lite0 without its classifier, global average pooling",
                "params": base.count_params(),
                "unfrozen_from": UNFREEZE,
                "learning_rates": LEARNING_RATE,
                "optimizer": "RMSprop",
            },
            budget_cuts={
                lang: text.format(c=epochs[0], a=epochs[1], f=epochs[2])
                for lang, text in BUDGET_CUTS.items()
            },
            runs="feature extraction (features computed once), feature extraction with "
            "augmentation, fine-tuning; epochs: the last two",
            skipped_files=[list(s) for s in split.skipped],
        ),
        "comparisons": [
            _row(
                "features_val",
                "特征提取（特征只算一次）：最后一轮验证准确率（原文：90%～93%，只预告未演示）",
                "Feature extraction (features computed once): last-epoch validation accuracy "
                "(source: 90–93%, announced, not shown)",
                SOURCE["features_claim"],
                by_name["lite0_features"]["final_val_accuracy"],
            ),
            _row(
                "features_test",
                "同上：测试准确率",
                "The same: test accuracy",
                None,
                by_name["lite0_features"]["test_accuracy"],
            ),
            _row(
                "augmented_val",
                "特征提取 + 数据增强：最后一轮验证准确率",
                "Feature extraction with augmentation: last-epoch validation accuracy",
                SOURCE["features_claim"],
                by_name["lite0_augmented"]["final_val_accuracy"],
            ),
            _row(
                "augmented_test",
                "同上：测试准确率",
                "The same: test accuracy",
                None,
                by_name["lite0_augmented"]["test_accuracy"],
            ),
            _row(
                "fine_tune_val",
                "微调：最后一轮验证准确率（原文：95%，只预告未演示）",
                "Fine-tuning: last-epoch validation accuracy (source: 95%, announced, not shown)",
                SOURCE["fine_tune_claim"],
                by_name["lite0_fine_tune"]["final_val_accuracy"],
            ),
            _row(
                "fine_tune_test",
                "同上：测试准确率",
                "The same: test accuracy",
                None,
                by_name["lite0_fine_tune"]["test_accuracy"],
            ),
        ],
        "runs": runs,
    }
    ctx.record(record, STEM)
