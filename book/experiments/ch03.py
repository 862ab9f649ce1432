"""Chapter 03: the Keras-example CIFAR-10 CNN, without and with augmentation; save and reload.

Source 000's recipe, trained twice (``RUNS``): on the plain images, and with random shifts
of 0.1 and horizontal flips. The ``cpu`` budget runs the recipe itself; the one cut is that
the last 10% of the training images are held out for validation (the source validated on
the test set). The augmented model is then saved, reloaded and evaluated again.
"""

import tempfile
from pathlib import Path

import keras

from book.experiments import runner
from book.recipes import Recipe
from book.vocabulary import label
from companion import config
from companion.augment import ImageAugmenter
from companion.models import build_cnn
from companion.visualize import class_samples_grid

CHAPTER = "03-cifar10-cnn"
OPTIMIZER = "RMSprop, learning rate 1e-4, decay 1e-6"
RECIPE = Recipe("000", 50_000, 20, 32, OPTIMIZER, "none / shifts of 0.1 and horizontal flips")
#: What source 000 printed for each run (Keras 2.2, GeForce 940M; its "validation" set is
#: the test set): test accuracy, test loss, last training accuracy, and the sum of its 20
#: epoch times (plain 75-122 s each, augmented 68-78 s).
RUNS = {
    "plain": (0.7474, 0.7302, 0.7440, 2035.0),
    "augmented": (0.7230, 0.8004208864212036, 0.6818, 1517.0),
}
ROWS = {"test_accuracy": "percent", "test_loss": "float", "train_accuracy": "percent"}
ROWS["training_time"] = "minutes"
#: The record's rows: key -> (the source's number, format[, label]).
TABLE = {
    "params": (1_250_858, "int"),
    **{
        f"{run}_{key}": (number, fmt, label(key, run=f"ch03_{run}"))
        for run, numbers in RUNS.items()
        for (key, fmt), number in zip(ROWS.items(), numbers, strict=True)
    },
    "reloaded_test_accuracy": (None, "percent", "ch03_reloaded_accuracy"),
}
PROVENANCE = {
    "runs": "two trainings of the same recipe, without and with augmentation (time: each its own "
    "row)",
    "optimizer": "RMSprop, InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6) = Keras 2's "
    "lr=1e-4, decay=1e-6",
    "augmentation": "RandomTranslation(0.1, 0.1, fill_mode='nearest') + RandomFlip('horizontal'), "
    "one seed each",
}


def rmsprop():
    # Keras 2's decay=1e-6 divided the rate by (1 + 1e-6 * step); Keras 3 ignores `decay`,
    # and this schedule is the exact replacement.
    schedule = keras.optimizers.schedules.InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6)
    return keras.optimizers.RMSprop(learning_rate=schedule)


def run(ctx):
    data = runner.load("cifar10", validation=0.1)
    runner.figures(
        ctx,
        lambda lang: {
            "samples": class_samples_grid(data.pixels, data.labels, data.class_names(lang))
        },
    )
    runs, scores, ours = {}, {}, {}
    for name in RUNS:
        config.seed_everything(42)
        augmentation = (
            ImageAugmenter.preset("cifar10_cnn", seed=42) if name == "augmented" else None
        )
        model = runner.compiled(build_cnn(augmentation=augmentation), rmsprop())
        runs[name] = run = runner.train(ctx, name, model, data, RECIPE, what=f"CNN, {name}")
        scores[name] = runner.evaluate(model, data)
        numbers = runner.results(model, run, scores[name])
        numbers["train_accuracy"] = run.history["accuracy"][-1]
        ours |= {f"{name}_{key}": numbers[key] for key in ROWS}

    # save in the Keras 3 format, load it back, evaluate again: the same numbers
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cifar10_cnn.keras"
        model.save(path)
        saved_mb = path.stat().st_size / 1e6
        reloaded = runner.evaluate(keras.models.load_model(path), data)
    runner.figures(
        ctx,
        data=data,
        history={f"ch03_{k}": r.history for k, r in runs.items()},
        probabilities=model.predict(data.x_test, verbose=0),
        extra=["per_class_accuracy", "predictions"],
    )
    ours |= {"params": model.count_params(), "reloaded_test_accuracy": reloaded["accuracy"]}
    resumed = {k: r.resumed_at_epoch for k, r in runs.items()}
    as_list = lambda s: [s["loss"], s["accuracy"]]  # noqa: E731
    runner.record(
        ctx,
        runner.provenance(ctx, runs["plain"], data, RECIPE, **PROVENANCE, resumed=resumed),
        TABLE,
        ours,
        {
            "test_loss_accuracy": {k: as_list(s) for k, s in scores.items()},
            "reloaded_test_loss_accuracy": as_list(reloaded),
            "reload_identical": reloaded == scores["augmented"],
            "saved_model_mb": round(saved_mb, 2),
            "wall_time_s": {k: r.wall_time_s for k, r in runs.items()},
            "training_images_per_s": {
                k: r.images_per_s and round(r.images_per_s, 1) for k, r in runs.items()
            },
        },
        history={k: r.history for k, r in runs.items()},
        epoch_seconds={k: r.epoch_seconds for k, r in runs.items()},
    )
