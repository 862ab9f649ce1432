"""Chapter 06: the Inception-style network of source 003, its loss mistake, memory and batch size.

Source 003 (``RECIPE``) trains on 40,000 images (``validation_split=0.2`` of 50,000) for
up to 100 epochs at batch 256 with four callbacks that watch the validation loss, on a
Colab GPU, and reports a test "accuracy" of 96.9%. It compiles with
``binary_crossentropy``, so that number is *binary* accuracy averaged over the ten one-hot
outputs. We train the network twice from the same initial weights (``BUDGETS``):

* ``categorical``: the source's recipe with the correct loss, categorical cross-entropy;
  the ``cpu`` budget trains 15 of its 100 epochs (EarlyStopping may stop it sooner). At
  50-100 images/s on two CPU cores that is 2-4 hours: the run resumes where it stopped.
* ``binary``: the source's own loss, on a smaller budget (10,000 images, 5 epochs), to
  show what its "accuracy" measured: binary and classification accuracy side by side.

Both validate on the same last 10,000 training images, as the source's split does, and the
best checkpoint (lowest validation loss) is evaluated once on all 10,000 test images. The
batch-size study times single training steps and measures the memory of each, in a fresh
process per batch size.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np

from book.recipes import Budget, Recipe
from book.results import run_provenance
from book.visualize_training import plot_batch_size_study
from companion import config
from companion.callbacks import inception_callbacks
from companion.data import cifar10
from companion.memory import GIB, estimate_training_bytes, source_estimate_bytes
from companion.models import build_inception
from companion.preprocessing import scale_pixels
from companion.train import fit
from companion.visualize import plot_confusion_matrix, plot_history

CHAPTER = "06-inception"
N_VAL = 10_000  # the source's validation_split=0.2 of the 50,000 training images
BATCH_SIZES = (64, 128, 256, 512)
RECIPE = Recipe(
    source_ref="003",
    train_images=40_000,
    epochs=100,
    batch_size=256,
    optimizer=(
        "Adam 1e-3, binary cross-entropy; EarlyStopping(10), ModelCheckpoint, "
        "ReduceLROnPlateau(0.3, 4), all on val_loss"
    ),
)
BUDGETS = {
    "categorical": {
        "smoke": Budget("smoke"),
        "cpu": Budget("cpu", epochs=15),
        "full": Budget("full"),
    },
    "binary": {
        "smoke": Budget("smoke"),
        "cpu": Budget("cpu", train_images=10_000, epochs=5),
        "full": Budget("full"),
    },
}
#: The batch-size study's speeds: a quiet-machine run of
#:   python benchmarks/train_throughput.py --models inception --batch-sizes 64 128 256 512 \
#:       --repeats 7 \
#:       --json benchmarks/results/inception-batch-sizes.json
#: (a long run's step times are not speeds; without this file the study times one step each).
BENCHMARK = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / ("inception-batch-sizes.json")
)
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


def train(ctx, name: str, data, initial_weights):
    """One run of the source's recipe with ``{name}_crossentropy``, resumable; returns the
    best checkpoint (lowest validation loss), the run and the test scores."""
    budget = BUDGETS[name][ctx.budget]
    n_train = config.samples(budget.images(RECIPE), 256)
    epochs, batch = budget.epochs_for(RECIPE), budget.batch_for(RECIPE)
    ctx.plan(
        RECIPE,
        train_images=n_train,
        epochs=epochs,
        batch_size=batch,
        validation_images=len(data.y_val),
        what=f"Inception, {name} cross-entropy",
    )
    model = build_inception()
    model.set_weights(initial_weights)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=f"{name}_crossentropy",
        metrics=[
            "accuracy",
            keras.metrics.BinaryAccuracy(name="binary_accuracy"),
            keras.metrics.CategoricalAccuracy(name="categorical_accuracy"),
        ],
    )
    folder = ctx.runs_dir(name)
    scratch = folder or Path(tempfile.mkdtemp(prefix=f"ch06-{name}-"))
    scratch.mkdir(parents=True, exist_ok=True)
    best = scratch / "best.keras"
    # resumed, fit gives EarlyStopping, the checkpoint and the plateau reducer their counts back
    callbacks = inception_callbacks(best, log_dir=scratch / "logs")
    run = fit(
        model,
        data.x[:n_train],
        data.y[:n_train],
        epochs=epochs,
        batch_size=batch,
        validation_data=(data.x_val, data.y_val),
        verbose=2,
        callbacks=callbacks,
        resume_dir=folder,
        probe=True,
    )
    best_model = keras.models.load_model(best)
    scores = best_model.evaluate(data.x_test, data.y_test_1hot, verbose=0, return_dict=True)
    return best_model, run, {k: float(v) for k, v in scores.items()}


def provenance_of(ctx, name, run, data, source):
    return run_provenance(
        run,
        dataset=source.description,
        n_test=len(data.y_test),
        recipe=RECIPE,
        budget=ctx.budget,
        validation_images=len(data.y_val),
        lossy_data="JPEG" in source.description,
        loss=f"{name}_crossentropy",
        validation=f"the last {len(data.y_val):,} training images, as the source's split",
        callbacks=(
            "EarlyStopping(10), ModelCheckpoint(best val_loss), TensorBoard, "
            "ReduceLROnPlateau(0.3, 4); the best checkpoint is evaluated"
        ),
        best_epoch=int(np.argmin(run.history["val_loss"])) + 1,
    )


def benchmark_speeds(sizes) -> tuple[list[float], dict] | None:
    """Images/s of the Inception network at each batch size from ``BENCHMARK``, or None."""
    if not BENCHMARK.exists():
        return None
    figures = json.loads(BENCHMARK.read_text(encoding="utf-8"))
    by_batch = {
        r["batch_size"]: r["median"] for r in figures["models"] if r["model"] == "inception"
    }
    if not all(b in by_batch for b in sizes):
        return None
    return [by_batch[b] for b in sizes], figures


def run(ctx):
    config.seed_everything(42)
    source = cifar10.locate()
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n_all = config.samples(50_000, 256 + 128)
    n_val = config.samples(N_VAL, 128)
    n_test = config.samples(len(x_test), 128)
    one_hot = lambda y: keras.utils.to_categorical(y, 10)  # noqa: E731
    data = SimpleNamespace(
        x=scale_pixels(x_train[: n_all - n_val]),
        y=one_hot(y_train[: n_all - n_val]),
        x_val=scale_pixels(x_train[n_all - n_val : n_all]),
        y_val=one_hot(y_train[n_all - n_val : n_all]),
        x_test=scale_pixels(x_test[:n_test]),
        y_test=y_test[:n_test],
        y_test_1hot=one_hot(y_test[:n_test]),
    )
    initial = build_inception().get_weights()  # both runs start here (seeded above)

    # The source's loss first: the smaller run, finished (and recorded) before the long one.
    model_b, run_b, wrong = train(ctx, "binary", data, initial)
    modes = two_modes(model_b, data)  # last: training mode moves the BN averages
    for lang in ("zh", "en"):
        ctx.figure(
            plot_history(run_b.history, lang, metrics=("binary_accuracy", "categorical_accuracy")),
            "binary_vs_categorical",
            lang,
        )
    provenance = provenance_of(ctx, "binary", run_b, data, source)
    ctx.record(binary_record(provenance, run_b, wrong, modes), stem=f"{CHAPTER}-binary")

    model, run_c, correct = train(ctx, "categorical", data, initial)
    x_test, y_test = data.x_test, data.y_test
    print(json.dumps({"binary_crossentropy": wrong, "categorical_crossentropy": correct}))

    # Model JSON round trip: the architecture survives, the weights travel separately.
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    same = bool(
        np.allclose(
            clone.predict(x_test[:64], verbose=0), model.predict(x_test[:64], verbose=0), atol=1e-5
        )
    )
    predicted = model.predict(x_test, verbose=0).argmax(1)
    modes = two_modes(model, data)  # after every inference-mode use: it moves the BN averages

    sizes = (16, 32) if config.smoke() else BATCH_SIZES
    study = [measure(b) for b in sizes]
    reference = build_inception()
    estimate_source = [source_estimate_bytes(reference, b) / GIB for b in sizes]
    estimate_ours = [estimate_training_bytes(reference, b) / GIB for b in sizes]
    measured = [s.get("increase_bytes", float("nan")) / GIB for s in study]
    benchmarked = benchmark_speeds(sizes)
    if benchmarked:
        speed, figures = benchmarked
        speed_from = (
            f"benchmarks/train_throughput.py ({figures['images']:,} images, median of "
            f"{len(figures['models'][0]['repeats'])} interleaved epochs, load average "
            f"{figures['load_average_before']} before, {figures['load_average_after']} after; "
            f"{figures['device']}, commit {figures.get('git_commit', 'unknown')})"
        )
    else:
        speed = [
            s["batch_size"] / s["seconds_per_step"] if "seconds_per_step" in s else float("nan")
            for s in study
        ]
        speed_from = "one timed training step per batch size (no quiet-machine benchmark yet)"
    source_speed = [
        40_000 / SOURCE["epoch_s"][b] if b in SOURCE["epoch_s"] else float("nan") for b in sizes
    ]

    for lang in ("zh", "en"):
        ctx.figure(plot_history(run_c.history, lang), "learning_curves", lang)
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

    i128 = sizes.index(128) if 128 in sizes else 0
    provenance = provenance_of(ctx, "categorical", run_c, data, source)
    provenance["batch_size_study"] = (
        f"memory: one training step per batch size {list(sizes)}, each in a fresh process; "
        f"speed: {speed_from}"
    )
    record = {
        "chapter": CHAPTER,
        "provenance": provenance,
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
                "key": "categorical_run_binary_accuracy",
                "label": {
                    "zh": "测试集二元准确率（原文报告的“准确率”就是它，但出自二元交叉熵训练）",
                    "en": 'Test binary accuracy (what the source reports as "accuracy", from its '
                    "binary cross-entropy run)",
                },
                "source": SOURCE["test_binary_accuracy"],
                "source_ref": "003",
                "ours": correct["binary_accuracy"],
                "format": "percent",
            },
            {
                "key": "categorical_run_categorical_accuracy",
                "label": {
                    "zh": "测试集分类准确率（原文未报告）",
                    "en": "Test classification accuracy (the source reports none)",
                },
                "source": None,
                "source_ref": "003",
                "ours": correct["categorical_accuracy"],
                "format": "percent",
            },
            *mode_rows(
                "categorical", "分类交叉熵训练", "Trained with categorical cross-entropy", modes
            ),
            {
                "key": "training_time",
                "label": {"zh": "训练时间", "en": "Training time"},
                "source": None,
                "source_ref": "003",
                "ours": run_c.wall_time_s,
                "format": "minutes",
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
            "categorical_crossentropy": correct,
            "two_modes": modes,
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
        "history": run_c.history,
        "epoch_seconds": run_c.epoch_seconds,
    }
    ctx.record(record)


def two_modes(model, data, n=2_000):
    """Classification accuracy of one network in its two modes, on training and test images.

    Inference mode normalises with BatchNormalization's moving averages and drops nothing;
    training mode uses each batch's own statistics (and dropout). A network that scores on
    training images in training mode but not in inference mode has not failed to generalise:
    its inference mode is what lags. Run it last: a training-mode call updates the averages.
    """
    n = config.samples(n, 64)

    def accuracy(x, labels, training):
        hits = 0
        for i in range(0, len(x), 256):
            scores = keras.ops.convert_to_numpy(model(x[i : i + 256], training=training))
            hits += int((scores.argmax(1) == labels[i : i + 256]).sum())
        return hits / len(x)

    train_x, train_labels = data.x[:n], data.y[:n].argmax(1)
    test_x, test_labels = data.x_test[:n], np.ravel(data.y_test[:n])
    keras.utils.set_random_seed(0)  # dropout in training mode
    return {
        "images": n,
        "train_inference_mode": accuracy(train_x, train_labels, False),
        "test_inference_mode": accuracy(test_x, test_labels, False),
        "train_training_mode": accuracy(train_x, train_labels, True),
        "test_training_mode": accuracy(test_x, test_labels, True),
    }


def mode_rows(name: str, zh: str, en: str, modes: dict) -> list[dict]:
    """Two rows of ``two_modes``: own training images in inference mode (how much it learnt),
    test images in training mode (whether its inference mode lags)."""
    n = f"{modes['images']:,}"
    return [
        {
            "key": f"{name}_run_train_inference_mode",
            "label": {
                "zh": f"{zh}：{n} 张训练图片上的分类准确率，推理模式",
                "en": f"{en}: classification accuracy on {n} training images, inference mode",
            },
            "source": None,
            "source_ref": "003",
            "ours": modes["train_inference_mode"],
            "format": "percent",
        },
        {
            "key": f"{name}_run_test_training_mode",
            "label": {
                "zh": f"{zh}：{n} 张测试图片上的分类准确率，训练模式"
                "（每批自己的 BN 统计量，dropout 开启）",
                "en": f"{en}: classification accuracy on {n} test images, training mode (each "
                "batch's own BN statistics, dropout on)",
            },
            "source": None,
            "source_ref": "003",
            "ours": modes["test_training_mode"],
            "format": "percent",
        },
    ]


def binary_record(provenance, run, scores, modes):
    """The source's loss, on its own smaller budget: what its "accuracy" measured."""
    return {
        "chapter": CHAPTER,
        "provenance": provenance,
        "comparisons": [
            {
                "key": "binary_run_binary_accuracy",
                "label": {
                    "zh": "二元交叉熵训练：测试集“准确率”（实为二元准确率）",
                    "en": 'Trained with binary cross-entropy: test "accuracy" (binary accuracy)',
                },
                "source": SOURCE["test_binary_accuracy"],
                "source_ref": "003",
                "ours": scores["binary_accuracy"],
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
                "ours": scores["categorical_accuracy"],
                "format": "percent",
            },
            *mode_rows("binary", "二元交叉熵训练", "Trained with binary cross-entropy", modes),
            {
                "key": "training_time",
                "label": {"zh": "训练时间", "en": "Training time"},
                "source": None,
                "source_ref": "003",
                "ours": run.wall_time_s,
                "format": "minutes",
            },
        ],
        "metrics": {"binary_crossentropy": scores, "two_modes": modes},
        "history": run.history,
        "epoch_seconds": run.epoch_seconds,
    }
