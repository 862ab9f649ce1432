"""Chapter 02: the MNIST multilayer perceptron of source 000, its recipe end to end.

784-512-512-10 with dropout 0.2, RMSprop (learning rate 1e-3), batch 128, 20 epochs. Unlike
the source, which validated on the test set, we hold out the last 10% of the training
images. The trained model is exported for the page (``assets/models/02-mnist-mlp.onnx``,
scaling inside: it takes 28x28 pixels 0..255), where the reader's drawings go to it.
"""

import keras

from book.experiments import runner
from book.export import pixel_input_model
from book.recipes import Recipe
from companion import config
from companion.models import build_mlp
from companion.visualize import sample_grid

CHAPTER = "02-mnist-mlp"
#: The source trains on all 60,000 images; we hold out 6,000 of them, so even the cpu
#: budget is a reduced run, and its record says so.
RECIPE = Recipe("000", 60_000, 20, 128, "RMSprop, learning rate 1e-3", image_size="28x28")
#: The record's rows: key -> (the source's number, format[, label]); the source's time is
#: the sum of the 20 epoch times in its log (7-8 s each).
TABLE = {
    "params": (669_706, "int"),
    "test_accuracy": (0.9821, "percent"),
    "test_loss": (0.10632506377054074, "float"),
    "training_time": (148, "seconds", "ch02_training_time"),
}


def run(ctx):
    config.seed_everything(42)
    data = runner.load("mnist", validation=0.1, flat=True)
    ctx.figure(sample_grid(data.pixels, data.labels, rows=4, cols=10), "samples")
    model = runner.compiled(build_mlp(), keras.optimizers.RMSprop(learning_rate=1e-3))
    run = runner.train(ctx, "mlp", model, data, RECIPE)
    scores = runner.evaluate(model, data)
    probabilities = model.predict(data.x_test, verbose=0)
    runner.figures(
        ctx, data=data, history=run.history, probabilities=probabilities, extra=["mistakes"]
    )
    pixels_in = pixel_input_model(model, (28, 28))
    web_model = ctx.web_model(
        pixels_in,
        CHAPTER,
        data.test_pixels,
        data.test_labels,
        reference_accuracy=scores["accuracy"],
    )
    validation = f"last 10% of the training set ({data.validation_images:,} images)"
    runner.record(
        ctx,
        runner.provenance(ctx, run, data, RECIPE, validation=validation),
        TABLE,
        runner.results(model, run, scores),
        {
            "test_accuracy": scores["accuracy"],
            "test_loss": scores["loss"],
            "errors": int((probabilities.argmax(1) != data.test_labels).sum()),
        },
        run,
        web_model=web_model,
    )
