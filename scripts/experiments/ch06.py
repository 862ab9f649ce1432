"""Chapter 06: the Inception-style network of source 003, its loss mistake, memory and batch size.

Source 003 trains on 40,000 images (validation_split=0.2) for up to 100 epochs at batch
256 with four callbacks, on a Colab GPU, and reports a test "accuracy" of 96.9%. It
compiles with ``binary_crossentropy``, so that number is *binary* accuracy averaged
over the ten one-hot outputs. Here we train the same network twice from the same
initial weights -- once as the source (binary cross-entropy), once correctly
(categorical cross-entropy) -- and report both accuracies of both runs. On this CPU
the network trains at a few images per second, so the runs are small: a slice of
the training set for two epochs. The batch-size study times single training steps
and measures the memory of each, in a fresh process per batch size.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np

from companion import config
from companion.callbacks import inception_callbacks
from companion.data import cifar10
from companion.memory import GIB, estimate_training_bytes, source_estimate_bytes
from companion.models import build_inception
from companion.preprocessing import scale_pixels
from companion.results import run_provenance
from companion.train import fit
from companion.visualize import plot_confusion_matrix, plot_history
from companion.visualize_training import plot_batch_size_study

CHAPTER = "06-inception"
N_IMAGES, N_TEST, EPOCHS, BATCH = 1500, 1000, 2, 64
BATCH_SIZES = (64, 128, 256, 512)
SOURCE = {
    "params": 1_420_834,
    "trainable": 1_416_930,
    "test_binary_accuracy": 0.9689600015640258,
    "memory_gb_128": 1.47,
    # batch -> seconds per epoch of 40,000 images in its study (median where it ran twice or more)
    "epoch_s": {64: 90, 128: 72, 256: 62, 512: 58},
}

MEASURE = """
import json, sys, keras
from companion.memory import measure_training_memory
from companion.models import build_inception
keras.utils.set_random_seed(0)
model = build_inception()
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
print(json.dumps(measure_training_memory(model, int(sys.argv[1]), steps=1)))
"""


def measure(batch_size: int) -> dict:
    """One batch size in a fresh Python process, so that earlier runs leave no memory behind."""
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(batch_size)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": src},
    )
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return {"batch_size": batch_size, "error": f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def train(loss: str, x, y, initial_weights, tmp: Path, name: str):
    model = build_inception()
    model.set_weights(initial_weights)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=loss,
        metrics=[
            "accuracy",
            keras.metrics.BinaryAccuracy(name="binary_accuracy"),
            keras.metrics.CategoricalAccuracy(name="categorical_accuracy"),
        ],
    )
    best = tmp / f"{name}.keras"
    run = fit(
        model,
        x,
        y,
        epochs=EPOCHS,
        batch_size=BATCH,
        validation_split=0.2,
        verbose=2,
        callbacks=inception_callbacks(best, log_dir=tmp / "logs" / name),
    )
    return keras.models.load_model(best), run


def run(ctx):
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n, n_test = config.samples(N_IMAGES, 256), config.samples(N_TEST, 128)
    x, y = scale_pixels(x_train[:n]), keras.utils.to_categorical(y_train[:n], 10)
    x_test, y_test = scale_pixels(x_test[:n_test]), y_test[:n_test]
    y_test_1hot = keras.utils.to_categorical(y_test, 10)

    initial = build_inception().get_weights()
    results, runs, models = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for loss in ("binary_crossentropy", "categorical_crossentropy"):
            model, runs[loss] = train(loss, x, y, initial, Path(tmp), loss)
            scores = model.evaluate(x_test, y_test_1hot, verbose=0, return_dict=True)
            results[loss] = {k: float(v) for k, v in scores.items()}
            models[loss] = model
    print(json.dumps(results, indent=1))

    # Model JSON round trip: the architecture survives, the weights travel separately.
    model = models["categorical_crossentropy"]
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    same = bool(
        np.allclose(
            clone.predict(x_test[:64], verbose=0), model.predict(x_test[:64], verbose=0), atol=1e-5
        )
    )
    predicted = model.predict(x_test, verbose=0).argmax(1)

    sizes = (16, 32) if config.smoke() else BATCH_SIZES
    study = [measure(b) for b in sizes]
    reference = build_inception()
    estimate_source = [source_estimate_bytes(reference, b) / GIB for b in sizes]
    estimate_ours = [estimate_training_bytes(reference, b) / GIB for b in sizes]
    measured = [s.get("increase_bytes", float("nan")) / GIB for s in study]
    speed = [
        s["batch_size"] / s["seconds_per_step"] if "seconds_per_step" in s else float("nan")
        for s in study
    ]
    source_speed = [
        40_000 / SOURCE["epoch_s"][b] if b in SOURCE["epoch_s"] else float("nan") for b in sizes
    ]

    for lang in ("zh", "en"):
        ctx.figure(
            plot_history(runs["categorical_crossentropy"].history, lang), "learning_curves", lang
        )
        ctx.figure(
            plot_history(
                runs["binary_crossentropy"].history,
                lang,
                metrics=("binary_accuracy", "categorical_accuracy"),
            ),
            "binary_vs_categorical",
            lang,
        )
        ctx.figure(
            plot_confusion_matrix(y_test, predicted, cifar10.class_names(lang), lang),
            "confusion_matrix",
            lang,
        )
        ctx.figure(
            plot_batch_size_study(
                sizes, speed, estimate_source, measured, lang, source_speed, estimate_ours
            ),
            "batch_size_study",
            lang,
        )

    correct, wrong = results["categorical_crossentropy"], results["binary_crossentropy"]
    run_c = runs["categorical_crossentropy"]
    i128 = sizes.index(128) if 128 in sizes else 0
    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run_c,
            dataset=cifar10.locate().description,
            n_test=len(x_test),
            validation=f"validation_split=0.2 of the first {n:,} training images, as the source",
            runs=(
                "two runs from the same initial weights: binary_crossentropy (the source) and "
                "categorical_crossentropy"
            ),
            callbacks=(
                "EarlyStopping(10), ModelCheckpoint(best val_loss), TensorBoard, "
                "ReduceLROnPlateau(0.3, 4); "
                "the best checkpoint is evaluated"
            ),
            batch_size_study=(
                f"one timed training step per batch size {list(sizes)}, each in a fresh process"
            ),
        ),
        "comparisons": [
            {
                "key": "params",
                "label": {"zh": "参数量", "en": "Parameters"},
                "source": SOURCE["params"],
                "source_ref": "003",
                "ours": reference.count_params(),
                "format": "int",
            },
            {
                "key": "trainable",
                "label": {"zh": "可训练参数", "en": "Trainable parameters"},
                "source": SOURCE["trainable"],
                "source_ref": "003",
                "ours": int(sum(np.prod(w.shape) for w in reference.trainable_weights)),
                "format": "int",
            },
            {
                "key": "binary_run_binary_accuracy",
                "label": {
                    "zh": "二元交叉熵训练：测试集“准确率”（实为二元准确率）",
                    "en": 'Trained with binary cross-entropy: test "accuracy" (binary accuracy)',
                },
                "source": SOURCE["test_binary_accuracy"],
                "source_ref": "003",
                "ours": wrong["binary_accuracy"],
                "format": "percent",
            },
            {
                "key": "binary_run_categorical_accuracy",
                "label": {
                    "zh": "二元交叉熵训练：测试集分类准确率",
                    "en": "Trained with binary cross-entropy: test classification accuracy",
                },
                "source": None,
                "source_ref": "003",
                "ours": wrong["categorical_accuracy"],
                "format": "percent",
            },
            {
                "key": "categorical_run_binary_accuracy",
                "label": {
                    "zh": "分类交叉熵训练：测试集二元准确率",
                    "en": "Trained with categorical cross-entropy: test binary accuracy",
                },
                "source": None,
                "source_ref": "003",
                "ours": correct["binary_accuracy"],
                "format": "percent",
            },
            {
                "key": "categorical_run_categorical_accuracy",
                "label": {
                    "zh": "分类交叉熵训练：测试集分类准确率",
                    "en": "Trained with categorical cross-entropy: test classification accuracy",
                },
                "source": None,
                "source_ref": "003",
                "ours": correct["categorical_accuracy"],
                "format": "percent",
            },
            {
                "key": "memory_estimate_128",
                "label": {
                    "zh": "原文公式估计的内存，批大小 128（GiB）",
                    "en": "Memory by the source's formula, batch 128 (GiB)",
                },
                "source": SOURCE["memory_gb_128"],
                "source_ref": "003",
                "ours": estimate_source[i128],
                "format": "float",
            },
            {
                "key": "memory_measured_128",
                "label": {
                    "zh": "实测内存增量，批大小 128（GiB）",
                    "en": "Measured memory increase, batch 128 (GiB)",
                },
                "source": None,
                "source_ref": "003",
                "ours": measured[i128],
                "format": "float",
            },
        ],
        "metrics": {
            "binary_crossentropy": wrong,
            "categorical_crossentropy": correct,
            "json_round_trip_same_predictions": same,
            "json_chars": len(model.to_json()),
        },
        "batch_size_study": {
            "batch_sizes": list(sizes),
            "images_per_s": speed,
            "source_images_per_s": source_speed,
            "source_estimate_gib": estimate_source,
            "our_estimate_gib": estimate_ours,
            "measured_increase_gib": measured,
            "raw": study,
        },
        "history": {loss: r.history for loss, r in runs.items()},
        "epoch_seconds": {loss: r.epoch_seconds for loss, r in runs.items()},
    }
    ctx.record(record)
