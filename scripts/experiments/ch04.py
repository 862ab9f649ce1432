"""Chapter 04: the 15-convolution CIFAR-10 network of source 002, with augmentation.

Recipe of source 002: fifteen 3x3 convolutions (32-32-32-48-48 / 80 x5 / 128 x5), max
pooling and dropout between the stages, GlobalMaxPooling2D, a 500-unit dense layer;
Adam (learning rate 1e-4), batch 128, random rotations of 10 degrees, shifts of 0.2 and
horizontal flips; TensorBoard logging; plot_model; get_config()/from_config().

The source's own numbers disagree on how long it trained (1,600 epochs in its settings,
600 in its fit call, "500" in its prose) and it reports no accuracy at all. On a shared
two-core CPU this network trains at a few dozen images per second (the source measured
20 minutes per epoch on a six-core laptop), so this run uses the first ``N_TRAIN``
training images for ``EPOCHS`` epochs and says so; the last 10% of them are held out for
validation.
"""

import tempfile
from pathlib import Path

import keras
import numpy as np

from companion import config
from companion._io import write_bytes
from companion.data import cifar10
from companion.models import build_deep_cnn, shift_and_flip
from companion.results import provenance
from companion.train import fit
from companion.visualize import (
    plot_confusion_matrix,
    plot_history,
    plot_per_class_accuracy,
    prediction_grid,
)

CHAPTER = "04-deep-cnn"
N_TRAIN = 3_000
EPOCHS = 3
BATCH_SIZE = 128

SOURCE = {
    "params": 1_071_542,
    "epochs_settings": 1600,
    "epochs_fit": 600,
    "cpu_epoch_s": 20 * 60,  # "20 min per epoch" on a 6-core i7 MacBook Pro, 50,000 images
}


def run(ctx):
    source = cifar10.locate()
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
    x = x_train.astype("float32") / 255
    xt = x_test.astype("float32") / 255
    y = keras.utils.to_categorical(y_train, 10)
    yt = keras.utils.to_categorical(y_test, 10)

    config.seed_everything(42)
    model = build_deep_cnn(augmentation=shift_and_flip(0.2, rotation_degrees=10, seed=42))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4), loss="categorical_crossentropy",
                  metrics=["accuracy"])

    with tempfile.TemporaryDirectory() as tmp:
        # the architecture diagram (needs pydot and Graphviz's `dot`)
        diagram = Path(tmp) / "model.png"
        keras.utils.plot_model(model, to_file=str(diagram), show_shapes=True, show_layer_names=True, dpi=56)
        write_bytes(ctx.figures_dir / "model.png", diagram.read_bytes())
        print(f"  wrote {ctx.figures_dir / 'model.png'}")

        logs = Path(tmp) / "logs"
        tensorboard = keras.callbacks.TensorBoard(log_dir=str(logs))
        run_ = fit(model, x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_split=0.1,
                   callbacks=[tensorboard], verbose=2)
        event_files = sorted(str(p.relative_to(logs)) for p in logs.rglob("events.out.tfevents.*"))

    # one pass over the test set (it costs minutes on a CPU): the loss and accuracy that
    # model.evaluate would report, computed from the predicted probabilities
    probabilities = model.predict(xt, verbose=0)
    predicted = probabilities.argmax(1)
    test_loss = float(np.mean(keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(yt, probabilities))))
    test_accuracy = float((predicted == y_test[:, 0]).mean())

    # get_config()/from_config() rebuild the architecture with fresh weights
    clone = keras.Sequential.from_config(model.get_config())
    fresh_accuracy = float((clone.predict(xt[:100], verbose=0).argmax(1) == y_test[:100, 0]).mean())
    clone.set_weights(model.get_weights())
    same_after_copy = bool(np.allclose(clone.predict(xt[:100], verbose=0), probabilities[:100], atol=1e-6))

    for lang in ("zh", "en"):
        names = cifar10.class_names(lang)
        ctx.figure(plot_history(run_.history, lang), "learning_curves", lang)
        ctx.figure(plot_confusion_matrix(y_test, predicted, names, lang), "confusion_matrix", lang)
        ctx.figure(plot_per_class_accuracy(y_test, predicted, names, lang), "per_class_accuracy", lang)
        ctx.figure(prediction_grid(x_test, y_test, probabilities, names, lang), "predictions", lang)

    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=source.description,
            n_train=run_.train_samples,
            n_test=len(x_test),
            epochs=run_.epochs,
            batch_size=BATCH_SIZE,
            wall_time_s=run_.wall_time_s,
            images_per_s=round(run_.images_per_s, 1),
            training_images=f"the first {len(x_train):,} training images; the last 10% "
                            f"({len(x_train) - run_.train_samples:,}) held out for validation",
            optimizer="Adam(learning_rate=1e-4)",
            augmentation="RandomRotation(10/360), RandomTranslation(0.2, 0.2), RandomFlip('horizontal'); fill_mode='nearest'",
        ),
        "comparisons": [
            {"key": "params", "label": {"zh": "参数量", "en": "Parameters"},
             "source": SOURCE["params"], "source_ref": "002", "ours": model.count_params(), "format": "int"},
            {"key": "test_accuracy", "label": {"zh": "测试准确率", "en": "Test accuracy"},
             "source": None, "source_ref": "002", "ours": test_accuracy, "format": "percent"},
            {"key": "test_loss", "label": {"zh": "测试损失", "en": "Test loss"},
             "source": None, "source_ref": "002", "ours": test_loss, "format": "float"},
            {"key": "cpu_images_per_s", "label": {"zh": "CPU 上的训练速度（图像/秒）", "en": "Training speed on a CPU (images/s)"},
             "source": round(50_000 / SOURCE["cpu_epoch_s"], 1), "source_ref": "002",
             "ours": round(run_.images_per_s, 1), "format": "float"},
            {"key": "from_config_fresh_accuracy",
             "label": {"zh": "from_config 重建、尚未复制权重的模型的准确率（前 100 张测试图片）",
                       "en": "Accuracy of the from_config rebuild before copying weights (first 100 test images)"},
             "source": None, "source_ref": "002", "ours": fresh_accuracy, "format": "percent"},
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
