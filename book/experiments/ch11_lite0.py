"""Chapter 11, section 11.3: transfer learning from EfficientNet-Lite0's ImageNet weights.

On the chapter's split, at 224x224, with ``companion.transfer``: a classifier on features the
frozen base computed once (``lite0_features``), a fresh classifier behind augmentation and the
frozen base (``lite0_augmented``), then that model with the top blocks unfrozen
(``lite0_fine_tune``). Its own record, so that it runs alone (``--part lite0``); every run
resumes and the features are kept beside them.
"""

import time

import numpy as np

from book.experiments import ch11, runner
from book.experiments.common import phrase, save
from companion import config
from companion.augment import ImageAugmenter
from companion.data import cats_dogs
from companion.lite0_weights import weights_record
from companion.models.small_convnet import compile_binary, unfreeze_top
from companion.transfer import build_classifier, build_lite0_transfer, extract_features, lite0_base

STEM = f"{ch11.CHAPTER}-lite0"
IMAGE_SIZE = (224, 224)  # Lite0's own resolution
BATCH = 32
UNFREEZE = "block6"  # block6, block7 and top_conv train; everything below stays frozen
LEARNING_RATE = {"features": 1e-3, "fine_tune": 1e-5}
#: Epochs per budget: classifier on the extracted features, with augmentation, fine-tuning.
#: The source shows no recipe; ``cpu`` is sized to about half an hour on two busy CPU cores.
EPOCHS = {"smoke": (1, 1, 1), "cpu": (30, 3, 4), "full": (30, 30, 30)}
#: Each run (in order) and the source's claim that its last validation accuracy is set against.
CLAIMS = {"features": "features", "augmented": "features", "fine_tune": "fine_tune"}


def _features(ctx, base, datasets):
    """The base's ``(x, y)`` features of the three splits, computed once (and kept for a rerun),
    and the seconds that took."""
    saved = runner.folder(ctx, "lite0_features") / "features.npz"
    if saved.exists():
        print(f"  reusing the features in {saved}")
        data = dict(np.load(saved))
    else:
        start, data = time.perf_counter(), {}
        for split, dataset in zip(cats_dogs.SPLITS, datasets, strict=True):
            data[f"x_{split}"], data[f"y_{split}"] = extract_features(base, dataset)
            print(f"  features of {split}: {data[f'x_{split}'].shape}")
        data["seconds"] = round(time.perf_counter() - start, 1)
        np.savez(saved, **data)
    return [(data[f"x_{s}"], data[f"y_{s}"]) for s in cats_dogs.SPLITS], float(data["seconds"])


def run(ctx):
    start = time.perf_counter()
    split, size = ch11._start(IMAGE_SIZE)
    n_train = split.total("train")
    epochs_features, epochs_augmented, epochs_fine = EPOCHS[ctx.budget]
    base = lite0_base()
    raw = cats_dogs.load_datasets(split, image_size=size, batch_size=BATCH)

    # -- (a) feature extraction: the base's features once, a classifier on them --------------
    print(f"== lite0_features: the base ({base.count_params():,} parameters) over every photo")
    features, seconds = _features(ctx, base, raw)
    classifier = compile_binary(build_classifier(), LEARNING_RATE["features"])
    args = ("lite0_features", classifier, features, epochs_features, BATCH, n_train)
    runs = [ch11._train(ctx, *args, probe=False)]
    ms = round(1000 * seconds / sum(len(y) for _, y in features), 1)
    runs[0] |= {"feature_extraction_s": seconds, "feature_ms_per_image": ms}

    # -- (b) with augmentation: a fresh classifier behind random layers and the frozen base ----
    config.seed_everything(42)
    datasets = ch11._splits(raw, BATCH)
    head, augment = build_classifier(), ImageAugmenter.preset("cats_vs_dogs_lite0", seed=42)
    model = build_lite0_transfer(base, head, augment, input_shape=(*size, 3))
    compile_binary(model, LEARNING_RATE["features"])
    with ch11.unchanged(base):
        args = ("lite0_augmented", model, datasets, epochs_augmented, BATCH, n_train)
        runs.append(ch11._train(ctx, *args))

    # -- (c) fine-tuning: the top blocks unfrozen (BatchNorm excepted), learning rate 1e-5 ----
    opened = unfreeze_top(model, base, UNFREEZE, learning_rate=LEARNING_RATE["fine_tune"])
    print(f"fine-tuning {len(opened)} layers, {opened[0]} ... {opened[-1]}")
    runs.append(ch11._train(ctx, "lite0_fine_tune", model, datasets, epochs_fine, BATCH, n_train))
    runs[-1]["unfrozen_layers"] = opened

    ch11.curves(ctx, "learning_curves_lite0", runs[1], runs[2])
    _write_record(ctx, split, runs, base, round(time.perf_counter() - start, 1), size)


def _write_record(ctx, split, runs, base, wall, size):
    """The record: the three runs, each one's last validation accuracy beside the source's
    claim and its test accuracy."""
    cuts = phrase("ch11.lite0_budget_cuts", **dict(zip("caf", EPOCHS[ctx.budget], strict=True)))
    ran = {"epochs": sum(r["epochs"] for r in runs[1:]), "batch_size": BATCH, "wall_time_s": wall}
    base_entry = {
        "network": "EfficientNet-Lite0 without its classifier, global average pooling",
        "params": base.count_params(),
        "unfrozen_from": UNFREEZE,
        "learning_rates": LEARNING_RATE,
        "optimizer": "RMSprop",
    }
    prov = ch11._provenance(
        ctx,
        split,
        size,
        ran,
        weights=weights_record(),
        base=base_entry,
        budget_cuts={lang: cuts[lang] for lang in ("en", "zh")},
        runs="feature extraction (features computed once), feature extraction with "
        "augmentation, fine-tuning; epochs: the last two",
        skipped_files=[list(s) for s in split.skipped],
    )
    specs = []
    for (name, claim), r in zip(CLAIMS.items(), runs, strict=True):
        claim = ch11.SOURCE[f"{claim}_claim"]
        specs.append((f"{name}_val", claim, r["final_val_accuracy"], f"lite0_{name}_val"))
        specs.append((f"{name}_test", None, r["test_accuracy"], "same_test"))
    save(ctx, prov, ch11.rows(*specs), STEM, runs=runs)
