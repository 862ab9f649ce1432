"""Chapter 06: the Inception-style network of source 003, its loss mistake, memory and batch size.

Source 003 trains 40,000 images for up to 100 epochs at batch 256 with four callbacks on the
validation loss, and reports a test "accuracy" of 96.9%: compiled with
``binary_crossentropy``, that is *binary* accuracy over the ten one-hot outputs. We train
the network twice from the same initial weights (``BUDGETS``): ``binary``, the source's
loss on a smaller budget, to show what its "accuracy" measured; ``categorical``, the
correct loss (the ``cpu`` budget: 15 of 100 epochs, resumable). Both validate on the last
10,000 training images, as the source's split does; the best checkpoint is evaluated once
on the test set. The batch-size study measures one training step's memory per batch size,
each in a fresh process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np

from book.experiments import runner
from book.experiments.common import phrase
from book.recipes import Budget, Recipe
from book.visualize_training import plot_batch_size_study
from companion import config
from companion.callbacks import inception_callbacks
from companion.memory import GIB, estimate_training_bytes, source_estimate_bytes
from companion.models import build_inception
from companion.visualize import plot_history

CHAPTER = "06-inception"
RECIPE = Recipe(
    "003",
    40_000,
    100,
    256,
    "Adam 1e-3, binary cross-entropy; EarlyStopping(10), ModelCheckpoint, "
    "ReduceLROnPlateau(0.3, 4), all on val_loss",
)
BUDGETS = {
    "categorical": {"cpu": Budget("cpu", epochs=15)},
    "binary": {"cpu": Budget("cpu", train_images=10_000, epochs=5)},
}
BATCH_SIZES = (64, 128, 256, 512)
#: The batch-size study's speeds: a quiet-machine run of
#:   python benchmarks/train_throughput.py --models inception --batch-sizes 64 128 256 512 \
#:       --repeats 7 --json benchmarks/results/inception-batch-sizes.json
#: (a long run's step times are not speeds; without this file the study times one step each).
ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = ROOT / "benchmarks" / "results" / "inception-batch-sizes.json"
#: The source's seconds per epoch of 40,000 images in its study, by batch size (the median
#: where it ran twice or more).
SOURCE_EPOCH_S = {64: 90, 128: 72, 256: 62, 512: 58}
BINARY_ACCURACY = 0.9689600015640258  # the source's test "accuracy"
CALLBACKS = (
    "EarlyStopping(10), ModelCheckpoint(best val_loss), TensorBoard, ReduceLROnPlateau(0.3, 4); "
    "the best checkpoint is evaluated"
)
MEASURE = """
import json, sys, keras
from companion.memory import measure_training_memory
from companion.models import build_inception
keras.utils.set_random_seed(0)
model = build_inception()
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
print(json.dumps(measure_training_memory(model, int(sys.argv[1]), steps=1)))
"""


def run(ctx):
    config.seed_everything(42)
    data = runner.load(
        "cifar10", images=(50_000, 384), validation=(10_000, 128), test=(10_000, 128)
    )
    initial = build_inception().get_weights()  # both runs start here (seeded above)

    # The source's loss first: the smaller run, finished (and recorded) before the long one.
    model_b, run_b, wrong = train(ctx, "binary", data, initial)
    modes = two_modes(model_b, data)  # last: training mode moves the BN averages
    metrics = ("binary_accuracy", "categorical_accuracy")
    runner.figures(
        ctx,
        lambda lang: {"binary_vs_categorical": plot_history(run_b.history, lang, metrics=metrics)},
    )
    runner.record(
        ctx,
        provenance(ctx, "binary", run_b, data),
        table("binary", modes["images"]),
        numbers("binary", run_b, wrong, modes),
        {"binary_crossentropy": wrong, "two_modes": modes},
        run_b,
        stem=f"{CHAPTER}-binary",
    )

    model, run_c, correct = train(ctx, "categorical", data, initial)
    print(json.dumps({"binary_crossentropy": wrong, "categorical_crossentropy": correct}))
    # Model JSON round trip: the architecture survives, the weights travel separately.
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    first = data.x_test[:64]
    same = np.allclose(clone.predict(first, verbose=0), model.predict(first, verbose=0), atol=1e-5)
    probabilities = model.predict(data.x_test, verbose=0)
    modes = two_modes(model, data)  # after every inference-mode use: it moves the BN averages

    study, how, reference = batch_size_study((16, 32) if config.smoke() else BATCH_SIZES)
    sizes = study["batch_sizes"]
    runner.figures(
        ctx,
        lambda lang: {
            "batch_size_study": plot_batch_size_study(
                sizes,
                study["images_per_s"],
                study["source_estimate_gib"],
                study["measured_increase_gib"],
                lang,
                study["source_images_per_s"],
                study["our_estimate_gib"],
            )
        },
        data=data,
        history=run_c.history,
        probabilities=probabilities,
    )
    i128 = sizes.index(128) if 128 in sizes else 0
    prov = provenance(ctx, "categorical", run_c, data)
    prov["batch_size_study"] = how
    ours = numbers("categorical", run_c, correct, modes) | {
        "params": reference.count_params(),
        "trainable": int(sum(np.prod(w.shape) for w in reference.trainable_weights)),
        "memory_estimate_128": study["source_estimate_gib"][i128],
        "memory_measured_128": study["measured_increase_gib"][i128],
    }
    runner.record(
        ctx,
        prov,
        table("categorical", modes["images"]),
        ours,
        {
            "categorical_crossentropy": correct,
            "two_modes": modes,
            "json_round_trip_same_predictions": bool(same),
            "json_chars": len(model.to_json()),
        },
        run_c,
        batch_size_study=study,
    )


def table(name: str, n: int) -> dict:
    """The rows of run ``name``'s record: key -> (the source's number, format[, label]).

    Both have the two rows of ``two_modes`` (on ``n`` images): own training images in
    inference mode (how much it learnt), test images in training mode (whether its inference
    mode lags).
    """
    run = phrase(f"ch06_{name}_run")
    modes = {
        f"{name}_run_{key}": (None, "percent", phrase(f"ch06_{key}", run=run, n=f"{n:,}"))
        for key in ("train_inference_mode", "test_training_mode")
    }
    if name == "binary":
        return {
            "binary_run_binary_accuracy": (
                BINARY_ACCURACY,
                "percent",
                "ch06_binary_run_binary_accuracy",
            ),
            "binary_run_categorical_accuracy": (
                None,
                "percent",
                "ch06_binary_run_categorical_accuracy",
            ),
            **modes,
            "training_time": (None, "minutes"),
        }
    return {
        "params": (1_420_834, "int"),
        "trainable": (1_416_930, "int", "ch06_trainable"),
        "categorical_run_binary_accuracy": (BINARY_ACCURACY, "percent", "ch06_binary_accuracy"),
        "categorical_run_categorical_accuracy": (None, "percent", "ch06_categorical_accuracy"),
        **modes,
        "training_time": (None, "minutes"),
        "memory_estimate_128": (1.47, "float", "ch06_memory_estimate"),
        "memory_measured_128": (None, "float", "ch06_memory_measured"),
    }


def numbers(name, run, scores, modes) -> dict:
    """Run ``name``'s numbers for its rows: test scores and ``two_modes``, training time."""
    return {f"{name}_run_{k}": v for k, v in (scores | modes).items()} | {
        "training_time": run.wall_time_s
    }


def train(ctx, name: str, data, initial_weights):
    """One run of the source's recipe with ``{name}_crossentropy``, resumable; returns the
    best checkpoint (lowest validation loss), the run and the test scores."""
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
    folder = runner.folder(ctx, name)
    run = runner.train(
        ctx,
        name,
        model,
        data,
        RECIPE,
        BUDGETS[name],
        what=f"Inception, {name} cross-entropy",
        # resumed, fit gives EarlyStopping, the checkpoint and the plateau reducer their counts
        callbacks=inception_callbacks(folder / "best.keras", log_dir=folder / "logs"),
    )
    best_model = keras.models.load_model(folder / "best.keras")
    return best_model, run, runner.evaluate(best_model, data)


def provenance(ctx, name, run, data):
    return runner.provenance(
        ctx,
        run,
        data,
        RECIPE,
        loss=f"{name}_crossentropy",
        validation=f"the last {data.validation_images:,} training images, as the source's split",
        callbacks=CALLBACKS,
        best_epoch=int(np.argmin(run.history["val_loss"])) + 1,
    )


def batch_size_study(sizes):
    """One training step per batch size, each in a fresh process: the memory it took, beside
    the source's estimate and ours, and the speed. Returns the record's section, how it was
    measured, and the network the estimates are for."""
    raw = [measure(b) for b in sizes]
    reference = build_inception()
    speed, speed_from = speeds(sizes, raw)
    study = {
        "batch_sizes": list(sizes),
        "images_per_s": speed,
        "source_images_per_s": [40_000 / SOURCE_EPOCH_S.get(b, float("nan")) for b in sizes],
        "source_estimate_gib": [source_estimate_bytes(reference, b) / GIB for b in sizes],
        "our_estimate_gib": [estimate_training_bytes(reference, b) / GIB for b in sizes],
        "measured_increase_gib": [s.get("increase_bytes", float("nan")) / GIB for s in raw],
        "raw": raw,
    }
    how = (
        f"memory: one training step per batch size {list(sizes)}, each in a fresh process; "
        f"speed: {speed_from}"
    )
    return study, how, reference


def measure(batch_size: int) -> dict:
    """One batch size in a fresh Python process, so that earlier runs leave no memory behind."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(batch_size)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return {"batch_size": batch_size, "error": f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def speeds(sizes, study) -> tuple[list[float], str]:
    """Images/s at each batch size, and where they come from: the quiet-machine benchmark
    (``BENCHMARK``) when it has every size, else the study's one timed step each."""
    figures = json.loads(BENCHMARK.read_text(encoding="utf-8")) if BENCHMARK.exists() else {}
    by_batch = {
        r["batch_size"]: r["median"] for r in figures.get("models", []) if r["model"] == "inception"
    }
    if all(b in by_batch for b in sizes):
        return [by_batch[b] for b in sizes], (
            f"benchmarks/train_throughput.py ({figures['images']:,} images, median of "
            f"{len(figures['models'][0]['repeats'])} interleaved epochs, load average "
            f"{figures['load_average_before']} before, {figures['load_average_after']} after; "
            f"{figures['device']}, commit {figures.get('git_commit', 'unknown')})"
        )
    speed = [
        s["batch_size"] / s["seconds_per_step"] if "seconds_per_step" in s else float("nan")
        for s in study
    ]
    return speed, "one timed training step per batch size (no quiet-machine benchmark yet)"


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
    test_x, test_labels = data.x_test[:n], np.ravel(data.test_labels[:n])
    keras.utils.set_random_seed(0)  # dropout in training mode
    return {
        "images": n,
        "train_inference_mode": accuracy(train_x, train_labels, False),
        "test_inference_mode": accuracy(test_x, test_labels, False),
        "train_training_mode": accuracy(train_x, train_labels, True),
        "test_training_mode": accuracy(test_x, test_labels, True),
    }
