"""Chapter 05: ResNet20 v1 on CIFAR-10 with the source's callbacks.

Two recipes of source 000 (``RECIPES``):

* ``author``: the author's own run -- ResNet20v1, Adam at 1e-3 with the step schedule and
  ReduceLROnPlateau, a checkpoint of the best epoch, per-pixel mean subtraction, random
  shifts of 0.1 and horizontal flips, batch 16, 20 epochs: 78.66% on the test set.
* ``keras_example``: the Keras example's table -- the same for 200 epochs at batch 32
  (learning-rate drops after epochs 80/120/160/180): 92.16%. 200 epochs need a GPU.

The ``cpu`` budget runs the author's recipe at batch 32, the Keras example's own batch
(the author's 16 makes each epoch about a third slower on two CPU cores), then the Keras
example's recipe for 40 epochs with the schedule compressed to them
(:func:`companion.callbacks.compressed_step_decay`: drops after epochs 16/24/32/36); it
resumes where it stopped and has its own record (``05-resnet-keras-example``), as has the
source's ResNet29v2 (``05-resnet-v2``). Unlike the source, which validated and picked its
checkpoint on the test set, we hold out the last 5,000 training images for validation and
evaluate the best checkpoint once on the test set.

The best checkpoint is also exported for the page (``assets/models/05-resnet20.onnx``) with
the chapter's preprocessing inside (scaling and this run's mean image: it takes pixels
0..255), beside a sprite of test images for the reader to pick from
(``assets/widgets/05-cifar10-test-images.png`` and ``.json``).
"""

from types import SimpleNamespace

import keras
import numpy as np

from book.experiments import runner
from book.export import pixel_input_model
from book.recipes import Budget, Recipe
from book.sprite import first_of_each_class
from book.visualize_training import plot_learning_rate
from book.vocabulary import label, word
from companion import config
from companion.callbacks import (
    LearningRateLog,
    compressed_step_decay,
    resnet_callbacks,
    resnet_lr_schedule,
    step_decay,
)
from companion.models import build_resnet_v1, build_resnet_v2, shift_and_flip
from companion.visualize import plot_history

CHAPTER = "05-resnet"
SCHEDULE = "Adam 1e-3, drops after epochs 80/120/160/180, ReduceLROnPlateau(sqrt(0.1), patience 5)"
AUGMENTATION = "shifts of 0.1, horizontal flips; per-pixel mean subtracted"
RECIPES = {
    "author": Recipe("000", 50_000, 20, 16, SCHEDULE, AUGMENTATION),
    "keras_example": Recipe("000", 50_000, 200, 32, SCHEDULE, AUGMENTATION),
}
# The source's own version=2 setting (n=3): ResNet29v2, on the Keras example's recipe.
RECIPES["v2"] = RECIPES["keras_example"]
BUDGETS = {
    "author": {"cpu": Budget("cpu", batch_size=32)},
    # 40 of 200 epochs on two CPU cores (resumable), with the schedule's drops moved to the
    # same fractions of the run (compressed_step_decay).
    "keras_example": {"cpu": Budget("cpu", epochs=40)},
    # ResNet29v2 trains about 2.2 times slower per epoch than ResNet20v1 here: 10 epochs.
    "v2": {"cpu": Budget("cpu", epochs=10)},
}
#: Each run's network, and its name in the records.
NETWORKS = {
    "author": ("ResNet20v1", lambda: build_resnet_v1(20)),
    "keras_example": ("ResNet20v1", lambda: build_resnet_v1(20)),
    "v2": ("ResNet29v2", lambda: build_resnet_v2(29)),
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
        "test_accuracy": (
            0.9216,
            "percent",
            label("test_accuracy", run=runner.phrase("ch05_shifts_flips", model="ResNet20v1")),
        ),
        "test_loss": (None, "float"),
        "training_time": (200 * 35, "minutes", "ch05_example_time"),
    },
    "v2": {
        "params": (None, "int", label("params", run="ch05_resnet29")),
        "test_accuracy": (
            None,
            "percent",
            label("test_accuracy", run=runner.phrase("ch05_shifts_flips", model="ResNet29v2")),
        ),
        "test_loss": (None, "float"),
        "training_time": (None, "minutes"),
    },
}
PROVENANCE = {
    "augmentation": "RandomTranslation(0.1, 0.1, fill_mode='nearest') + RandomFlip('horizontal'), "
    "one seed each",
}
WHAT = "the Keras example's recipe, schedule compressed"
SAMPLES_PER_CLASS = 4  # test images the page offers: the first 4 of each class


def run(ctx):
    config.seed_everything(42)
    data = runner.load("cifar10", validation=(5_000, 400), mean=True)
    author(ctx, data, train(ctx, data, "author"))
    for name in ("keras_example", "v2"):
        compressed(ctx, data, name, train(ctx, data, name))


def train(ctx, data, name):
    """``name``'s network behind the source's shifts and flips, trained with the source's
    callbacks; resumable, its folder keeps the best checkpoint (evaluated on the test set)."""
    model_name, build = NETWORKS[name]
    recipe = RECIPES[name]
    epochs = runner.budget_of(ctx, BUDGETS[name]).epochs_for(recipe)
    schedule = step_decay if name == "author" else compressed_step_decay(epochs, recipe.epochs)
    resnet = build()
    # The source's ImageDataGenerator(width/height_shift_range=0.1, horizontal_flip=True) as layers.
    model = keras.Sequential(
        [keras.Input((32, 32, 3)), shift_and_flip(0.1, seed=42), resnet],
        name="resnet20_v1" if model_name == "ResNet20v1" else model_name.lower(),
    )
    model.compile(
        optimizer=keras.optimizers.Adam(resnet_lr_schedule(0)),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    best = runner.folder(ctx, name) / f"{model_name.lower()}_best.keras"
    log = LearningRateLog()
    # resumed, fit gives the checkpoint and the plateau reducer back their best and count
    what = "the author's recipe" if name == "author" else WHAT
    run = runner.train(
        ctx,
        name,
        model,
        data,
        recipe,
        BUDGETS[name],
        what=f"{model_name}, {what}",
        callbacks=[*resnet_callbacks(best, schedule=schedule), log],
    )
    best_model = keras.models.load_model(best)
    return SimpleNamespace(
        run=run,
        model=best_model,
        network=resnet.name,
        scores=runner.evaluate(best_model, data),
        best_epoch=int(np.argmax(run.history["val_accuracy"])) + 1,
        rates=run.history.get("learning_rate") or log.rates,
        schedule=schedule,
        epochs=epochs,
    )


def provenance(ctx, data, name, result, schedule):
    return runner.provenance(
        ctx,
        result.run,
        data,
        RECIPES[name],
        validation=f"{data.validation_images:,} held-out training images (not the test set)",
        **PROVENANCE,
        model=NETWORKS[name][0],
        schedule=schedule,
        best_epoch=result.best_epoch,
    )


def author(ctx, data, result):
    """The author's own run: figures, the page's model and test images, and its record."""
    # The page's model: the best checkpoint's network behind this run's preprocessing. The
    # augmentation layers in front of it pass images through unchanged outside training, but
    # their random operations would be exported too (and ONNX has none of them).
    web_model = ctx.web_model(
        pixel_input_model(
            result.model.get_layer(result.network), (32, 32, 3), pixel_mean=data.pixel_mean
        ),
        "05-resnet20",
        data.test_pixels,
        data.test_labels,
        reference_accuracy=result.scores["accuracy"],
    )
    ctx.sample_images(
        "05-cifar10-test-images",
        data.test_pixels,
        data.test_labels,
        first_of_each_class(data.test_labels, SAMPLES_PER_CLASS, num_classes=10),
        {lang: data.class_names(lang) for lang in runner.LANGS},
        dataset=data.dataset,
    )
    source_rates = [resnet_lr_schedule(e) for e in range(200)]
    fixed_rates = _compose(step_decay, 200)
    demo_source, demo_fixed = plateau_demo(resnet_lr_schedule), plateau_demo(step_decay)

    def lr_figure(source, fixed, title, lang):
        curves = {word("ch05_lr_source", lang): source, word("ch05_lr_fixed", lang): fixed}
        return plot_learning_rate(curves, lang, word(title, lang))

    runner.figures(
        ctx,
        lambda lang: {
            "lr_schedule": lr_figure(source_rates, fixed_rates, "ch05_lr_recipe", lang),
            "lr_plateau": lr_figure(demo_source, demo_fixed, "ch05_lr_demo", lang),
        },
        data=data,
        history=result.run.history,
        probabilities=result.model.predict(data.x_test, verbose=0),
    )
    schedule = (
        "Adam 1e-3 with step_decay (drops after epochs 80/120/160/180, not reached in 20 "
        "epochs), ReduceLROnPlateau(sqrt(0.1), patience 5), checkpoint of the best val_accuracy"
    )
    ours = {
        "params": result.model.count_params(),
        "test_accuracy_author": result.scores["accuracy"],
        "training_time": result.run.wall_time_s,
    }
    runner.record(
        ctx,
        provenance(ctx, data, "author", result, schedule),
        TABLES["author"],
        ours,
        {
            "test_accuracy": result.scores["accuracy"],
            "test_loss": result.scores["loss"],
            "best_epoch": result.best_epoch,
            "resnet29_v2_params": build_resnet_v2(29).count_params(),
        },
        result.run,
        web_model=web_model,
        learning_rates=result.rates,
        plateau_demo={"source_wiring": demo_source, "corrected": demo_fixed},
    )


def compressed(ctx, data, name, result):
    """The Keras example's 200-epoch recipe, its schedule compressed to the budget's epochs."""
    drops = result.schedule.drops
    runner.figures(
        ctx,
        lambda lang: {
            f"{name}_learning_curves": plot_history(result.run.history, lang),
            f"{name}_lr": plot_learning_rate(
                {word("ch05_lr_used", lang): result.rates}, lang, word("ch05_lr_compressed", lang)
            ),
        },
    )
    schedule = (
        f"Adam 1e-3; the recipe's drops (after epochs 81/121/161/181 of 200) moved to the same "
        f"fractions of {result.epochs} epochs: "
        + ", ".join(f"×{factor:g} after epoch {at}" for at, factor in drops.items())
        + "; ReduceLROnPlateau(sqrt(0.1), patience 5); checkpoint of the best val_accuracy"
    )
    ours = {
        "params": result.model.count_params(),
        "test_accuracy": result.scores["accuracy"],
        "test_loss": result.scores["loss"],
        "training_time": result.run.wall_time_s,
    }
    runner.record(
        ctx,
        provenance(ctx, data, name, result, schedule),
        TABLES[name],
        ours,
        {
            "test_accuracy": result.scores["accuracy"],
            "test_loss": result.scores["loss"],
            "best_epoch": result.best_epoch,
            "drops": {str(at): factor for at, factor in drops.items()},
        },
        result.run,
        stem=f"{CHAPTER}-{name.replace('_', '-')}",
        learning_rates=result.rates,
    )


def plateau_demo(schedule, epochs=6):
    """Learning rates of a tiny run in which ReduceLROnPlateau fires after every epoch."""
    config.seed_everything(0)
    x = np.random.rand(256, 8).astype("float32")
    y = keras.utils.to_categorical(np.random.randint(0, 2, 256), 2)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    log = LearningRateLog()
    # A huge min_delta means "never an improvement": the reducer fires once patience runs out.
    reducer = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=np.sqrt(0.1), patience=1, min_delta=1e9
    )
    scheduler = keras.callbacks.LearningRateScheduler(schedule)
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=[reducer, scheduler, log])
    return log.rates


def _compose(schedule, epochs):
    rate, rates = None, []
    for epoch in range(epochs):
        rate = schedule(epoch, rate)
        rates.append(rate)
    return rates
