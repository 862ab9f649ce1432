"""Chapter 12: what a convnet learns — filter images by gradient ascent, and Grad-CAM.

Source 000 visualizes VGG16's block5_conv1 with ImageNet weights, which cannot be
downloaded here. So this chapter looks inside the book's own CIFAR-10 network: the
chapter-03 model from chapter 03's recorded run under the same budget (its weights are
kept in the cache by that run: run ``--chapter 03`` first), layer by layer, then draws
Grad-CAM heat maps on test images. The VGG16 part runs only where the weights are in the
Keras cache.
"""

import time

import numpy as np

from companion import config
from companion.data import cifar10, load_cifar10
from companion.filters import grad_cam, visualize_filters
from companion.pretrained import weights_path
from companion.results import provenance
from companion.visualize import filter_grid, filters_by_layer, grad_cam_grid, shrink_png
from experiments.common import chapter03_network

CHAPTER = "12-filter-visualization"
LAYERS = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2"]
SOURCE = {"filters_kept": 234, "filters": 512, "grid": 15, "params": 14_714_688}


def run(ctx):
    config.seed_everything(42)
    (_, _), (x_test, y_test) = load_cifar10()
    model, chapter03 = chapter03_network(ctx)
    x_test_f = x_test.astype("float32") / 255  # chapter 03's network takes pixels in 0..1
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    test_loss, test_accuracy = model.evaluate(x_test_f, y_test, verbose=0)

    start = time.perf_counter()
    layers = {
        name: visualize_filters(
            model, name, size=64, steps=20, upscaling_steps=4, value_range=(0.0, 1.0)
        )
        for name in LAYERS
    }
    filter_seconds = time.perf_counter() - start
    # textures compress badly: a 256-colour palette keeps these figures to a few hundred KB
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=8), "filters_by_layer"), scale=0.8)
    shrink_png(ctx.figure(filter_grid(layers["block2_conv2"]), "block2_conv2_grid"), scale=0.8)

    # Grad-CAM on the first two test images of each of four classes, correct or not
    picks = np.concatenate([np.flatnonzero(y_test.ravel() == c)[:2] for c in (0, 1, 3, 7)])
    heatmaps, predicted = grad_cam(model, x_test_f[picks], "block2_conv2")
    for lang in ("zh", "en"):
        names = cifar10.class_names(lang)
        arrow = " → " if lang == "en" else "→"
        titles = [
            f"{names[int(t)]}{arrow}{names[int(p)]}"
            for t, p in zip(y_test[picks].ravel(), predicted, strict=True)
        ]
        ctx.figure(grad_cam_grid(x_test[picks], heatmaps, titles), "grad_cam", lang)

    gains = {
        name: float(np.median([r.activation - r.start_activation for r in res]))
        for name, res in layers.items()
    }
    lit = {name: sum(r.activation > 0 for r in res) for name, res in layers.items()}
    vgg_present = weights_path("vgg16", include_top=False).exists()
    record = {
        "chapter": CHAPTER,
        "provenance": {
            **provenance(
                dataset=cifar10.locate().description,
                n_train=0 if chapter03 is None else chapter03["provenance"]["n_train"],
                n_test=len(x_test),
                model=(
                    "the chapter-03 CNN (1,250,858 parameters) trained by chapter 03's run "
                    "without augmentation"
                ),
                filter_visualization=(
                    f"{', '.join(LAYERS)}: every filter, 64x64 px, 20 steps x 5 sizes, "
                    f"{filter_seconds:.0f} s"
                ),
            ),
            # The network's training is chapter 03's: its recipe, budget and cuts label this table.
            **(
                {}
                if chapter03 is None
                else {
                    k: chapter03["provenance"][k]
                    for k in ("budget", "recipe", "ran", "cuts")
                    if k in chapter03["provenance"]
                }
            ),
            "trained_by": None
            if chapter03 is None
            else {
                "record": "docs/assets/results/03-cifar10-cnn.json",
                "git_commit": chapter03["provenance"]["git_commit"],
                "date": chapter03["provenance"]["date"],
            },
        },
        "comparisons": [
            {
                "key": "vgg16_filters_kept",
                "label": {
                    "zh": "VGG16 block5_conv1：得到图像的滤波器",
                    "en": "VGG16 block5_conv1: filters with an image",
                },
                "source": f"{SOURCE['filters_kept']} / {SOURCE['filters']}",
                "source_ref": "000",
                "ours": None if not vgg_present else "see chapter",
                "format": "",
            },
            {
                "key": "test_accuracy",
                "label": {
                    "zh": "本章 CIFAR-10 网络的测试准确率",
                    "en": "Test accuracy of this chapter's CIFAR-10 network",
                },
                "source": None,
                "ours": float(test_accuracy),
                "format": "percent",
            },
            *[
                {
                    "key": f"lit_{name}",
                    "label": {
                        "zh": f"`{name}`：激活大于 0 的滤波器",
                        "en": f"`{name}`: filters with activation > 0",
                    },
                    "source": None,
                    "ours": f"{lit[name]} / {len(layers[name])}",
                    "format": "",
                }
                for name in LAYERS
            ],
        ],
        "metrics": {
            "test_accuracy": float(test_accuracy),
            "test_loss": float(test_loss),
            "median_activation_gain": gains,
            "filters_with_activation": lit,
            "vgg16_weights_present": vgg_present,
        },
    }
    ctx.record(record)
