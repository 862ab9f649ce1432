"""Chapter 04: the 15-convolution CIFAR-10 network of source 002, with augmentation.

Recipe of source 002 (``RECIPE``): fifteen 3x3 convolutions (32-32-32-48-48 / 80 x5 /
128 x5), max pooling and dropout between the stages, GlobalMaxPooling2D, a 500-unit dense
layer; Adam (learning rate 1e-4), batch 128, random rotations of 10 degrees, shifts of 0.2
and horizontal flips, all 50,000 training images; TensorBoard logging; plot_model;
get_config()/from_config().

The source's own numbers disagree on how long it trained (1,600 epochs in its settings,
600 in its fit call, "500" in its prose) and it reports no accuracy at all; the recipe
takes the fit call's 600. The ``cpu`` budget trains 30 of them: one to two hours on two CPU
cores (195-390 images/s, depending on the machine; see the results page's training speeds),
so plan to resume it; the last 10% of the training images are held out for validation.
"""

import tempfile
from pathlib import Path

import keras
import numpy as np

from book.recipes import Budget, Recipe
from book.results import run_provenance
from companion import config
from companion._io import write_bytes
from companion.augment import ImageAugmenter
from companion.data import cifar10
from companion.models import build_deep_cnn
from companion.train import fit
from companion.visualize import (
    plot_confusion_matrix,
    plot_history,
    plot_per_class_accuracy,
    prediction_grid,
)

CHAPTER = "04-deep-cnn"
VALIDATION_SPLIT = 0.1
RECIPE = Recipe(
    source_ref="002",
    train_images=50_000,
    epochs=600,
    batch_size=128,
    optimizer="Adam, learning rate 1e-4",
    augmentation="rotations of 10 degrees, shifts of 0.2, horizontal flips",
)
BUDGETS = {
    "smoke": Budget("smoke", epochs=2),
    "cpu": Budget("cpu", epochs=30),
    "full": Budget("full"),
}

SOURCE = {
    "params": 1_071_542,
    "epochs_settings": 1600,
    "epochs_fit": 600,
    "cpu_epoch_s": 20 * 60,  # "20 min per epoch" on a 6-core i7 MacBook Pro, 50,000 images
}


def run(ctx):
    source = cifar10.locate()
    budget = BUDGETS[ctx.budget]
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n_images = config.samples(budget.images(RECIPE), config.SMOKE_TRAIN_SAMPLES)
    x_train, y_train = x_train[:n_images], y_train[:n_images]
    epochs, batch_size = budget.epochs_for(RECIPE), budget.batch_for(RECIPE)
    x = x_train.astype("float32") / 255
    xt = x_test.astype("float32") / 255
    y = keras.utils.to_categorical(y_train, 10)
    yt = keras.utils.to_categorical(y_test, 10)
    n_val = int(len(x) * VALIDATION_SPLIT)
    ctx.plan(
        RECIPE,
        train_images=len(x) - n_val,
        epochs=epochs,
        batch_size=batch_size,
        validation_images=n_val,
    )

    config.seed_everything(42)
    model = build_deep_cnn(augmentation=ImageAugmenter.preset("cifar10_deep_cnn", seed=42))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )

    with tempfile.TemporaryDirectory() as tmp:
        # the architecture diagram (needs pydot and Graphviz's `dot`)
        diagram = Path(tmp) / "model.png"
        keras.utils.plot_model(
            model, to_file=str(diagram), show_shapes=True, show_layer_names=True, dpi=56
        )
        write_bytes(ctx.figures_dir / "model.png", diagram.read_bytes())
        print(f"  wrote {ctx.figures_dir / 'model.png'}")

        # TensorBoard writes to a scratch folder: the chapter shows which files it makes, and a
        # resumed run starts a new event file (the earlier epochs' events stay with the old one).
        logs = Path(tmp) / "logs"
        tensorboard = keras.callbacks.TensorBoard(log_dir=str(logs))
        run_ = fit(
            model,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=VALIDATION_SPLIT,
            callbacks=[tensorboard],
            verbose=2,
            resume_dir=ctx.runs_dir("deep_cnn"),
            probe=True,
        )
        event_files = sorted(str(p.relative_to(logs)) for p in logs.rglob("events.out.tfevents.*"))

    # one pass over the test set (it costs minutes on a CPU): the loss and accuracy that
    # model.evaluate would report, computed from the predicted probabilities
    probabilities = model.predict(xt, verbose=0)
    predicted = probabilities.argmax(1)
    test_loss = float(
        np.mean(
            keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(yt, probabilities))
        )
    )
    test_accuracy = float((predicted == y_test[:, 0]).mean())

    # get_config()/from_config() rebuild the architecture with fresh weights
    clone = keras.Sequential.from_config(model.get_config())
    fresh_accuracy = float((clone.predict(xt[:100], verbose=0).argmax(1) == y_test[:100, 0]).mean())
    clone.set_weights(model.get_weights())
    same_after_copy = bool(
        np.allclose(clone.predict(xt[:100], verbose=0), probabilities[:100], atol=1e-6)
    )

    for lang in ("zh", "en"):
        names = cifar10.class_names(lang)
        ctx.figure(plot_history(run_.history, lang), "learning_curves", lang)
        ctx.figure(plot_confusion_matrix(y_test, predicted, names, lang), "confusion_matrix", lang)
        ctx.figure(
            plot_per_class_accuracy(y_test, predicted, names, lang), "per_class_accuracy", lang
        )
        ctx.figure(prediction_grid(x_test, y_test, probabilities, names, lang), "predictions", lang)

    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run_,
            dataset=source.description,
            n_test=len(x_test),
            recipe=RECIPE,
            budget=ctx.budget,
            validation_images=n_val,
            lossy_data="JPEG" in source.description,
            recipe_epochs_note=(
                "the source sets 1,600 epochs, fits 600 and writes 500; the recipe takes the fit "
                "call's 600"
            ),
            optimizer="Adam(learning_rate=1e-4)",
            augmentation=(
                "RandomRotation(10/360), RandomTranslation(0.2, 0.2), RandomFlip('horizontal'); "
                "fill_mode='nearest'; one seed per layer"
            ),
        ),
        "comparisons": [
            {
                "key": "params",
                "label": {"zh": "参数量", "en": "Parameters"},
                "source": SOURCE["params"],
                "source_ref": "002",
                "ours": model.count_params(),
                "format": "int",
            },
            {
                "key": "test_accuracy",
                "label": {"zh": "测试准确率", "en": "Test accuracy"},
                "source": None,
                "source_ref": "002",
                "ours": test_accuracy,
                "format": "percent",
            },
            {
                "key": "test_loss",
                "label": {"zh": "测试损失", "en": "Test loss"},
                "source": None,
                "source_ref": "002",
                "ours": test_loss,
                "format": "float",
            },
            {
                "key": "training_time",
                "label": {"zh": "训练时间", "en": "Training time"},
                "source": None,
                "source_ref": "002",
                "ours": run_.wall_time_s,
                "format": "minutes",
            },
            {
                "key": "from_config_fresh_accuracy",
                "label": {
                    "zh": "from_config 重建、尚未复制权重的模型的准确率（前 100 张测试图片）",
                    "en": (
                        "Accuracy of the from_config rebuild before copying weights (first 100 "
                        "test images)"
                    ),
                },
                "source": None,
                "source_ref": "002",
                "ours": fresh_accuracy,
                "format": "percent",
            },
        ],
        "metrics": {
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "tensorboard_event_files": event_files,
            "from_config_fresh_accuracy_100": fresh_accuracy,
            "from_config_same_predictions_after_set_weights": same_after_copy,
        },
        "history": run_.history,
        "epoch_seconds": run_.epoch_seconds,
    }
    ctx.record(record)
