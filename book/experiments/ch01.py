"""Chapter 01: Keras basics -- the source's first model, trained the two ways it shows.

Source 004 part 1 sketches a two-layer Sequential model (Dense 64 relu, Dense 10
softmax) compiled with categorical cross-entropy and SGD (learning rate 0.01,
momentum 0.9, Nesterov), trained with ``fit(epochs=5, batch_size=32)`` or batch by
batch with ``train_on_batch``. It reports no numbers. We run that recipe on MNIST
(784 inputs instead of its placeholder 100), once with ``fit`` and once with a
hand-written ``train_on_batch`` loop, and record accuracy and speed on the one
backend installed here (TensorFlow).
"""

import time

import keras
import numpy as np

from book.recipes import Recipe
from book.results import run_provenance
from companion import config
from companion.data import mnist
from companion.train import fit

CHAPTER = "01-keras-basics"
EPOCHS, BATCH = 5, 32
#: The source's recipe, on MNIST (the source trains on a placeholder of 100 inputs): every
#: training image, 5 epochs, batch 32. Two CPU cores run it in under a minute: no budget cuts it.
RECIPE = Recipe(
    source_ref="004",
    train_images=60_000,
    epochs=EPOCHS,
    batch_size=BATCH,
    optimizer="SGD 0.01, momentum 0.9, Nesterov",
    image_size="28x28",
)


def build():
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
        metrics=["accuracy"],
    )
    return model


def run(ctx):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    y_train_1hot, y_test_1hot = (
        keras.utils.to_categorical(y_train, 10),
        keras.utils.to_categorical(y_test, 10),
    )

    config.seed_everything(42)
    model = build()
    run_fit = fit(model, x_train, y_train_1hot, epochs=EPOCHS, batch_size=BATCH, verbose=2)
    fit_loss, fit_accuracy = model.evaluate(x_test, y_test_1hot, batch_size=128, verbose=0)

    # The same recipe by hand: shuffle, slice batches, one train_on_batch call per batch.
    config.seed_everything(42)
    model = build()
    rng = np.random.default_rng(42)
    epochs = config.epochs(EPOCHS)
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            model.train_on_batch(x_train[batch], y_train_1hot[batch])
    loop_s = time.perf_counter() - start
    loop_loss, loop_accuracy = model.evaluate(x_test, y_test_1hot, batch_size=128, verbose=0)

    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run_fit,
            dataset="MNIST",
            n_test=len(x_test),
            recipe=RECIPE,
            budget=ctx.budget,
            train_on_batch_wall_time_s=round(loop_s, 1),
        ),
        "comparisons": [
            {
                "key": "params",
                "label": {"zh": "参数量（784 个输入）", "en": "Parameters (784 inputs)"},
                "source": None,
                "source_ref": "004",
                "ours": model.count_params(),
                "format": "int",
            },
            {
                "key": "fit_accuracy",
                "label": {"zh": "测试准确率：fit", "en": "Test accuracy: fit"},
                "source": None,
                "source_ref": "004",
                "ours": float(fit_accuracy),
                "format": "percent",
            },
            {
                "key": "loop_accuracy",
                "label": {
                    "zh": "测试准确率：train_on_batch 循环",
                    "en": "Test accuracy: train_on_batch loop",
                },
                "source": None,
                "source_ref": "004",
                "ours": float(loop_accuracy),
                "format": "percent",
            },
            {
                "key": "fit_s",
                "label": {"zh": "训练耗时：fit", "en": "Training time: fit"},
                "source": None,
                "source_ref": "004",
                "ours": run_fit.wall_time_s,
                "format": "seconds",
            },
            {
                "key": "loop_s",
                "label": {
                    "zh": "训练耗时：train_on_batch 循环",
                    "en": "Training time: train_on_batch loop",
                },
                "source": None,
                "source_ref": "004",
                "ours": loop_s,
                "format": "seconds",
            },
        ],
        "metrics": {"fit_test_loss": float(fit_loss), "loop_test_loss": float(loop_loss)},
        "history": run_fit.history,
    }
    ctx.record(record)
