"""Chapter 05: ResNet20 v1 on CIFAR-10 with the source's callbacks, at CPU scale.

Recipe of source 000 (the Keras example cifar10_resnet.py): ResNet20v1, Adam at 1e-3
with drops after epochs 80/120/160/180, ReduceLROnPlateau, a checkpoint of the best
epoch, per-pixel mean subtraction, shifts and flips, batch 32 (the author used 16),
200 epochs. That needs a GPU. On this CPU we train on a slice of the training set
for a few epochs, without augmentation, validate on held-out *training* images
(the source validated, and picked its checkpoint, on the test set), and evaluate the
best checkpoint once on the test set.
"""

import tempfile
from pathlib import Path

import keras
import numpy as np

from companion import config
from companion.callbacks import LearningRateLog, resnet_callbacks, resnet_lr_schedule, step_decay
from companion.data import cifar10
from companion.models import build_resnet_v1, build_resnet_v2
from companion.preprocessing import scale_pixels, subtract_pixel_mean
from companion.results import run_provenance
from companion.train import fit
from companion.visualize import plot_confusion_matrix, plot_history
from companion.visualize_training import plot_learning_rate

CHAPTER = "05-resnet"
N_TRAIN, N_VAL, EPOCHS, BATCH = 8000, 1000, 3, 32
SOURCE = {
    "params": 274_442,
    "acc_200": 0.9216,  # the Keras example's table, quoted by source 000
    "acc_author_20": 0.7866,  # the author's own run: 20 epochs, batch 16
    "images_per_s_1080ti": 50_000 / 35,  # 35 s/epoch on a GTX 1080 Ti, 50,000 images
    "images_per_s_author": 50_000 / 261,  # ~261 s/epoch in the author's log (steady epochs)
}

WORDS = {
    "zh": {"source": "原文的写法（只看 epoch）", "fixed": "改正后（在当前学习率上相乘）",
           "recipe": "ResNet 学习率计划（200 轮）", "demo": "ReduceLROnPlateau 每轮都触发时的学习率"},
    "en": {"source": "the source's wiring (epoch only)", "fixed": "corrected (multiplies the current rate)",
           "recipe": "ResNet learning-rate schedule (200 epochs)", "demo": "Learning rate when ReduceLROnPlateau fires every epoch"},
}


def plateau_demo(schedule, epochs=6):
    """Learning rates of a tiny run in which ReduceLROnPlateau fires after every epoch."""
    config.seed_everything(0)
    x = np.random.rand(256, 8).astype("float32")
    y = keras.utils.to_categorical(np.random.randint(0, 2, 256), 2)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    log = LearningRateLog()
    # A huge min_delta means "never an improvement": the reducer fires once patience runs out.
    reducer = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=np.sqrt(0.1), patience=1, min_delta=1e9)
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=[reducer, keras.callbacks.LearningRateScheduler(schedule), log])
    return log.rates


def run(ctx):
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n_train = config.samples(N_TRAIN, 1600)
    n_val = config.samples(N_VAL, 400)
    x_val, y_val = x_train[n_train:n_train + n_val], y_train[n_train:n_train + n_val]
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    x_train_f, x_val_f, x_test_f, _ = subtract_pixel_mean(scale_pixels(x_train), scale_pixels(x_val), scale_pixels(x_test))
    one_hot = lambda y: keras.utils.to_categorical(y, 10)  # noqa: E731

    model = build_resnet_v1(20)
    model.compile(optimizer=keras.optimizers.Adam(resnet_lr_schedule(0)), loss="categorical_crossentropy", metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as tmp:
        best = Path(tmp) / "resnet20v1_best.keras"
        log = LearningRateLog()
        run = fit(model, x_train_f, one_hot(y_train), epochs=EPOCHS, batch_size=BATCH, shuffle=True,
                  validation_data=(x_val_f, one_hot(y_val)), callbacks=[*resnet_callbacks(best), log], verbose=2)
        best_model = keras.models.load_model(best)
    test_loss, test_accuracy = best_model.evaluate(x_test_f, one_hot(y_test), verbose=0)
    predicted = best_model.predict(x_test_f, verbose=0).argmax(1)
    best_epoch = int(np.argmax(run.history["val_accuracy"])) + 1

    source_rates = [resnet_lr_schedule(e) for e in range(200)]
    fixed_rates = _compose(step_decay, 200)
    demo_source, demo_fixed = plateau_demo(resnet_lr_schedule), plateau_demo(step_decay)
    for lang in ("zh", "en"):
        w = WORDS[lang]
        ctx.figure(plot_history(run.history, lang), "learning_curves", lang)
        ctx.figure(plot_confusion_matrix(y_test, predicted, cifar10.class_names(lang), lang), "confusion_matrix", lang)
        ctx.figure(plot_learning_rate({w["source"]: source_rates, w["fixed"]: fixed_rates}, lang, w["recipe"]), "lr_schedule", lang)
        ctx.figure(plot_learning_rate({w["source"]: demo_source, w["fixed"]: demo_fixed}, lang, w["demo"]), "lr_plateau", lang)

    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run,
            dataset=cifar10.locate().description,
            n_test=len(x_test),
            model="ResNet20v1",
            validation=f"{len(x_val):,} held-out training images (not the test set)",
            augmentation="none (the source shifts by 0.1 and flips; too few epochs here for it to matter)",
            schedule="Adam 1e-3 with step_decay (drops after epochs 80/120/160/180 never reached), "
                     "ReduceLROnPlateau(sqrt(0.1), patience 5), checkpoint of the best val_accuracy",
            best_epoch=best_epoch,
        ),
        "comparisons": [
            {"key": "params", "label": {"zh": "参数量（ResNet20v1）", "en": "Parameters (ResNet20v1)"},
             "source": SOURCE["params"], "source_ref": "000", "ours": model.count_params(), "format": "int"},
            {"key": "test_accuracy_200", "label": {"zh": "测试准确率：原文表格（200 轮，Keras 示例）/ 本书（见下方运行记录）",
                                                   "en": "Test accuracy: source's table (200 epochs, Keras example) / ours (run below)"},
             "source": SOURCE["acc_200"], "source_ref": "000", "ours": float(test_accuracy), "format": "percent"},
            {"key": "test_accuracy_author", "label": {"zh": "测试准确率：原文作者自己的运行（20 轮，批大小 16）",
                                                      "en": "Test accuracy: the author's own run (20 epochs, batch 16)"},
             "source": SOURCE["acc_author_20"], "source_ref": "000", "ours": float(test_accuracy), "format": "percent"},
            {"key": "images_per_s", "label": {"zh": "训练速度（图像/秒）：原文表格，GTX 1080 Ti", "en": "Training images/s: source's table, GTX 1080 Ti"},
             "source": SOURCE["images_per_s_1080ti"], "source_ref": "000", "ours": run.images_per_s, "format": "float"},
        ],
        "metrics": {"test_accuracy": float(test_accuracy), "test_loss": float(test_loss), "best_epoch": best_epoch,
                    "resnet29_v2_params": build_resnet_v2(29).count_params()},
        "learning_rates": log.rates,
        "plateau_demo": {"source_wiring": demo_source, "corrected": demo_fixed},
        "history": run.history,
        "epoch_seconds": run.epoch_seconds,
    }
    ctx.record(record)


def _compose(schedule, epochs):
    rate, rates = None, []
    for epoch in range(epochs):
        rate = schedule(epoch, rate)
        rates.append(rate)
    return rates
