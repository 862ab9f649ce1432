"""Chapter 05: ResNet on CIFAR-10 with the source's callbacks, on three recipes (``RECIPES``).

* ``author``: source 000's own run -- ResNet20v1, Adam 1e-3 with the step schedule and
  ReduceLROnPlateau, the best epoch's checkpoint, per-pixel mean subtracted, shifts of 0.1
  and horizontal flips, batch 16, 20 epochs (the ``cpu`` budget: batch 32). Its network is
  exported for the page (``assets/models/05-resnet20.onnx``, preprocessing inside) beside a
  sprite of test images (``assets/widgets/05-cifar10-test-images``).
* ``keras_example``: the Keras example's 200 epochs at batch 32; ``v2``: the source's
  ResNet29v2 on it. The ``cpu`` budget trains 40 and 10 epochs, the schedule's drops moved
  to the same fractions of the run (:func:`companion.callbacks.compressed_step_decay`).

The last 5,000 training images are held out for validation and the checkpoint (the source
picked it on the test set); the best checkpoint is evaluated once on the test set.
"""

from itertools import accumulate

import keras
import numpy as np

from book.experiments import runner
from book.export import pixel_input_model
from book.recipes import Budget, Recipe
from book.sprite import first_of_each_class
from book.visualize_training import plot_learning_rate
from book.vocabulary import label, word
from companion import callbacks, config
from companion.augment import ImageAugmenter
from companion.models import build_resnet_v1, build_resnet_v2
from companion.visualize import plot_history

CHAPTER = "05-resnet"
SCHEDULE = "Adam 1e-3, drops after epochs 80/120/160/180, ReduceLROnPlateau(sqrt(0.1), patience 5)"
AUGMENTATION = "shifts of 0.1, horizontal flips; per-pixel mean subtracted"
RECIPES = {
    "author": Recipe("000", 50_000, 20, 16, SCHEDULE, AUGMENTATION),
    "keras_example": Recipe("000", 50_000, 200, 32, SCHEDULE, AUGMENTATION),
}
RECIPES["v2"] = RECIPES["keras_example"]  # the source's own version=2 setting (n=3)
BUDGETS = {
    "author": {"cpu": Budget("cpu", batch_size=32)},  # the author's 16 is a third slower here
    "keras_example": {"cpu": Budget("cpu", epochs=40)},
    "v2": {"cpu": Budget("cpu", epochs=10)},  # ResNet29v2 is ~2.2 times slower per epoch
}
#: Each run's network, its name in the records, and the run in the printed plan.
COMPRESSED = "the Keras example's recipe, schedule compressed"
NETWORKS = {
    "author": ("ResNet20v1", lambda: build_resnet_v1(20), "the author's recipe"),
    "keras_example": ("ResNet20v1", lambda: build_resnet_v1(20), COMPRESSED),
    "v2": ("ResNet29v2", lambda: build_resnet_v2(29), COMPRESSED),
}
#: The records' rows: key -> (the source's number, format[, label]). The author's time is
#: the sum of the 20 epoch times its log prints (259-348 s each); the Keras example's is
#: its 200 epochs at 35 s on a GTX 1080 Ti.
TABLES = {
    "author": {
        "params": (274_442, "int", label("params", run="ch05_resnet20")),
        "test_accuracy_author": (0.7866, "percent", "ch05_author_accuracy"),
        "training_time": (5427.0, "minutes", "ch05_author_time"),
    },
    "keras_example": {
        "params": (274_442, "int", label("params", run="ch05_resnet20")),
        "test_accuracy": (0.9216, "percent", label("test_accuracy", run="ch05_resnet20_shifts")),
        "test_loss": (None, "float"),
        "training_time": (200 * 35, "minutes", "ch05_example_time"),
    },
    "v2": {
        "params": (None, "int", label("params", run="ch05_resnet29")),
        "test_accuracy": (None, "percent", label("test_accuracy", run="ch05_resnet29_shifts")),
        "test_loss": (None, "float"),
        "training_time": (None, "minutes"),
    },
}
#: How the source's augmentation is done here (the records' provenance).
LAYERS = (
    "RandomTranslation(0.1, 0.1, fill_mode='nearest') + RandomFlip('horizontal'), one seed each"
)
AUTHOR_SCHEDULE = (
    "Adam 1e-3 with step_decay (drops after epochs 80/120/160/180, not reached in 20 epochs), "
    "ReduceLROnPlateau(sqrt(0.1), patience 5), checkpoint of the best val_accuracy"
)
VALIDATION = "held-out training images (not the test set)"
SAMPLES_PER_CLASS = 4  # test images the page offers: the first 4 of each class


def run(ctx):
    """Each recipe: train ``NETWORKS[name]`` with the source's callbacks (resumable, keeping
    the best checkpoint), evaluate that checkpoint on the test set, draw and record it."""
    config.seed_everything(42)
    data = runner.load("cifar10", validation=(5_000, 400), mean=True)
    shared = {"validation": f"{data.validation_images:,} {VALIDATION}", "augmentation": LAYERS}
    for name, recipe in RECIPES.items():
        model_name, build, what = NETWORKS[name]
        epochs = runner.budget_of(ctx, BUDGETS[name]).epochs_for(recipe)
        schedule = callbacks.step_decay  # the author's 20 epochs reach none of its drops
        if name != "author":
            schedule = callbacks.compressed_step_decay(epochs, recipe.epochs)
        resnet = build()
        network = "resnet20_v1" if model_name == "ResNet20v1" else model_name.lower()
        # The source's ImageDataGenerator(width/height_shift_range=0.1, horizontal_flip=True)
        # as layers in front of the network.
        augment = ImageAugmenter.preset("cifar10_cnn", seed=42)
        model = keras.Sequential([keras.Input((32, 32, 3)), augment, resnet], name=network)
        runner.compiled(model, keras.optimizers.Adam(callbacks.resnet_lr_schedule(0)))
        best = runner.folder(ctx, name) / f"{model_name.lower()}_best.keras"
        log = callbacks.LearningRateLog()
        # resumed, fit gives the checkpoint and the plateau reducer back their best and count
        fit_callbacks = [*callbacks.resnet_callbacks(best, schedule=schedule), log]
        what = f"{model_name}, {what}"
        run = runner.train(
            ctx, name, model, data, recipe, BUDGETS[name], what=what, callbacks=fit_callbacks
        )
        model = keras.models.load_model(best)
        scores = runner.evaluate(model, data)
        epoch = int(np.argmax(run.history["val_accuracy"])) + 1  # the best
        rates = run.history.get("learning_rate") or log.rates
        if name == "author":
            text, metrics, sections = author(ctx, data, model, run, scores, rates)
        else:
            text, metrics, sections = compressed(ctx, name, run, rates, schedule, epochs)
        prov = runner.provenance(
            ctx, run, data, recipe, **shared, model=model_name, schedule=text, best_epoch=epoch
        )
        ours = runner.results(model, run, scores) | {"test_accuracy_author": scores["accuracy"]}
        tested = {"test_accuracy": scores["accuracy"], "test_loss": scores["loss"]}
        metrics = tested | {"best_epoch": epoch, **metrics}
        stem = None if name == "author" else f"{CHAPTER}-{name.replace('_', '-')}"
        runner.record(ctx, prov, TABLES[name], ours, metrics, run, stem=stem, **sections)


def author(ctx, data, model, run, scores, rates):
    """The author's run: the page's model and test images, the figures of its schedule.
    Returns its schedule, its metrics and its record's own sections."""
    # The page's model: the best checkpoint's network (its last layer) behind this run's
    # preprocessing. The augmentation layers in front of it pass images through unchanged
    # outside training, but their random operations would be exported too (ONNX has none).
    web = pixel_input_model(model.layers[-1], (32, 32, 3), pixel_mean=data.pixel_mean)
    test = (data.test_pixels, data.test_labels)
    web_model = ctx.web_model(web, "05-resnet20", *test, reference_accuracy=scores["accuracy"])
    offered = first_of_each_class(data.test_labels, SAMPLES_PER_CLASS, num_classes=10)
    names = {lang: data.class_names(lang) for lang in runner.LANGS}
    ctx.sample_images("05-cifar10-test-images", *test, offered, names, dataset=data.dataset)
    # the recipe's 200 epochs: the source's rates, and step_decay's (1e-3, then each from the last)
    source = [callbacks.resnet_lr_schedule(e) for e in range(200)]
    fixed = list(accumulate(range(1, 200), lambda lr, e: callbacks.step_decay(e, lr), initial=1e-3))
    demo = {
        "source_wiring": plateau_demo(callbacks.resnet_lr_schedule),
        "corrected": plateau_demo(callbacks.step_decay),
    }

    def lr_figure(source, fixed, title, lang):
        curves = {word("ch05_lr_source", lang): source, word("ch05_lr_fixed", lang): fixed}
        return plot_learning_rate(curves, lang, word(title, lang))

    runner.figures(
        ctx,
        lambda lang: {
            "lr_schedule": lr_figure(source, fixed, "ch05_lr_recipe", lang),
            "lr_plateau": lr_figure(*demo.values(), "ch05_lr_demo", lang),
        },
        data=data,
        history=run.history,
        probabilities=model.predict(data.x_test, verbose=0),
    )
    metrics = {"resnet29_v2_params": build_resnet_v2(29).count_params()}
    sections = {"web_model": web_model, "learning_rates": rates, "plateau_demo": demo}
    return AUTHOR_SCHEDULE, metrics, sections


def compressed(ctx, name, run, rates, schedule, epochs):
    """A run of the Keras example's recipe: its figures, its compressed schedule (returned
    with its metrics and its record's own sections)."""
    runner.figures(
        ctx,
        lambda lang: {
            f"{name}_learning_curves": plot_history(run.history, lang),
            f"{name}_lr": plot_learning_rate(
                {word("ch05_lr_used", lang): rates}, lang, word("ch05_lr_compressed", lang)
            ),
        },
    )
    drops = schedule.drops
    described = (
        f"Adam 1e-3; the recipe's drops (after epochs 81/121/161/181 of 200) moved to the same "
        f"fractions of {epochs} epochs: "
        + ", ".join(f"×{factor:g} after epoch {at}" for at, factor in drops.items())
        + "; ReduceLROnPlateau(sqrt(0.1), patience 5); checkpoint of the best val_accuracy"
    )
    metrics = {"drops": {str(at): factor for at, factor in drops.items()}}
    return described, metrics, {"learning_rates": rates}


def plateau_demo(schedule, epochs=6):
    """Learning rates of a tiny run in which ReduceLROnPlateau fires after every epoch."""
    config.seed_everything(0)
    x = np.random.rand(256, 8).astype("float32")
    y = keras.utils.to_categorical(np.random.randint(0, 2, 256), 2)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    log = callbacks.LearningRateLog()
    # A huge min_delta means "never an improvement": the reducer fires once patience runs out.
    reducer = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=np.sqrt(0.1), patience=1, min_delta=1e9
    )
    scheduler = keras.callbacks.LearningRateScheduler(schedule)
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=[reducer, scheduler, log])
    return log.rates
