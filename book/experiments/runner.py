"""The path a trained chapter takes: load -> prepare -> fit (resumable) -> evaluate -> record.

A chapter states its recipe, budgets and the source's numbers as data, builds its model and
calls these steps; what only it does (a second way to train, a batch-size study) stays in
its module. :func:`load` gives a prepared :class:`Data`; :func:`train` prints the budget's
plan and fits resumably; :func:`record` writes the record with the rows of a ``TABLE``;
:func:`figures` draws a classifier's figures in both languages.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from book import vocabulary
from book.experiments import common
from book.recipes import Budget
from book.results import run_provenance
from companion import config, visualize
from companion.data import cifar10, mnist
from companion.preprocessing import scale_pixels, subtract_pixel_mean
from companion.train import fit

LANGS = vocabulary.LANGS


def one_hot(labels, classes: int = 10) -> np.ndarray:
    """Integer labels as one-hot rows (``keras.utils.to_categorical``)."""
    return keras.utils.to_categorical(labels, classes)


@dataclass
class Data:
    """A data set ready to train on: ``x, y`` (one-hot) to train, ``x_test, y_test`` to test;
    validation is either ``x_val, y_val`` or ``validation_split`` (the last fraction of ``x``,
    held out by ``fit``). ``labels``, ``pixels`` (and ``test_...``): the arrays as loaded."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: np.ndarray
    test_labels: np.ndarray
    pixels: np.ndarray
    test_pixels: np.ndarray
    dataset: str
    lossy: bool = False
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    validation_split: float = 0.0
    pixel_mean: np.ndarray | None = None

    @property
    def validation_images(self) -> int:
        if self.x_val is not None:
            return len(self.x_val)
        return int(len(self.x) * self.validation_split)

    def class_names(self, lang: str) -> list[str]:
        return list(mnist.CLASS_NAMES) if self.dataset == "MNIST" else cifar10.class_names(lang)


def load(name, *, images=None, validation=0, test=None, flat=False, mean=False) -> Data:
    """Load ``"mnist"`` or ``"cifar10"`` and prepare it: slice, scale to [0, 1], one-hot.

    Args:
        name: ``"mnist"`` or ``"cifar10"``.
        images: how many training images to keep, validation included (None: all). Every
            size may be a ``(full, smoke)`` pair: ``config.samples(full, smoke)``.
        validation: a fraction (``fit``'s ``validation_split``), or how many of the kept
            images, the last ones, are held out as ``x_val, y_val``.
        test: how many test images to keep (None: all).
        flat: flatten each image into a vector.
        mean: subtract the training images' mean image from every set.
    """
    if name == "mnist":
        dataset, lossy = "MNIST", False
        (pixels, labels), (test_pixels, test_labels) = mnist.load_data()
    else:
        dataset = cifar10.locate().description
        lossy = "JPEG" in dataset
        (pixels, labels), (test_pixels, test_labels) = cifar10.load_data()
    count = lambda n: config.samples(*n) if isinstance(n, tuple) else n  # noqa: E731
    n, n_test = count(images) or len(pixels), count(test) or len(test_pixels)
    held = 0 if isinstance(validation, float) else count(validation)
    test_pixels, test_labels = test_pixels[:n_test], test_labels[:n_test]

    def scale(images):
        x = scale_pixels(images)
        return x.reshape(len(x), int(np.prod(x.shape[1:]))) if flat else x

    x, x_val, x_test = scale(pixels[: n - held]), scale(pixels[n - held : n]), scale(test_pixels)
    pixel_mean = None
    if mean:
        x, x_val, x_test, pixel_mean = subtract_pixel_mean(x, x_val, x_test)
    return Data(
        x=x,
        y=one_hot(labels[: n - held]),
        x_test=x_test,
        y_test=one_hot(test_labels),
        labels=labels[: n - held],
        test_labels=test_labels,
        pixels=pixels[: n - held],
        test_pixels=test_pixels,
        dataset=dataset,
        lossy=lossy,
        x_val=x_val if held else None,
        y_val=one_hot(labels[n - held : n]) if held else None,
        validation_split=0.0 if held else validation,
        pixel_mean=pixel_mean,
    )


def budget_of(ctx, budgets: dict | None = None) -> Budget:
    """This run's budget from a chapter's ``{"cpu": Budget(...), ...}``; a budget it does not
    name runs the recipe (a smoke run shrinks it anyway)."""
    return (budgets or {}).get(ctx.budget) or Budget(ctx.budget)


def folder(ctx, name: str) -> Path:
    """The run ``name``'s folder for checkpoints and logs: its cache folder
    (``ctx.runs_dir``), or a fresh temporary one in a smoke run."""
    path = ctx.runs_dir(name) or Path(tempfile.mkdtemp(prefix=f"{ctx.chapter}-{name}-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def train(ctx, name, model, data, recipe, budgets=None, *, what="", **fit_args):
    """Print what the budget runs of ``recipe``, then fit the compiled ``model`` on ``data``
    (on the budget's number of images; a smoke run on all it has): resumable from
    ``ctx.runs_dir(name)``, with a time estimate first. ``fit_args`` go to
    :func:`companion.train.fit`. Returns its ``TrainingRun``."""
    budget = budget_of(ctx, budgets)
    epochs, batch_size = budget.epochs_for(recipe), budget.batch_for(recipe)
    n = len(data.x) if config.smoke() else budget.images(recipe)
    x, y = data.x[:n], data.y[:n]
    held = 0 if data.x_val is not None else data.validation_images
    if data.x_val is not None:
        fit_args["validation_data"] = (data.x_val, data.y_val)
    elif data.validation_split:
        fit_args["validation_split"] = data.validation_split
    ctx.plan(
        recipe,
        train_images=len(x) - held,
        epochs=epochs,
        batch_size=batch_size,
        validation_images=data.validation_images,
        what=what,
    )
    return fit(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        verbose=2,
        resume_dir=ctx.runs_dir(name),
        probe=True,
        **fit_args,
    )


def compiled(model, optimizer, loss="categorical_crossentropy", metrics=("accuracy",)):
    """``model.compile`` with the chapters' usual loss and metric; returns the model."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def evaluate(model, data, **options) -> dict[str, float]:
    """``model.evaluate`` on the test set: each metric's value by name (``loss``, ...)."""
    scores = model.evaluate(data.x_test, data.y_test, verbose=0, return_dict=True, **options)
    return {k: float(v) for k, v in scores.items()}


def results(model, run, scores) -> dict:
    """The numbers most tables show: parameters, test accuracy and loss, training time."""
    return {
        "params": model.count_params(),
        "test_accuracy": scores["accuracy"],
        "test_loss": scores["loss"],
        "training_time": run.wall_time_s,
    }


def rows(table: dict, ours: dict, ref: str) -> list[dict]:
    """A record's comparisons, one row per key of ``table``: ``key -> (the source's number
    or None, format[, label])`` (label: a vocabulary key or a pair; default: the row's key),
    and our number ``ours[key]`` (other keys of ``ours`` are ignored), citing source ``ref``."""
    return [
        common.row(key, ours[key], source=source, ref=ref, fmt=fmt, label=label and label[0])
        for key, (source, fmt, *label) in table.items()
    ]


def provenance(ctx, run, data, recipe, **extra) -> dict:
    """A record's provenance of ``run``: data, recipe, budget and what ran, then ``extra``."""
    return run_provenance(
        run,
        dataset=data.dataset,
        n_test=len(data.test_labels),
        recipe=recipe,
        budget=ctx.budget,
        validation_images=data.validation_images,
        lossy_data=data.lossy,
        **extra,
    )


def record(ctx, provenance, table, ours, metrics, run=None, *, stem=None, **sections) -> None:
    """Write a record and its tables: ``provenance``, the rows of ``table`` (:func:`rows`,
    citing the recipe's source), ``metrics``, ``sections`` in order, then ``run``'s history
    and epoch times."""
    comparisons = rows(table, ours, provenance["recipe"]["source_ref"])
    if run is not None:
        sections |= {"history": run.history, "epoch_seconds": run.epoch_seconds}
    common.save(ctx, provenance, comparisons, stem, metrics=metrics, **sections)


def figures(ctx, draw=None, *, data=None, history=None, probabilities=None, extra=()) -> None:
    """Save a chapter's figures in both languages: ``draw(lang)`` gives ``{name: figure}``.

    Before them, a trained classifier's: with ``history``, its learning curves (several runs
    on one figure for ``{vocabulary key: history}``); with the test set's ``probabilities``
    (of ``data``), its confusion matrix and those of ``extra`` ("per_class_accuracy",
    "predictions", "mistakes").
    """
    for lang in LANGS:
        made = {}
        if history is not None and "loss" in history:
            made["learning_curves"] = visualize.plot_history(history, lang)
        elif history is not None:
            runs = {vocabulary.word(key, lang): h for key, h in history.items()}
            made["learning_curves"] = visualize.plot_histories(runs, lang)
        if probabilities is not None:
            names, labels = data.class_names(lang), data.test_labels
            counts = (labels, probabilities.argmax(1), names, lang)
            images = (data.test_pixels, labels, probabilities, names, lang)
            draws = {
                "confusion_matrix": (visualize.plot_confusion_matrix, counts),
                "per_class_accuracy": (visualize.plot_per_class_accuracy, counts),
                "predictions": (visualize.prediction_grid, images),
                "mistakes": (visualize.misclassified_grid, images),
            }
            made |= {name: draws[name][0](*draws[name][1]) for name in ("confusion_matrix", *extra)}
        made |= draw(lang) if draw else {}
        for name, fig in made.items():
            ctx.figure(fig, name, lang)
