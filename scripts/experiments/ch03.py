"""Chapter 03: the Keras-example CIFAR-10 CNN, without and with augmentation; save and reload.

Recipe of source 000: conv32-conv32-pool-conv64-conv64-pool-dense512 with dropout,
RMSprop (learning rate 1e-4, decay 1e-6), categorical cross-entropy, batch 32, 20 epochs,
once on the plain images and once with random shifts of 0.1 and horizontal flips.

On a shared two-core CPU the full recipe (50,000 images x 20 epochs x 2 runs) would take
days, so this run uses the first ``N_TRAIN`` training images for ``EPOCHS`` epochs each;
the record says exactly what ran. Unlike the source, which validated on the test set, we
hold out the last 10% of those images for validation and touch the test set only to
evaluate the finished models.
"""

import tempfile
from pathlib import Path

import keras
import numpy as np

from companion import config
from companion.data import cifar10
from companion.models import build_cnn, shift_and_flip
from companion.results import provenance
from companion.train import fit
from companion.visualize import (
    class_samples_grid,
    plot_confusion_matrix,
    plot_histories,
    plot_per_class_accuracy,
    prediction_grid,
)

CHAPTER = "03-cifar10-cnn"
N_TRAIN = 8_000
EPOCHS = 4
BATCH_SIZE = 32

# What source 000 printed (Keras 2.2, GeForce 940M, 50,000 train / 10,000 test, 20 epochs;
# its "validation" set is the test set).
SOURCE_EPOCH_S = {
    "plain": [122, 111, 106, 111, 103, 115, 103, 104, 109, 111, 111, 110, 109, 115, 106, 86, 76, 76, 76, 75],
    "augmented": [68, 68, 72, 73, 74, 78, 78, 78, 78, 78, 78, 77, 78, 78, 77, 77, 77, 76, 77, 77],
}
SOURCE = {
    "params": 1_250_858,
    "plain": {"train_accuracy": 0.7440, "test_accuracy": 0.7474, "test_loss": 0.7302},
    "augmented": {"train_accuracy": 0.6818, "test_accuracy": 0.7230, "test_loss": 0.8004208864212036},
}
RUNS = {"plain": {"zh": "无增强", "en": "no augmentation"}, "augmented": {"zh": "有增强", "en": "with augmentation"}}


def rmsprop():
    # Keras 2's decay=1e-6 divided the rate by (1 + 1e-6 * step); Keras 3 ignores `decay`,
    # and this schedule is the exact replacement.
    schedule = keras.optimizers.schedules.InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6)
    return keras.optimizers.RMSprop(learning_rate=schedule)


def run(ctx):
    source = cifar10.locate()
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
    for lang in ("zh", "en"):
        ctx.figure(class_samples_grid(x_train, y_train, cifar10.class_names(lang)), "samples", lang)

    x = x_train.astype("float32") / 255
    xt = x_test.astype("float32") / 255
    y = keras.utils.to_categorical(y_train, 10)
    yt = keras.utils.to_categorical(y_test, 10)

    runs, scores, models = {}, {}, {}
    for name in RUNS:
        config.seed_everything(42)
        augmentation = shift_and_flip(0.1, seed=42) if name == "augmented" else None
        model = build_cnn(augmentation=augmentation)
        model.compile(optimizer=rmsprop(), loss="categorical_crossentropy", metrics=["accuracy"])
        print(f"  training: {name}")
        runs[name] = fit(model, x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_split=0.1, verbose=2)
        scores[name] = [float(v) for v in model.evaluate(xt, yt, verbose=0)]
        models[name] = model

    # save in the Keras 3 format, load it back, evaluate again: the same numbers
    model = models["augmented"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cifar10_cnn.keras"
        model.save(path)
        saved_mb = path.stat().st_size / 1e6
        reloaded = keras.models.load_model(path)
        reloaded_scores = [float(v) for v in reloaded.evaluate(xt, yt, verbose=0)]
    probabilities = model.predict(xt, verbose=0)
    predicted = probabilities.argmax(1)

    for lang in ("zh", "en"):
        names = cifar10.class_names(lang)
        histories = {RUNS[k][lang]: runs[k].history for k in RUNS}
        ctx.figure(plot_histories(histories, lang), "learning_curves", lang)
        ctx.figure(plot_confusion_matrix(y_test, predicted, names, lang), "confusion_matrix", lang)
        ctx.figure(plot_per_class_accuracy(y_test, predicted, names, lang), "per_class_accuracy", lang)
        ctx.figure(prediction_grid(x_test, y_test, probabilities, names, lang), "predictions", lang)

    def label(zh, en, name):
        return {"zh": f"{zh}（{RUNS[name]['zh']}）", "en": f"{en} ({RUNS[name]['en']})"}

    comparisons = [
        {"key": "params", "label": {"zh": "参数量", "en": "Parameters"},
         "source": SOURCE["params"], "source_ref": "000", "ours": model.count_params(), "format": "int"},
    ]
    for name in RUNS:
        r = runs[name]
        comparisons += [
            {"key": f"{name}_test_accuracy", "label": label("测试准确率", "Test accuracy", name),
             "source": SOURCE[name]["test_accuracy"], "source_ref": "000", "ours": scores[name][1], "format": "percent"},
            {"key": f"{name}_test_loss", "label": label("测试损失", "Test loss", name),
             "source": SOURCE[name]["test_loss"], "source_ref": "000", "ours": scores[name][0], "format": "float"},
            {"key": f"{name}_train_accuracy", "label": label("最后一轮训练准确率", "Training accuracy, last epoch", name),
             "source": SOURCE[name]["train_accuracy"], "source_ref": "000", "ours": r.history["accuracy"][-1],
             "format": "percent"},
            {"key": f"{name}_images_per_s", "label": label("训练速度（图像/秒）", "Training speed (images/s)", name),
             "source": round(50_000 / float(np.median(SOURCE_EPOCH_S[name])), 1), "source_ref": "000",
             "ours": round(r.images_per_s, 1), "format": "int"},
        ]
    comparisons.append(
        {"key": "reloaded_test_accuracy", "label": {"zh": "重新加载后的测试准确率（有增强）", "en": "Test accuracy after reloading (with augmentation)"},
         "source": None, "source_ref": "000", "ours": reloaded_scores[1], "format": "percent"})

    n_fit = runs["plain"].train_samples
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=source.description,
            n_train=n_fit,
            n_test=len(x_test),
            epochs=runs["plain"].epochs,
            batch_size=BATCH_SIZE,
            wall_time_s=round(sum(r.wall_time_s for r in runs.values()), 1),
            images_per_s=round(runs["plain"].images_per_s, 1),
            runs="two trainings of the same recipe, without and with augmentation (times and speed: both; images/s: the run without)",
            training_images=f"the first {len(x_train):,} training images; the last 10% ({len(x_train) - n_fit:,}) held out for validation",
            optimizer="RMSprop, InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6) = Keras 2's lr=1e-4, decay=1e-6",
            augmentation="RandomTranslation(0.1, 0.1, fill_mode='nearest') + RandomFlip('horizontal')",
        ),
        "comparisons": comparisons,
        "metrics": {
            "test_loss_accuracy": scores,
            "reloaded_test_loss_accuracy": reloaded_scores,
            "reload_identical": reloaded_scores == scores["augmented"],
            "saved_model_mb": round(saved_mb, 2),
            "wall_time_s": {k: r.wall_time_s for k, r in runs.items()},
            "images_per_s": {k: round(r.images_per_s, 1) for k, r in runs.items()},
        },
        "history": {k: r.history for k, r in runs.items()},
        "epoch_seconds": {k: r.epoch_seconds for k, r in runs.items()},
    }
    ctx.record(record)
