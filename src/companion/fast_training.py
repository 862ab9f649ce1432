"""Chapter 13's training run: airbench94's recipe in Keras 3, resumable, timed like DAWNBench.

The run trains for a fractional number of epochs of whole batches (the last epoch is cut
short), each epoch on freshly flipped and translated images
(``companion.augment.alternating.epoch_images``); after each epoch it measures the test
accuracy without test-time augmentation, outside the timed training; at the end it
measures it with test-time augmentation (``predict_tta``), timed.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

from ._validation import check_finite
from .augment.alternating import epoch_images
from .optimizers import LookaheadSGD, Triangular


# --8<-- [start:recipe]
@dataclass
class FastRecipe:
    """airbench94's hyperparameters, with the learning rate for a loss averaged over the batch.

    ``lr`` and ``weight_decay`` are airbench's "per 1,024 examples" values: the optimiser's
    rate is ``lr / (1 + 1 / (1 - momentum)) * batch_size / 1024`` and its L2 coefficient
    ``weight_decay / lr``, which is what airbench's PyTorch SGD does with a summed loss.
    """

    # --8<-- [start:recipe_fields]
    epochs: float = 9.9
    batch_size: int = 1024
    lr: float = 11.5
    momentum: float = 0.85
    weight_decay: float = 0.0153
    bias_scaler: float = 64.0
    label_smoothing: float = 0.2
    lookahead: bool = True
    flip: bool = True  # alternating flips
    translate: int = 2
    tta: int = 2  # 0: none, 1: mirror, 2: mirror and translate
    # --8<-- [end:recipe_fields]
    # --8<-- [end:recipe]

    def steps(self, n_images: int) -> tuple[int, int]:
        """The steps of a run on ``n_images``: whole batches only, as airbench's loader.

        Args:
            n_images: how many training images an epoch goes through.

        Returns:
            ``(steps per epoch, steps in all)``.

        Raises:
            ValueError: fewer images than one batch.
        """
        per_epoch = n_images // self.batch_size
        if per_epoch < 1:
            raise ValueError(f"{n_images} images make no batch of {self.batch_size}")
        return per_epoch, math.ceil(per_epoch * self.epochs)

    def optimizer(self, total_steps: int) -> LookaheadSGD:
        """The recipe's optimiser and learning-rate schedule.

        Args:
            total_steps: the run's training steps (the schedule's length, lookahead's end).

        Returns:
            A ``LookaheadSGD`` with a ``Triangular`` schedule.
        """
        peak = self.lr / (1 + 1 / (1 - self.momentum)) * self.batch_size / 1024
        return LookaheadSGD(
            Triangular(peak, total_steps),
            momentum=self.momentum,
            weight_decay=self.weight_decay / self.lr,
            bias_scaler=self.bias_scaler,
            total_steps=total_steps if self.lookahead else None,
        )


@dataclass
class FastRun:
    """What a run measured: per epoch, and at the end."""

    epoch_seconds: list[float] = field(default_factory=list)  # training (and augmenting) only
    test_accuracy: list[float] = field(default_factory=list)  # after each epoch, no TTA
    train_loss: list[float] = field(default_factory=list)
    final: dict = field(default_factory=dict)  # accuracy by TTA level, TTA seconds
    steps: int = 0
    resumed_at_epoch: int | None = None

    @property
    def train_seconds(self) -> float:
        """Seconds spent training: the sum of ``epoch_seconds``."""
        return float(sum(self.epoch_seconds))


# --8<-- [start:predict_tta]
def predict_tta(model, images, level: int = 2, batch_size: int = 1000) -> np.ndarray:
    """Logits averaged over flipped and shifted copies of ``images`` (test-time augmentation).

    Level 0 is the plain prediction; level 1 averages each image with its mirror image;
    level 2 gives that average half the weight and shares the other half between the
    mirrored pair shifted one pixel up-left and the pair shifted one pixel down-right.

    Args:
        model: a model that outputs logits.
        images: standardized images (N, height, width, channels).
        level: 0, 1 or 2.
        batch_size: images per forward pass.

    Returns:
        float array (N, classes) of averaged logits.
    """
    return tta_levels(model, images, level, batch_size)[level]


# --8<-- [end:predict_tta]


def tta_levels(model, images, level: int = 2, batch_size: int = 1000) -> list:
    """The logits of every TTA level up to ``level``, from one set of forward passes.

    Level 2's six passes contain levels 0 and 1, so all three cost what level 2 costs.

    Args:
        model: a model that outputs logits.
        images: standardized images (N, height, width, channels).
        level: the highest level, 0, 1 or 2.
        batch_size: images per forward pass.

    Returns:
        A list of ``level + 1`` float arrays (N, classes), level 0 first.
    """

    def predict(views):
        return model.predict(views, batch_size=batch_size, verbose=0)

    # --8<-- [start:tta_views]
    x = np.asarray(images, dtype="float32")
    levels = [predict(x)]
    if level >= 1:
        levels.append(0.5 * levels[0] + 0.5 * predict(x[:, :, ::-1]))
    if level >= 2:
        h, w = x.shape[1:3]
        padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
        pairs = [
            0.5 * predict(v) + 0.5 * predict(v[:, :, ::-1])
            for v in (padded[:, :h, :w], padded[:, 2:, 2:])  # up-left, down-right
        ]
        levels.append(0.5 * levels[1] + 0.25 * (pairs[0] + pairs[1]))
    # --8<-- [end:tta_views]
    return levels


def top1(logits, labels) -> float:
    """The fraction of rows of ``logits`` whose largest entry is at the row's label.

    Args:
        logits: array (N, classes).
        labels: integer labels, (N,) or (N, 1).

    Returns:
        Top-1 accuracy as a float in [0, 1].
    """
    labels = np.asarray(labels).reshape(-1)  # (N, 1), as load_data gives them, would broadcast
    return float(np.mean(np.asarray(logits).argmax(1) == labels))


def accuracy(model, images, labels, level: int = 0) -> float:
    """Top-1 accuracy of ``model`` on ``images`` with test-time augmentation.

    Args:
        model: a network that gives logits (or probabilities).
        images: a batch of standardized images ``(N, 32, 32, 3)``.
        labels: their integer labels, ``(N,)`` or ``(N, 1)``.
        level: the TTA level of ``predict_tta`` (0: none).

    Returns:
        The accuracy as a float in [0, 1].
    """
    return top1(predict_tta(model, images, level), labels)


def train_fast(
    model,
    x,
    y,
    x_test,
    y_test,
    recipe: FastRecipe | None = None,
    *,
    seed: int = 0,
    resume_dir: str | Path | None = None,
    log=print,
) -> FastRun:
    """Train ``model`` (logits out) on ``x``, integer labels ``y``, with ``recipe``.

    Args:
        model: an uncompiled Keras model that outputs logits.
        x: training images, standardized.
        y: their integer labels.
        x_test: test images, evaluated after every epoch (not timed) and at the end (timed).
        y_test: their integer labels.
        recipe: the hyperparameters; airbench94's by default.
        seed: seed of the shuffles and augmentations.
        resume_dir: a folder for backups after each epoch; a run started again with the
            same folder goes on from the last finished epoch.
        log: where progress lines go.

    Returns:
        The ``FastRun``; the model holds the final weights.

    Raises:
        ValueError: if there are too few images for one batch, or the images hold NaN or
            infinity (checked once, on the whole arrays, before the model is compiled).
    """
    check_finite(x, "x")
    check_finite(x_test, "x_test")
    recipe = recipe or FastRecipe()
    per_epoch, total = recipe.steps(len(x))
    optimizer = recipe.optimizer(total)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=recipe.label_smoothing
        ),
    )
    optimizer.build(model.trainable_variables)  # now, eagerly: its averages copy the weights
    folder = Path(resume_dir) if resume_dir is not None else None
    run = _restore(model, optimizer, folder) if folder is not None else FastRun()
    labels = keras.utils.to_categorical(y, model.output_shape[-1])
    n_epochs = math.ceil(recipe.epochs)
    for epoch in range(len(run.epoch_seconds), n_epochs):
        start = time.perf_counter()
        steps = min(per_epoch, total - run.steps)
        order = np.random.default_rng([seed, epoch, 1]).permutation(len(x))[
            : steps * recipe.batch_size
        ]
        images = epoch_images(x, epoch, seed=seed, flip=recipe.flip, pad=recipe.translate)[order]
        history = model.fit(
            images, labels[order], batch_size=recipe.batch_size, epochs=1, shuffle=False, verbose=0
        )
        run.epoch_seconds.append(round(time.perf_counter() - start, 2))
        run.steps += steps
        run.train_loss.append(round(float(history.history["loss"][-1]), 4))
        run.test_accuracy.append(round(accuracy(model, x_test, y_test), 4))
        log(
            f"  epoch {epoch + 1}/{n_epochs}: {steps} steps in {run.epoch_seconds[-1]:.1f} s, "
            f"loss {run.train_loss[-1]:.4f}, test accuracy {run.test_accuracy[-1]:.4f}"
        )
        if folder is not None:
            _backup(model, optimizer, folder, run)
    if not run.final:
        start = time.perf_counter()
        run.final = {  # level 2's six passes give all three levels
            f"tta{level}": round(top1(logits, y_test), 4)
            for level, logits in enumerate(tta_levels(model, x_test, recipe.tta))
        }
        run.final["tta_seconds"] = round(time.perf_counter() - start, 2)
        if folder is not None:
            _backup(model, optimizer, folder, run)
    return run


def _backup(model, optimizer, folder: Path, run: FastRun) -> None:
    """Weights, optimiser state and progress, each written whole before it replaces the last."""
    folder.mkdir(parents=True, exist_ok=True)
    # Keras picks the weights format by the name: it must end in ".weights.h5"
    model.save_weights(str(folder / "run.tmp.weights.h5"))
    with open(folder / "optimizer.tmp.npz", "wb") as f:
        np.savez(f, *[keras.ops.convert_to_numpy(v) for v in optimizer.variables])
    (folder / "progress.tmp.json").write_text(json.dumps(asdict(run)))
    for name in ("run.weights.h5", "optimizer.npz", "progress.json"):
        stem, suffix = name.split(".", 1)
        (folder / f"{stem}.tmp.{suffix}").replace(folder / name)


def _restore(model, optimizer, folder: Path) -> FastRun:
    """The run saved in ``folder``, loaded into ``model`` and ``optimizer``; a new run if none."""
    progress = folder / "progress.json"
    if not progress.exists():
        return FastRun()
    run = FastRun(**json.loads(progress.read_text()))
    model.load_weights(str(folder / "run.weights.h5"))
    with np.load(folder / "optimizer.npz") as saved:
        for i, variable in enumerate(optimizer.variables):
            variable.assign(saved[f"arr_{i}"])
    run.resumed_at_epoch = len(run.epoch_seconds)
    return run
