"""Chapter 12: what a convnet learns — Grad-CAM and filter images of an ImageNet network.

Source 000 visualizes VGG16's block5_conv1 with ImageNet weights, which cannot be
downloaded here. The ImageNet network of this book is EfficientNet-Lite0 (weights from
the package index, ported to Keras 3: ``companion.pretrained_lite0``). On it:

* Grad-CAM of the predicted ImageNet class on 4 cat and 4 dog photos of the
  cats-vs-dogs validation folder (the first four of each class, which chapter 11 uses
  for validation, never for its test), at the network's last feature map
  (``top_activation``, 7x7) and at an earlier one (``block5c_add``, 14x14);
* gradient ascent on the first 8 channels of an early, a middle and a late block's
  output and of the head's ReLU6 layer, 128x128 px.

Chapter 03's CIFAR-10 network stays as a contrast (a small network on 32x32 images learns
no parts of objects): its layers are visualized, in their own record
``12-filter-visualization-cifar10``, where chapter 03's trained weights are in the cache.
"""

import time

import numpy as np

from book.results import provenance
from companion import config, pretrained_lite0
from companion.data import cats_dogs
from companion.errors import CompanionError
from companion.filters import grad_cam, visualize_filters
from companion.pretrained import decode_predictions
from companion.visualize import filters_by_layer, grad_cam_grid, shrink_png

CHAPTER = "12-filter-visualization"
FILTER_LAYERS = ["block2b_add", "block4c_add", "block6d_add", "top_activation"]
CAM_LAYERS = {"top_activation": "grad_cam", "block5c_add": "grad_cam_block5c"}
FILTERS = range(8)  # the first 8 channels of each layer, not a hand-picked few
ASCENT = {"size": 128, "steps": 20, "upscaling_steps": 4}
PER_CLASS = 4
CATS, DOGS = range(281, 286), range(151, 269)  # ImageNet's cat and dog classes
SOURCE = {"filters_kept": 234, "filters": 512, "grid": 15, "params": 14_714_688}
CLASS_WORDS = {"zh": ("猫", "狗"), "en": ("cat", "dog")}


def photos():
    """The first ``PER_CLASS`` photos of each class of the validation folder, cats first."""
    folder = cats_dogs.locate() / "validation"
    return [p for cls in ("cats", "dogs") for p in sorted((folder / cls).glob("*.jpg"))[:PER_CLASS]]


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    # any input size (gradient ascent grows its image), pixels 0..255 scaled inside
    model = pretrained_lite0.build(input_shape=(None, None, 3), include_preprocessing=True)
    paths = photos()
    pixels = np.concatenate([pretrained_lite0.load_and_crop(p) for p in paths])
    labels = [0] * PER_CLASS + [1] * PER_CLASS
    probabilities = np.asarray(model.predict_on_batch(pixels))
    best = [row[0] for row in decode_predictions(probabilities, top=1)]
    ids = [int(i) for i in probabilities.argmax(axis=1)]
    right = [i in (CATS, DOGS)[label] for i, label in zip(ids, labels, strict=True)]

    cams = {}
    for layer, figure in CAM_LAYERS.items():
        heatmaps, classes = grad_cam(model, pixels, layer)
        assert [int(c) for c in classes] == ids  # the predicted class, as titled
        cams[layer] = heatmaps
        for lang in ("zh", "en"):
            titles = [
                f"{CLASS_WORDS[lang][label]} → {p.name} {p.probability:.0%}"
                for label, p in zip(labels, best, strict=True)
            ]
            fig = grad_cam_grid(pixels.clip(0, 255), heatmaps, titles)
            shrink_png(ctx.figure(fig, figure, lang))  # photos: a palette keeps ~150 KB
    cam_seconds = time.perf_counter() - start

    start = time.perf_counter()
    ascent = {**ASCENT, "size": 64} if config.smoke() else ASCENT  # smoke: the plumbing only
    layers = {
        name: visualize_filters(model, name, filters=FILTERS, **ascent) for name in FILTER_LAYERS
    }
    filter_seconds = time.perf_counter() - start
    # textures compress badly: a 256-colour palette keeps the figure to a few hundred KB
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=len(FILTERS)), "lite0_filters"))

    ceiling = {name: sum(r.activation >= 6.0 - 1e-3 for r in res) for name, res in layers.items()}
    lit = {name: sum(r.activation > 0 for r in res) for name, res in layers.items()}
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=(
                f"cats_and_dogs_filtered, validation/: the first {PER_CLASS} cat and "
                f"{PER_CLASS} dog photos (central 87.5% crop, bicubic to 224x224)"
            ),
            n_train=0,
            n_test=len(paths),
            model=f"EfficientNet-Lite0 with ImageNet weights ({model.count_params():,} parameters)",
            weights=pretrained_lite0.weights_record(),
            grad_cam=f"predicted class, layers {', '.join(CAM_LAYERS)}, {cam_seconds:.0f} s",
            filter_visualization=(
                f"{', '.join(FILTER_LAYERS)}: channels {FILTERS.start}-{FILTERS.stop - 1}, "
                f"{ASCENT['size']}x{ASCENT['size']} px, {ASCENT['steps']} steps x "
                f"{ASCENT['upscaling_steps'] + 1} sizes, {filter_seconds:.0f} s"
            ),
        ),
        "comparisons": [
            {
                "key": "vgg16_filters_kept",
                "label": {
                    "zh": "VGG16 block5_conv1：得到图像的滤波器",
                    "en": "VGG16 block5_conv1: filters with an image",
                },
                "source": f"{SOURCE['filters_kept']} / {SOURCE['filters']}",
                "source_ref": "000",
                "ours": None,
                "format": "",
            },
            {
                "key": "right_species",
                "label": {
                    "zh": "猫狗照片归入本物种 ImageNet 类别的张数",
                    "en": "Photos put in an ImageNet class of their species",
                },
                "source": None,
                "ours": f"{sum(right)} / {len(right)}",
                "format": "",
            },
            *[
                {
                    "key": f"lit_{name}",
                    "label": {
                        "zh": f"`{name}`：梯度上升后激活大于 0 的通道",
                        "en": f"`{name}`: channels with activation > 0 after ascent",
                    },
                    "source": None,
                    "ours": f"{lit[name]} / {len(layers[name])}",
                    "format": "",
                }
                for name in FILTER_LAYERS
            ],
            {
                "key": "ceiling_top_activation",
                "label": {
                    "zh": "`top_activation`：停在 ReLU6 上限 6 的通道",
                    "en": "`top_activation`: channels stopped at ReLU6's ceiling of 6",
                },
                "source": None,
                "ours": f"{ceiling['top_activation']} / {len(layers['top_activation'])}",
                "format": "",
            },
        ],
        "metrics": {
            "photos": [
                {
                    "file": p.name,
                    "label": ("cat", "dog")[label],
                    "class_id": i,
                    "class": b.name,
                    "probability": float(b.probability),
                    "right_species": ok,
                }
                for p, label, i, b, ok in zip(paths, labels, ids, best, right, strict=True)
            ],
            "right_species": int(sum(right)),
            "activation": {
                name: {
                    "start": [round(r.start_activation, 4) for r in res],
                    "end": [round(r.activation, 4) for r in res],
                }
                for name, res in layers.items()
            },
            "channels_with_activation": lit,
            "channels_at_relu6_ceiling": ceiling,
            "grad_cam_seconds": round(cam_seconds, 1),
            "filter_seconds": round(filter_seconds, 1),
        },
    }
    ctx.record(record)
    cifar10_contrast(ctx)


def cifar10_contrast(ctx):
    """Chapter 03's network, layer by layer: what a small CIFAR-10 network learns.

    Runs where chapter 03's trained weights are in the cache (and in smoke runs, on an
    untrained network); writes ``filters_by_layer.png`` and its own record.
    """
    from book.experiments.common import chapter03_network
    from companion.data import cifar10, load_cifar10

    try:
        model, chapter03 = chapter03_network(ctx)
    except CompanionError as exc:
        print(f"  chapter 03's network: skipped, record and figure kept ({exc})")
        return
    names = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2"]
    (_, _), (x_test, y_test) = load_cifar10()
    x_test = x_test.astype("float32") / 255  # chapter 03's network takes pixels in 0..1
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    start = time.perf_counter()
    layers = {
        name: visualize_filters(
            model, name, size=64, steps=20, upscaling_steps=4, value_range=(0.0, 1.0)
        )
        for name in names
    }
    seconds = time.perf_counter() - start
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=8), "filters_by_layer"), scale=0.8)
    lit = {name: sum(r.activation > 0 for r in res) for name, res in layers.items()}
    trained = chapter03["provenance"] if chapter03 else {}
    record = {
        "chapter": CHAPTER,
        "provenance": {
            **provenance(
                dataset=cifar10.locate().description,
                n_train=trained.get("n_train", 0),
                n_test=len(x_test),
                model=(
                    "the chapter-03 CNN (1,250,858 parameters) trained by chapter 03's run "
                    "without augmentation"
                ),
                filter_visualization=(
                    f"{', '.join(names)}: every filter, 64x64 px, 20 steps x 5 sizes, "
                    f"{seconds:.0f} s"
                ),
            ),
            # The network's training is chapter 03's: its recipe, budget and cuts label this table.
            **{k: trained[k] for k in ("budget", "recipe", "ran", "cuts") if k in trained},
            "trained_by": None
            if not chapter03
            else {
                "record": "docs/assets/results/03-cifar10-cnn.json",
                "git_commit": trained["git_commit"],
                "date": trained["date"],
            },
        },
        "comparisons": [
            {
                "key": "test_accuracy",
                "label": {
                    "zh": "第 3 章 CIFAR-10 网络的测试准确率",
                    "en": "Test accuracy of chapter 3's CIFAR-10 network",
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
                for name in names
            ],
        ],
        "metrics": {"test_accuracy": float(test_accuracy), "filters_with_activation": lit},
    }
    ctx.record(record, stem=f"{CHAPTER}-cifar10")
