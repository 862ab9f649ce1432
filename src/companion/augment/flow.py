"""``flow`` and ``flow_from_directory``: augmented batches as a ``keras.utils.PyDataset``.

A ``PyDataset`` works with ``model.fit`` on every backend and is a plain Python iterable;
unlike the old iterator, one pass is one epoch (it stops).
"""

from __future__ import annotations

import math

import keras
import numpy as np

from . import directory as dirs
from .checks import check_batch
from .saving import check_save_dir, check_save_prefix, save_image


class AugmentedBatches(keras.utils.PyDataset):
    """What ``ArrayBatches`` and ``DirectoryBatches`` share: order, seeding, saving.

    With ``seed``, batch ``i`` of epoch ``e`` is the same on every run: its shuffle order and
    its random transforms depend only on ``(seed, e, i)``. That holds with the default
    ``workers=1``; parallel workers share the augmenter's random state, so their batches are
    augmented correctly but not reproducibly.

    Args:
        augmenter: the ``companion.augment.ImageAugmenter`` that transforms the batches.
        size: the number of images in one epoch.
        batch_size: images per batch.
        shuffle: draw a new order every epoch.
        seed: makes the order and the transforms repeat; None for fresh ones.
        save_to_dir: an existing folder to write every augmented image to, or None.
        save_prefix: the start of the saved files' names.
        save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
        **kwargs: ``keras.utils.PyDataset``'s arguments (``workers``,
            ``use_multiprocessing``, ``max_queue_size``).

    Raises:
        ValueError: for a ``batch_size`` that is not a positive int, an unknown
            ``save_format`` or a ``save_prefix`` holding a path separator.
        RuntimeError: if the augmenter needs statistics and has not been fitted.
        FileNotFoundError: if ``save_to_dir`` does not exist.
        NotADirectoryError: if ``save_to_dir`` is a file.
        PermissionError: if ``save_to_dir`` is not writable.
    """

    def __init__(
        self,
        augmenter,
        size: int,
        batch_size: int,
        shuffle: bool,
        seed,
        save_to_dir,
        save_prefix: str,
        save_format: str,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if augmenter.needs_fit and not augmenter._fitted:
            raise RuntimeError(
                "this augmenter uses feature-wise statistics or ZCA: "
                "call augmenter.fit(x_train) before flow()."
            )
        self.augmenter = augmenter
        self.size = size
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.epoch = 0
        self.save_to_dir, self.save_format = (None, None)
        if save_to_dir is not None:
            self.save_to_dir, self.save_format = check_save_dir(save_to_dir, save_format)
        self.save_prefix = check_save_prefix(save_prefix)
        self._order = None

    def __len__(self) -> int:
        return math.ceil(self.size / self.batch_size)

    def _batch_seed(self, index: int) -> int | None:
        if self.seed is None:
            return None
        return int(np.random.SeedSequence([int(self.seed), self.epoch, index]).generate_state(1)[0])

    def _indices(self, index: int) -> np.ndarray:
        if self._order is None:
            if self.shuffle:
                rng = np.random.default_rng(
                    None if self.seed is None else [int(self.seed), self.epoch]
                )
                self._order = rng.permutation(self.size)
            else:
                self._order = np.arange(self.size)
        return self._order[index * self.batch_size : (index + 1) * self.batch_size]

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range: there are {len(self)} batches")
        indices = self._indices(index)
        x, y = self._inputs(indices)
        x = self.augmenter.augment(x, seed=self._batch_seed(index), compiled=True)
        if self.save_to_dir is not None:
            self._save(x, indices)
        if y is None:
            return x
        return x, (x if isinstance(y, str) else y)

    def _save(self, images, indices):
        prefix = f"{self.save_prefix}_" if self.save_prefix else ""
        for image, position in zip(images, indices, strict=True):
            name = f"{prefix}{self.epoch:03d}_{int(position):06d}.{self.save_format}"
            save_image(image, self.save_to_dir / name, self.save_format)

    def on_epoch_end(self):
        """Count the epoch; the next one draws a new order (``model.fit`` calls this)."""
        self.epoch += 1
        self._order = None

    def _inputs(self, indices):  # pragma: no cover - overridden
        raise NotImplementedError


class ArrayBatches(AugmentedBatches):
    """Batches of an in-memory array and its labels: what ``ImageAugmenter.flow`` returns.

    Each item is ``(x_batch, y_batch)``, or ``x_batch`` alone without labels; ``x_batch`` is
    a float32 NumPy array (batch, height, width, channels).

    Args:
        augmenter: the ``companion.augment.ImageAugmenter`` that transforms the batches.
        x: the images (N, height, width, channels).
        y: the labels, N of them, or None.
        batch_size: images per batch.
        shuffle: draw a new order every epoch.
        seed: makes the order and the transforms repeat; None for fresh ones.
        save_to_dir: an existing folder to write every augmented image to, or None.
        save_prefix: the start of the saved files' names.
        save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
        **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

    Raises:
        ValueError: if ``x`` is not a batch of finite images, ``y`` has another length, or
            an option is out of range (see ``AugmentedBatches``).
        TypeError: if ``x`` does not hold numbers.
        RuntimeError: if the augmenter needs statistics and has not been fitted.
        FileNotFoundError: if ``save_to_dir`` does not exist.
    """

    def __init__(
        self,
        augmenter,
        x,
        y=None,
        batch_size: int = 32,
        shuffle: bool = True,
        seed=None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        x = np.asarray(x)
        check_batch(x, "x")
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(x):
                raise ValueError(
                    f"x and y must have the same length, got {len(x)} images and {len(y)} labels"
                )
        super().__init__(
            augmenter,
            len(x),
            batch_size,
            shuffle,
            seed,
            save_to_dir,
            save_prefix,
            save_format,
            **kwargs,
        )
        self.x, self.y = x, y

    def _inputs(self, indices):
        return self.x[indices], (None if self.y is None else self.y[indices])


class DirectoryBatches(AugmentedBatches):
    """Batches read from ``directory/<class name>/<image files>``, labelled by folder.

    What ``ImageAugmenter.flow_from_directory`` returns. Each item is ``(x_batch, y_batch)``
    (``x_batch`` alone for ``class_mode=None``); ``filepaths``, ``classes`` and
    ``class_indices`` describe the images found.

    Args:
        augmenter: the ``companion.augment.ImageAugmenter`` that transforms the batches.
        directory: the folder holding one sub-folder per class.
        target_size: (height, width) in pixels the images are resized to.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        classes: the class folders' names in label order; None for all, sorted by name.
        class_mode: the labels: ``"categorical"`` (one-hot), ``"binary"`` (float32 0/1),
            ``"sparse"`` (integers), ``"input"`` (the images themselves) or None.
        batch_size: images per batch.
        shuffle: draw a new order every epoch.
        seed: makes the order and the transforms repeat; None for fresh ones.
        save_to_dir: an existing folder to write every augmented image to, or None.
        save_prefix: the start of the saved files' names.
        save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
        **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

    Raises:
        ValueError: for an unknown mode or format, or a bad size or ``batch_size``.
        FileNotFoundError: if ``directory`` or a class folder is missing or holds no image,
            or ``save_to_dir`` does not exist.
        DataFormatError: if a link leads out of ``directory``, or (when a batch is read) an
            image file cannot be read.
        RuntimeError: if the augmenter needs statistics and has not been fitted.
    """

    def __init__(
        self,
        augmenter,
        directory,
        target_size=(256, 256),
        color_mode: str = "rgb",
        classes=None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed=None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        self.target_size = dirs.check_options(target_size, color_mode, class_mode)
        self.filepaths, self.classes, self.class_indices = dirs.list_images(directory, classes)
        super().__init__(
            augmenter,
            len(self.filepaths),
            batch_size,
            shuffle,
            seed,
            save_to_dir,
            save_prefix,
            save_format,
            **kwargs,
        )
        self.color_mode, self.class_mode = color_mode, class_mode
        print(f"Found {len(self.filepaths)} images belonging to {len(self.class_indices)} classes.")

    def _inputs(self, indices):
        x = dirs.load_images(
            [self.filepaths[i] for i in indices], self.target_size, self.color_mode
        )
        labels = self.classes[indices]
        if self.class_mode == "categorical":
            return x, keras.utils.to_categorical(labels, len(self.class_indices))
        if self.class_mode == "binary":
            return x, labels.astype("float32")
        if self.class_mode == "sparse":
            return x, labels
        if self.class_mode == "input":
            return x, "input"  # the target is the augmented input itself (autoencoders)
        return x, None
