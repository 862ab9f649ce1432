"""Chapter 02: the MNIST multilayer perceptron, the source's recipe end to end.

Recipe of source 000: 784-512-512-10 with dropout 0.2, RMSprop (lr 0.001),
categorical cross-entropy, batch 128, 20 epochs. Unlike the source, which
validated on the test set, we hold out the last 10% of the training set for
validation and touch the test set once, at the end.

The trained model is also exported for the page (``assets/models/02-mnist-mlp.onnx``):
the reader draws a digit and this very model reads it, with the chapter's scaling inside
the file (it takes 28x28 pixels 0..255, as MNIST stores them). The trained weights are
kept in the run cache, so that a later export does not have to train again.
"""

import keras

from book.experiments import runner
from book.export import pixel_input_model
from book.recipes import Recipe
from companion import config
from companion.models import build_mlp
from companion.visualize import misclassified_grid, plot_confusion_matrix, plot_history, sample_grid

CHAPTER = "02-mnist-mlp"
# The source trains on all 60,000 images (validating on the test set); we hold out 6,000 of
# them, so even the cpu budget is a reduced run, and its record says so.
RECIPE = Recipe("000", 60_000, 20, 128, "RMSprop, learning rate 1e-3", image_size="28x28")
#: The record's rows: key -> (the source's number, format[, label]).
TABLE = {
    "params": (669_706, "int"),
    "test_accuracy": (0.9821, "percent"),
    "test_loss": (0.10632506377054074, "float"),
    # the sum of the 20 epoch times in its log (7-8 s each)
    "training_time": (148, "seconds", "ch02_training_time"),
}


def run(ctx):
    config.seed_everything(42)
    data = runner.load("mnist", validation=0.1, flat=True)
    ctx.figure(sample_grid(data.pixels, data.labels, rows=4, cols=10), "samples")
    model = build_mlp()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    run = runner.train(ctx, "mlp", model, data, RECIPE)
    scores = runner.evaluate(model, data)
    probabilities = model.predict(data.x_test, verbose=0)
    labels = data.test_labels
    runner.figures(
        ctx,
        lambda lang: {
            "learning_curves": plot_history(run.history, lang),
            "confusion_matrix": plot_confusion_matrix(
                labels, probabilities.argmax(1), data.class_names(lang), lang
            ),
            "mistakes": misclassified_grid(
                data.test_pixels, labels, probabilities, data.class_names(lang), lang
            ),
        },
    )
    web_model = ctx.web_model(
        pixel_input_model(model, (28, 28)),
        CHAPTER,
        data.test_pixels,
        labels,
        reference_accuracy=scores["accuracy"],
    )
    n_val = data.validation_images
    ours = {
        "params": model.count_params(),
        "test_accuracy": scores["accuracy"],
        "test_loss": scores["loss"],
        "training_time": run.wall_time_s,
    }
    runner.record(
        ctx,
        runner.provenance(
            ctx, run, data, RECIPE, validation=f"last 10% of the training set ({n_val:,} images)"
        ),
        runner.rows(TABLE, ours, "000"),
        {
            "test_accuracy": scores["accuracy"],
            "test_loss": scores["loss"],
            "errors": int((probabilities.argmax(1) != labels).sum()),
        },
        run,
        web_model=web_model,
    )
