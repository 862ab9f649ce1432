"""Chapter 12: what a convnet learns — filter images by gradient ascent, and Grad-CAM.

Source 000 visualizes VGG16's block5_conv1 with ImageNet weights, which cannot be
downloaded here. So this run trains the book's own CIFAR-10 network (the chapter 03
architecture: conv32-conv32-pool-conv64-conv64-pool-dense512, dropouts) for a few
epochs on CPU and looks inside it layer by layer, then draws Grad-CAM heat maps on
test images. The VGG16 part runs only where the weights are in the Keras cache.
"""

import time

import keras
import numpy as np

from companion import config
from companion.data import cifar10, load_cifar10
from companion.filters import grad_cam, visualize_filters
from companion.pretrained import weights_path
from companion.results import run_provenance
from companion.train import fit
from companion.visualize import filter_grid, filters_by_layer, grad_cam_grid, shrink_png

CHAPTER = "12-filter-visualization"
N_TRAIN = 12_000  # of the 30,000 in the developers' copy: what two shared CPU cores train in about 15 minutes
EPOCHS = 5
BATCH = 64
LAYERS = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2"]
SOURCE = {"filters_kept": 234, "filters": 512, "grid": 15, "params": 14_714_688}


def build_cifar_cnn():
    """The chapter 03 network, taking raw 0..255 pixels (the rescaling is its first layer)."""
    layers = [keras.Input(shape=(32, 32, 3)), keras.layers.Rescaling(1 / 255, name="rescale")]
    for block, filters in ((1, 32), (2, 64)):
        layers += [
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv1"),
            keras.layers.Conv2D(filters, 3, activation="relu", name=f"block{block}_conv2"),
            keras.layers.MaxPooling2D(2, name=f"block{block}_pool"),
            keras.layers.Dropout(0.25, name=f"block{block}_dropout"),
        ]
    layers += [
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(512, activation="relu", name="dense"),
        keras.layers.Dropout(0.5, name="dense_dropout"),
        keras.layers.Dense(10, activation="softmax", name="probabilities"),
    ]
    return keras.Sequential(layers, name="cifar10_cnn")


def run(ctx):
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = load_cifar10()
    x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
    model = build_cifar_cnn()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    run = fit(model, x_train, y_train, epochs=EPOCHS, batch_size=BATCH, validation_split=0.1, verbose=2)
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)

    start = time.perf_counter()
    layers = {name: visualize_filters(model, name, size=64, steps=20, upscaling_steps=4) for name in LAYERS}
    filter_seconds = time.perf_counter() - start
    # textures compress badly: a 256-colour palette keeps these figures to a few hundred KB
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=8), "filters_by_layer"), scale=0.8)
    shrink_png(ctx.figure(filter_grid(layers["block2_conv2"]), "block2_conv2_grid"), scale=0.8)

    # Grad-CAM on the first two test images of each of four classes, correct or not
    picks = np.concatenate([np.flatnonzero(y_test.ravel() == c)[:2] for c in (0, 1, 3, 7)])
    heatmaps, predicted = grad_cam(model, x_test[picks], "block2_conv2")
    for lang in ("zh", "en"):
        names = cifar10.class_names(lang)
        arrow = " → " if lang == "en" else "→"
        titles = [f"{names[int(t)]}{arrow}{names[int(p)]}" for t, p in zip(y_test[picks].ravel(), predicted)]
        ctx.figure(grad_cam_grid(x_test[picks], heatmaps, titles), "grad_cam", lang)

    gains = {name: float(np.median([r.activation - r.start_activation for r in res])) for name, res in layers.items()}
    lit = {name: sum(r.activation > 0 for r in res) for name, res in layers.items()}
    vgg_present = weights_path("vgg16", include_top=False).exists()
    record = {
        "chapter": CHAPTER,
        "provenance": run_provenance(
            run,
            dataset=cifar10.locate().description,
            n_test=len(x_test),
            model="the chapter 03 CNN (1,250,858 parameters), Adam 1e-3, no augmentation",
            validation=f"last 10% of the {len(x_train):,} training images",
            filter_visualization=f"{', '.join(LAYERS)}: every filter, 64x64 px, 20 steps x 5 sizes, "
                                 f"{filter_seconds:.0f} s",
        ),
        "comparisons": [
            {"key": "vgg16_filters_kept", "label": {"zh": "VGG16 block5_conv1：得到图像的滤波器",
                                                     "en": "VGG16 block5_conv1: filters with an image"},
             "source": f"{SOURCE['filters_kept']} / {SOURCE['filters']}", "source_ref": "000",
             "ours": None if not vgg_present else "see chapter", "format": ""},
            {"key": "test_accuracy", "label": {"zh": "本章 CIFAR-10 网络的测试准确率",
                                                "en": "Test accuracy of this chapter's CIFAR-10 network"},
             "source": None, "ours": float(test_accuracy), "format": "percent"},
            *[{"key": f"lit_{name}", "label": {"zh": f"`{name}`：激活大于 0 的滤波器", "en": f"`{name}`: filters with activation > 0"},
               "source": None, "ours": f"{lit[name]} / {len(layers[name])}", "format": ""} for name in LAYERS],
        ],
        "metrics": {"test_accuracy": float(test_accuracy), "test_loss": float(test_loss),
                    "median_activation_gain": gains, "filters_with_activation": lit,
                    "vgg16_weights_present": vgg_present},
        "history": run.history,
        "epoch_seconds": run.epoch_seconds,
    }
    ctx.record(record)
