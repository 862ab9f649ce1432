"""Chapter 12: what a convnet learns -- Grad-CAM and filter images of an ImageNet network.

Source 000 visualizes VGG16 with ImageNet weights, which cannot be downloaded here; this
book's ImageNet network is EfficientNet-Lite0 (``companion.pretrained_lite0``): Grad-CAM of
the predicted class on the first cat and dog photos of the validation folder at two layers,
and gradient ascent on the first channels of four layers. Chapter 03's CIFAR-10 network is
the contrast (record ``12-filter-visualization-cifar10``) where its trained weights are cached.
"""

import time

import numpy as np

from book.experiments.common import chapter03_network, note, phrase, row, save, timed
from book.results import provenance
from book.vocabulary import LANGS, word
from companion import config, pretrained_lite0
from companion.data import cats_dogs, cifar10, load_cifar10
from companion.errors import CompanionError
from companion.filters import grad_cam, visualize_filters
from companion.pretrained import decode_predictions
from companion.pretrained_lite0 import CAT_CLASSES, DOG_CLASSES
from companion.visualize import filters_by_layer, grad_cam_grid, shrink_png

CHAPTER = "12-filter-visualization"
FILTER_LAYERS = ["block2b_add", "block4c_add", "block6d_add", "top_activation"]
CAM_LAYERS = {"top_activation": "grad_cam", "block5c_add": "grad_cam_block5c"}
FILTERS = range(8)  # the first 8 channels of each layer, not a hand-picked few
ASCENT = {"size": 128, "steps": 20, "upscaling_steps": 4}
PER_CLASS = 4
SOURCE = {"filters_kept": 234, "filters": 512, "grid": 15, "params": 14_714_688}
CIFAR10_LAYERS = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2"]


def photos():
    """The first ``PER_CLASS`` photos of each class of the validation folder, cats first."""
    folder = cats_dogs.locate() / "validation"
    return [p for cls in ("cats", "dogs") for p in sorted((folder / cls).glob("*.jpg"))[:PER_CLASS]]


def _lit(layers, key):
    """Per layer, the channels with an activation above 0 after the ascent, and their rows."""
    lit = {name: sum(r.activation > 0 for r in res) for name, res in layers.items()}
    return lit, [
        note(f"lit_{name}", f"{lit[name]} / {len(layers[name])}", label=phrase(key, name=name))
        for name in layers
    ]


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    # any input size (gradient ascent grows its image), pixels 0..255 scaled inside
    model = pretrained_lite0.build(input_shape=(None, None, 3), include_preprocessing=True)
    paths = photos()
    pixels = np.concatenate([pretrained_lite0.load_and_crop(p) for p in paths])
    labels = [0] * PER_CLASS + [1] * PER_CLASS
    probabilities = np.asarray(model.predict_on_batch(pixels))
    best = [r[0] for r in decode_predictions(probabilities, top=1)]
    ids = [int(i) for i in probabilities.argmax(axis=1)]
    right = [i in (CAT_CLASSES, DOG_CLASSES)[k] for i, k in zip(ids, labels, strict=True)]

    for layer, figure in CAM_LAYERS.items():
        heatmaps, classes = grad_cam(model, pixels, layer)
        assert [int(c) for c in classes] == ids  # the predicted class, as titled
        for lang in LANGS:
            animals = [word(f"ch12.{('cat', 'dog')[k]}", lang) for k in labels]
            titles = [
                f"{a} → {p.name} {p.probability:.0%}" for a, p in zip(animals, best, strict=True)
            ]
            fig = grad_cam_grid(pixels.clip(0, 255), heatmaps, titles)
            shrink_png(ctx.figure(fig, figure, lang))  # photos: a palette keeps ~150 KB
    cam_seconds = time.perf_counter() - start

    ascent = {**ASCENT, "size": 64} if config.smoke() else ASCENT  # smoke: the plumbing only
    layers, filter_seconds = timed(
        lambda: {name: visualize_filters(model, name, FILTERS, **ascent) for name in FILTER_LAYERS}
    )
    # textures compress badly: a 256-colour palette keeps the figure to a few hundred KB
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=len(FILTERS)), "lite0_filters"))

    ceiling = {name: sum(r.activation >= 6.0 - 1e-3 for r in res) for name, res in layers.items()}
    lit, lit_rows = _lit(layers, "ch12.lit")
    prov = provenance(
        dataset=f"cats_and_dogs_filtered, validation/: the first {PER_CLASS} cat and "
        f"{PER_CLASS} dog photos (central 87.5% crop, bicubic to 224x224)",
        n_train=0,
        n_test=len(paths),
        model=f"EfficientNet-Lite0 with ImageNet weights ({model.count_params():,} parameters)",
        weights=pretrained_lite0.weights_record(),
        grad_cam=f"predicted class, layers {', '.join(CAM_LAYERS)}, {cam_seconds:.0f} s",
        filter_visualization=f"{', '.join(FILTER_LAYERS)}: channels {FILTERS.start}-"
        f"{FILTERS.stop - 1}, {ASCENT['size']}x{ASCENT['size']} px, {ASCENT['steps']} steps x "
        f"{ASCENT['upscaling_steps'] + 1} sizes, {filter_seconds:.0f} s",
    )
    kept = f"{SOURCE['filters_kept']} / {SOURCE['filters']}"
    ceiling_row = f"{ceiling['top_activation']} / {len(layers['top_activation'])}"
    vgg = row(
        "vgg16_filters_kept", None, source=kept, ref="000", fmt="", label="ch12.vgg16_filters_kept"
    )
    comparisons = [
        vgg,
        note("right_species", f"{sum(right)} / {len(right)}", label="ch12.right_species"),
        *lit_rows,
        note("ceiling_top_activation", ceiling_row, label="ch12.ceiling_top_activation"),
    ]
    metrics = {
        "photos": [
            {
                "file": p.name,
                "label": ("cat", "dog")[k],
                "class_id": i,
                "class": b.name,
                "probability": float(b.probability),
                "right_species": ok,
            }
            for p, k, i, b, ok in zip(paths, labels, ids, best, right, strict=True)
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
    }
    save(ctx, prov, comparisons, metrics=metrics)
    cifar10_contrast(ctx)


def cifar10_contrast(ctx):
    """Chapter 03's network layer by layer, where its trained weights are cached (and in smoke
    runs, untrained): ``filters_by_layer.png`` and its own record."""
    try:
        model, chapter03 = chapter03_network(ctx)
    except CompanionError as exc:
        print(f"  chapter 03's network: skipped, record and figure kept ({exc})")
        return
    (_, _), (x_test, y_test) = load_cifar10()
    x_test = x_test.astype("float32") / 255  # chapter 03's network takes pixels in 0..1
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    ascent = dict(size=64, steps=20, upscaling_steps=4, value_range=(0.0, 1.0))
    layers, seconds = timed(
        lambda: {name: visualize_filters(model, name, **ascent) for name in CIFAR10_LAYERS}
    )
    shrink_png(ctx.figure(filters_by_layer(layers, per_layer=8), "filters_by_layer"), scale=0.8)
    lit, lit_rows = _lit(layers, "ch12.lit_filters")
    trained = chapter03["provenance"] if chapter03 else {}
    prov = provenance(
        dataset=cifar10.locate().description,
        n_train=trained.get("n_train", 0),
        n_test=len(x_test),
        model="the chapter-03 CNN (1,250,858 parameters) trained by chapter 03's run "
        "without augmentation",
        filter_visualization=f"{', '.join(CIFAR10_LAYERS)}: every filter, 64x64 px, 20 steps x "
        f"5 sizes, {seconds:.0f} s",
    )
    # The network's training is chapter 03's: its recipe, budget and cuts label this table.
    prov.update({k: trained[k] for k in ("budget", "recipe", "ran", "cuts") if k in trained})
    ran = {k: trained[k] for k in ("git_commit", "date")} if chapter03 else None
    prov["trained_by"] = ran and {"record": "docs/assets/results/03-cifar10-cnn.json", **ran}
    accuracy = float(test_accuracy)
    rows = [note("test_accuracy", accuracy, fmt="percent", label="ch12.cifar_test_accuracy")]
    metrics = {"test_accuracy": accuracy, "filters_with_activation": lit}
    save(ctx, prov, [*rows, *lit_rows], f"{CHAPTER}-cifar10", metrics=metrics)
