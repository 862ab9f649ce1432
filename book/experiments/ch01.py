"""Chapter 01: Keras basics -- the source's first model, trained the two ways it shows.

Source 004 sketches Dense 64 relu -> Dense 10 softmax, categorical cross-entropy, SGD 0.01
with Nesterov momentum 0.9, ``fit(epochs=5, batch_size=32)`` or ``train_on_batch``, and
reports no numbers. We run it on MNIST (784 inputs for its placeholder 100) both ways: with
``fit``, and with a hand-written ``train_on_batch`` loop.
"""

import time

import keras
import numpy as np

from book.experiments import runner
from book.recipes import Recipe
from companion import config
from companion.train import fit

CHAPTER = "01-keras-basics"
#: Every training image, 5 epochs, batch 32: two CPU cores run it in under a minute, so no
#: budget cuts it (and neither run is resumable: the two times are compared).
RECIPE = Recipe("004", 60_000, 5, 32, "SGD 0.01, momentum 0.9, Nesterov", image_size="28x28")
#: The record's rows: key -> (the source's number, format, label). The source reports none.
TABLE = {
    "params": (None, "int", "ch01_params"),
    "fit_accuracy": (None, "percent", "ch01_fit_accuracy"),
    "loop_accuracy": (None, "percent", "ch01_loop_accuracy"),
    "fit_s": (None, "seconds", "ch01_fit_s"),
    "loop_s": (None, "seconds", "ch01_loop_s"),
}


def build():
    config.seed_everything(42)
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
    return runner.compiled(model, sgd)


def run(ctx):
    data = runner.load("mnist", flat=True)
    epochs, batch = RECIPE.epochs, RECIPE.batch_size
    model = build()
    run_fit = fit(model, data.x, data.y, epochs=epochs, batch_size=batch, verbose=2)
    fit_scores = runner.evaluate(model, data, batch_size=128)

    # The same recipe by hand: shuffle, slice batches, one train_on_batch call per batch.
    model = build()
    rng = np.random.default_rng(42)
    start = time.perf_counter()
    for _ in range(config.epochs(epochs)):
        order = rng.permutation(len(data.x))
        for i in range(0, len(order), batch):
            model.train_on_batch(data.x[order[i : i + batch]], data.y[order[i : i + batch]])
    loop_s = time.perf_counter() - start
    loop_scores = runner.evaluate(model, data, batch_size=128)

    ours = {
        "params": model.count_params(),
        "fit_accuracy": fit_scores["accuracy"],
        "loop_accuracy": loop_scores["accuracy"],
        "fit_s": run_fit.wall_time_s,
        "loop_s": loop_s,
    }
    runner.record(
        ctx,
        runner.provenance(ctx, run_fit, data, RECIPE, train_on_batch_wall_time_s=round(loop_s, 1)),
        TABLE,
        ours,
        {"fit_test_loss": fit_scores["loss"], "loop_test_loss": loop_scores["loss"]},
        history=run_fit.history,
    )
