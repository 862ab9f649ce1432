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

from book.export import pixel_input_model
from book.recipes import Recipe
from book.results import run_provenance
from companion import config
from companion.data import mnist
from companion.models import build_mlp
from companion.train import fit
from companion.visualize import misclassified_grid, plot_confusion_matrix, plot_history, sample_grid

CHAPTER = "02-mnist-mlp"
# The source trains on all 60,000 images (validating on the test set); we hold out 6,000 of
# them, so even the cpu budget is a reduced run, and its record says so.
RECIPE = Recipe(
    source_ref="000",
    train_images=60_000,
    epochs=20,
    batch_size=128,
    optimizer="RMSprop, learning rate 1e-3",
    image_size="28x28",
)
SOURCE = {
    "params": 669_706,
    "test_accuracy": 0.9821,
    "test_loss": 0.10632506377054074,
    "training_s": 148,  # the sum of the 20 epoch times in its log (7-8 s each)
}


def run(ctx):
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    test_pixels = x_test  # uint8, 28x28: what the page's drawing pad hands the exported model
    ctx.figure(sample_grid(x_train, y_train, rows=4, cols=10), "samples")

    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    y_train_1hot = keras.utils.to_categorical(y_train, 10)
    y_test_1hot = keras.utils.to_categorical(y_test, 10)

    model = build_mlp()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    run = fit(
        model,
        x_train,
        y_train_1hot,
        epochs=20,
        batch_size=128,
        validation_split=0.1,
        verbose=2,
        resume_dir=ctx.runs_dir("mlp"),
    )
    test_loss, test_accuracy = model.evaluate(x_test, y_test_1hot, verbose=0)
    probabilities = model.predict(x_test, verbose=0)

    names = mnist.CLASS_NAMES
    for lang in ("zh", "en"):
        ctx.figure(plot_history(run.history, lang), "learning_curves", lang)
        ctx.figure(
            plot_confusion_matrix(y_test, probabilities.argmax(1), names, lang),
            "confusion_matrix",
            lang,
        )
        ctx.figure(
            misclassified_grid(x_test.reshape(-1, 28, 28), y_test, probabilities, names, lang),
            "mistakes",
            lang,
        )

    web_model = ctx.web_model(
        pixel_input_model(model, (28, 28)),
        CHAPTER,
        test_pixels,
        y_test,
        reference_accuracy=float(test_accuracy),
    )

    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run,
            dataset="MNIST",
            n_test=len(x_test),
            recipe=RECIPE,
            budget=ctx.budget,
            validation_images=len(x_train) - run.train_samples,
            validation=(
                f"last 10% of the training set ({len(x_train) - run.train_samples:,} images)"
            ),
        ),
        "comparisons": [
            {
                "key": "params",
                "label": {"zh": "参数量", "en": "Parameters"},
                "source": SOURCE["params"],
                "source_ref": "000",
                "ours": model.count_params(),
                "format": "int",
            },
            {
                "key": "test_accuracy",
                "label": {"zh": "测试准确率", "en": "Test accuracy"},
                "source": SOURCE["test_accuracy"],
                "source_ref": "000",
                "ours": float(test_accuracy),
                "format": "percent",
            },
            {
                "key": "test_loss",
                "label": {"zh": "测试损失", "en": "Test loss"},
                "source": SOURCE["test_loss"],
                "source_ref": "000",
                "ours": float(test_loss),
                "format": "float",
            },
            {
                "key": "training_time",
                "label": {
                    "zh": "训练时间（原文：日志里 20 轮耗时之和）",
                    "en": "Training time (source: its log's 20 epoch times, summed)",
                },
                "source": SOURCE["training_s"],
                "source_ref": "000",
                "ours": run.wall_time_s,
                "format": "seconds",
            },
        ],
        "metrics": {
            "test_accuracy": float(test_accuracy),
            "test_loss": float(test_loss),
            "errors": int((probabilities.argmax(1) != y_test).sum()),
        },
        "web_model": web_model,
        "history": run.history,
        "epoch_seconds": run.epoch_seconds,
    }
    ctx.record(record)
