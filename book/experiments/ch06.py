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
OPTIMIZER = (
    "Adam 1e-3, binary cross-entropy; EarlyStopping(10), ModelCheckpoint, "
    "ReduceLROnPlateau(0.3, 4), all on val_loss"
)
RECIPE = Recipe("003", 40_000, 100, 256, OPTIMIZER)
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
#: The study's lists in the order plot_batch_size_study takes them (the language after four).
PLOTTED = ("batch_sizes", "images_per_s", "source_estimate_gib", "measured_increase_gib")
PLOTTED += ("source_images_per_s", "our_estimate_gib")
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
    model, run, wrong = train(ctx, "binary", data, initial)
    modes = two_modes(model, data)  # last: training mode moves the BN averages
    shown = ("binary_accuracy", "categorical_accuracy")
    runner.figures(
        ctx, lambda lang: {"binary_vs_categorical": plot_history(run.history, lang, metrics=shown)}
    )
    record(ctx, "binary", run, data, wrong, modes, stem=f"{CHAPTER}-binary")

    model, run, correct = train(ctx, "categorical", data, initial)
    print(json.dumps({"binary_crossentropy": wrong, "categorical_crossentropy": correct}))
    # Model JSON round trip: the architecture survives, the weights travel separately.
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    first = data.x_test[:64]
    same = np.allclose(clone.predict(first, verbose=0), model.predict(first, verbose=0), atol=1e-5)
    probabilities = model.predict(data.x_test, verbose=0)
    modes = two_modes(model, data)  # after every inference-mode use: it moves the BN averages

    study, how, reference = batch_size_study((16, 32) if config.smoke() else BATCH_SIZES)
    plotted = [study[key] for key in PLOTTED]
    runner.figures(
        ctx,
        lambda lang: {"batch_size_study": plot_batch_size_study(*plotted[:4], lang, *plotted[4:])},
        data=data,
        history=run.history,
        probabilities=probabilities,
    )
    i128 = study["batch_sizes"].index(128) if 128 in study["batch_sizes"] else 0
    ours = {
        "params": reference.count_params(),
        "trainable": int(sum(np.prod(w.shape) for w in reference.trainable_weights)),
        "memory_estimate_128": study["source_estimate_gib"][i128],
        "memory_measured_128": study["measured_increase_gib"][i128],
    }
    metrics = {"json_round_trip_same_predictions": bool(same), "json_chars": len(model.to_json())}
    record(
        ctx, "categorical", run, data, correct, modes, how, ours, metrics, batch_size_study=study
    )


def train(ctx, name: str, data, initial_weights):
    """One run of the source's recipe with ``{name}_crossentropy``, resumable; returns the
    best checkpoint (lowest validation loss), the run and the test scores."""
    model = build_inception()
    model.set_weights(initial_weights)
    accuracies = ["accuracy", keras.metrics.BinaryAccuracy(name="binary_accuracy")]
    accuracies.append(keras.metrics.CategoricalAccuracy(name="categorical_accuracy"))
    runner.compiled(model, keras.optimizers.Adam(1e-3), f"{name}_crossentropy", accuracies)
    folder = runner.folder(ctx, name)
    # resumed, fit gives EarlyStopping, the checkpoint and the plateau reducer their counts
    fit_callbacks = inception_callbacks(folder / "best.keras", log_dir=folder / "logs")
    what = f"Inception, {name} cross-entropy"
    run = runner.train(
        ctx, name, model, data, RECIPE, BUDGETS[name], what=what, callbacks=fit_callbacks
    )
    best_model = keras.models.load_model(folder / "best.keras")
    return best_model, run, runner.evaluate(best_model, data)


def record(ctx, name, run, data, scores, modes, how=None, ours=None, metrics=None, **sections):
    """Run ``name``'s record: provenance (with ``how`` the study was measured), the rows of
    :func:`table`, its numbers (test scores, ``two_modes``, training time; then ``ours``),
    ``metrics`` after its test scores and ``two_modes``, and ``sections``."""
    best_epoch = int(np.argmin(run.history["val_loss"])) + 1
    validation = f"the last {data.validation_images:,} training images, as the source's split"
    told = {"validation": validation, "callbacks": CALLBACKS, "best_epoch": best_epoch}
    prov = runner.provenance(ctx, run, data, RECIPE, loss=f"{name}_crossentropy", **told)
    if how:
        prov["batch_size_study"] = how
    numbers = {f"{name}_run_{k}": v for k, v in (scores | modes).items()}
    numbers |= {"training_time": run.wall_time_s, **(ours or {})}
    metrics = {f"{name}_crossentropy": scores, "two_modes": modes, **(metrics or {})}
    runner.record(ctx, prov, table(name, modes["images"]), numbers, metrics, run, **sections)


def table(name: str, n: int) -> dict:
    """The rows of run ``name``'s record: key -> (the source's number, format[, label]).

    Both have the two rows of ``two_modes`` (on ``n`` images): own training images in
    inference mode (how much it learnt), test images in training mode (whether its inference
    mode lags).
    """
    accuracy = "ch06_binary_run_{}_accuracy" if name == "binary" else "ch06_{}_accuracy"
    rows = {
        f"{name}_run_{key}_accuracy": (source, "percent", accuracy.format(key))
        for key, source in (("binary", BINARY_ACCURACY), ("categorical", None))
    }
    run = phrase(f"ch06_{name}_run")
    for key in ("train_inference_mode", "test_training_mode"):
        rows[f"{name}_run_{key}"] = (None, "percent", phrase(f"ch06_{key}", run=run, n=f"{n:,}"))
    rows["training_time"] = (None, "minutes")
    if name == "binary":
        return rows
    return {
        "params": (1_420_834, "int"),
        "trainable": (1_416_930, "int", "ch06_trainable"),
        **rows,
        "memory_estimate_128": (1.47, "float", "ch06_memory_estimate"),
        "memory_measured_128": (None, "float", "ch06_memory_measured"),
    }


def batch_size_study(sizes):
    """One training step per batch size, each in a fresh Python process (so that earlier
    runs leave no memory behind): the memory it took, beside the source's estimate and ours,
    and the speed. Returns the record's section, how it was measured, and the network the
    estimates are for."""
    raw = []
    for b in sizes:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(b)], capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            print(done.stderr[-2000:])
            raw.append({"batch_size": b, "error": f"exit {done.returncode}"})
        else:
            raw.append(json.loads(done.stdout.strip().splitlines()[-1]))
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
    how = f"memory: one training step per batch size {list(sizes)}, each in a fresh process; "
    return study, how + f"speed: {speed_from}", reference


def speeds(sizes, raw) -> tuple[list[float], str]:
    """Images/s at each batch size, and where they come from: the quiet-machine benchmark
    (``BENCHMARK``) when it has every size, else the study's one timed step each."""
    bench = json.loads(BENCHMARK.read_text(encoding="utf-8")) if BENCHMARK.exists() else {}
    median = {
        r["batch_size"]: r["median"] for r in bench.get("models", []) if r["model"] == "inception"
    }
    if all(b in median for b in sizes):
        return [median[b] for b in sizes], (
            f"benchmarks/train_throughput.py ({bench['images']:,} images, median of "
            f"{len(bench['models'][0]['repeats'])} interleaved epochs, load average "
            f"{bench['load_average_before']} before, {bench['load_average_after']} after; "
            f"{bench['device']}, commit {bench.get('git_commit', 'unknown')})"
        )
    timed = [
        s["batch_size"] / s["seconds_per_step"] if "seconds_per_step" in s else float("nan")
        for s in raw
    ]
    return timed, "one timed training step per batch size (no quiet-machine benchmark yet)"


def two_modes(model, data, n=2_000):
    """Classification accuracy of one network in its two modes, on training and test images.

    Inference mode normalises with BatchNormalization's moving averages and drops nothing;
    training mode uses each batch's own statistics (and dropout). A network that scores on
    training images in training mode but not in inference mode has not failed to generalise:
    its inference mode is what lags. Run it last: a training-mode call updates the averages.
    """
    n = config.samples(n, 64)

    def accuracy(x, labels, training):
        scores = [model(x[i : i + 256], training=training) for i in range(0, len(x), 256)]
        guesses = np.concatenate([keras.ops.convert_to_numpy(s) for s in scores]).argmax(1)
        return float((guesses == labels).mean())

    images = {
        "train": (data.x[:n], data.y[:n].argmax(1)),
        "test": (data.x_test[:n], np.ravel(data.test_labels[:n])),
    }
    keras.utils.set_random_seed(0)  # dropout in training mode
    return {"images": n} | {
        f"{kind}_{mode}_mode": accuracy(*images[kind], training=mode == "training")
        for mode in ("inference", "training")
        for kind in images
    }
