"""The path a trained chapter takes: load -> prepare -> fit (resumable) -> evaluate -> record.

A chapter states its recipe, budgets and the source's numbers as data, builds its model and
calls these steps; what only it does (a second way to train, a batch-size study) stays in
its module. ``Data`` is a prepared data set; :func:`train` prints the budget's plan and fits
resumably; :func:`rows`, :func:`provenance` and :func:`record` write the result record.
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
from companion import config
from companion.data import cifar10, mnist
from companion.preprocessing import scale_pixels, subtract_pixel_mean
from companion.train import fit

LANGS = vocabulary.LANGS


def one_hot(labels, classes: int = 10) -> np.ndarray:
    """Integer labels as one-hot rows (``keras.utils.to_categorical``)."""
    return keras.utils.to_categorical(labels, classes)


def count(n: int | tuple[int, int] | None) -> int | None:
    """A size stated as ``(full, smoke)``: the one this run uses (an int or None as is)."""
    return config.samples(*n) if isinstance(n, tuple) else n


@dataclass
class Data:
    """A data set ready to train on: scaled inputs, one-hot labels, the raw pixels beside them.

    ``x, y`` train (``y`` one-hot); validation is either the held-out ``x_val, y_val`` or
    ``validation_split`` (the last fraction of ``x``, which ``fit`` holds out); ``x_test,
    y_test`` test. ``labels``/``test_labels`` are the integer labels and ``pixels``/
    ``test_pixels`` the uint8 images, as loaded.
    """

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

    def fit_arguments(self) -> dict:
        """``validation_data`` or ``validation_split`` for ``fit`` (nothing without either)."""
        if self.x_val is not None:
            return {"validation_data": (self.x_val, self.y_val)}
        return {"validation_split": self.validation_split} if self.validation_split else {}

    def class_names(self, lang: str) -> list[str]:
        return list(mnist.CLASS_NAMES) if self.dataset == "MNIST" else cifar10.class_names(lang)


def load(
    name: str,
    *,
    images=None,
    validation: float | int | tuple[int, int] = 0,
    test=None,
    flat: bool = False,
    mean: bool = False,
) -> Data:
    """Load ``mnist`` or ``cifar10`` and prepare it: slice, scale to [0, 1], one-hot.

    Args:
        name: ``"mnist"`` or ``"cifar10"``.
        images: how many training images to keep, validation included (None: all); sizes
            may be ``(full, smoke)`` pairs (:func:`count`).
        validation: a fraction (``fit``'s ``validation_split``), or how many of the kept
            images, the last ones, are held out as ``x_val, y_val``.
        test: how many test images to keep (None: all).
        flat: flatten each image into a vector (the MLPs of chapters 01-02).
        mean: subtract the training images' mean image from every set (chapter 05).

    Returns:
        A :class:`Data`.
    """
    if name == "mnist":
        dataset, lossy = "MNIST", False
        (pixels, labels), (test_pixels, test_labels) = mnist.load_data()
    else:
        dataset = cifar10.locate().description
        lossy = "JPEG" in dataset
        (pixels, labels), (test_pixels, test_labels) = cifar10.load_data()
    n, n_test = count(images) or len(pixels), count(test) or len(test_pixels)
    held = count(validation) if not isinstance(validation, float) else 0
    test_pixels, test_labels = test_pixels[:n_test], test_labels[:n_test]

    def scale(images):
        x = scale_pixels(images)
        return x.reshape(len(x), int(np.prod(x.shape[1:]))) if flat else x

    x, x_val, x_test = scale(pixels[: n - held]), scale(pixels[n - held : n]), scale(test_pixels)
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
        pixel_mean=pixel_mean if mean else None,
    )


def budget_of(ctx, budgets: dict | None = None) -> Budget:
    """This run's :class:`~book.recipes.Budget` from a chapter's ``BUDGETS`` (default: the
    recipe itself, or a smoke run of it)."""
    return (budgets or {}).get(ctx.budget) or Budget(ctx.budget)


def folder(ctx, name: str) -> Path:
    """The folder of the training run ``name``: its cache folder (``ctx.runs_dir``), or a
    fresh temporary one in a smoke run. Checkpoints and logs go here."""
    path = ctx.runs_dir(name) or Path(tempfile.mkdtemp(prefix=f"{ctx.chapter}-{name}-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def train(ctx, name, model, data, recipe, budgets=None, *, what="", images=None, **fit_args):
    """Print what the budget runs of ``recipe``, then fit ``model`` on ``data``: resumable
    (``ctx.runs_dir(name)``), with a time estimate first.

    Args:
        ctx: the chapter's context (``scripts/build_figures.py``).
        name: the run's name (its cache folder).
        model: a compiled model.
        data: a :class:`Data`; its validation goes to ``fit``.
        recipe: the source's :class:`~book.recipes.Recipe`.
        budgets: the chapter's budgets, ``{"cpu": Budget(...), ...}`` (see :func:`budget_of`).
        what: the run's name in the printed plan (default: the chapter's).
        images: train on the first ``images`` of ``data.x`` only (default: all).
        **fit_args: more arguments for :func:`companion.train.fit` (``callbacks`` ...).

    Returns:
        The :class:`companion.train.TrainingRun`.
    """
    budget = budget_of(ctx, budgets)
    epochs, batch_size = budget.epochs_for(recipe), budget.batch_for(recipe)
    x, y = data.x[:images], data.y[:images]
    held = 0 if data.x_val is not None else data.validation_images
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
        **data.fit_arguments(),
        **fit_args,
    )


def evaluate(model, data, **options) -> dict[str, float]:
    """``model.evaluate`` on the test set: each metric's value by name (``loss``, ...)."""
    scores = model.evaluate(data.x_test, data.y_test, verbose=0, return_dict=True, **options)
    return {k: float(v) for k, v in scores.items()}


def rows(table: dict, ours: dict, ref: str) -> list[dict]:
    """A record's comparisons: our number beside the source's, one row per key of ``table``.

    ``table`` maps a row's key to ``(the source's number or None, format)`` or ``(number,
    format, label)``; the label is a key of :mod:`book.vocabulary` or a pair (default: the
    vocabulary's words for the row's key). ``ours`` holds our number for every key.
    """
    return [
        common.row(key, ours[key], source=source, ref=ref, fmt=fmt, label=label and label[0])
        for key, (source, fmt, *label) in table.items()
    ]


def phrase(key: str, **values) -> dict[str, str]:
    """The vocabulary's pair for ``key`` with its ``{placeholders}`` filled in; a value may
    be a ``{"zh", "en"}`` pair itself (each language takes its own)."""
    return {
        lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
        for lang, text in vocabulary.label(key).items()
    }


def provenance(ctx, run, data, recipe, **extra) -> dict:
    """A record's provenance of ``run``: data, recipe, budget and what ran, plus ``extra``."""
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


def record(ctx, provenance, comparisons, metrics, run=None, *, stem=None, **sections) -> dict:
    """Write a chapter's record (and its tables): provenance, comparisons, metrics, then
    ``sections`` in order, then ``run``'s history and epoch times (when a run is given)."""
    rec = {
        "chapter": ctx.chapter,
        "provenance": provenance,
        "comparisons": comparisons,
        "metrics": metrics,
        **sections,
    }
    if run is not None:
        rec.update(history=run.history, epoch_seconds=run.epoch_seconds)
    ctx.record(rec, stem)
    return rec


def figures(ctx, draw) -> None:
    """Save the figures ``draw(lang)`` returns (``{name: figure}``) in both languages."""
    for lang in LANGS:
        for name, fig in draw(lang).items():
            ctx.figure(fig, name, lang)
