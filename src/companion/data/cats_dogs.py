"""Cats vs dogs (chapter 11): a small, balanced split of Kaggle's "Dogs vs. Cats" photos.

``prepare`` finds the photos and ``make_split`` copies the source's train /
validation / test split (1,000 / 500 / 500 per class) out of Kaggle's folder or Google's
``cats_and_dogs_filtered``, checking every photo; ``load_datasets`` reads a split as
``tf.data`` datasets. Import everything from here: the photos' layouts
(``_cats_dogs_photos``), the copying (``_cats_dogs_split``) and its report
(``_cats_dogs_report``) live beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import config
from .._scan import leaves
from ..errors import DataFormatError
from ._cats_dogs_photos import FOLDERS, KAGGLE_NAME, NUMBER, SPLITS, check_image
from ._cats_dogs_report import SplitReport
from ._cats_dogs_split import (
    LOCK,
    LOCK_TIMEOUT_S,
    MANIFEST,
    SMOKE_SIZES,
    SOURCE_SIZES,
    make_split,
)

__all__ = [
    "CLASS_NAMES",
    "CLASS_NAMES_ZH",
    "FOLDERS",
    "SPLITS",
    "SOURCE_SIZES",
    "SMOKE_SIZES",
    "IMAGE_SIZE",
    "SMOKE_IMAGE_SIZE",
    "KAGGLE_NAME",
    "NUMBER",
    "MANIFEST",
    "LOCK",
    "LOCK_TIMEOUT_S",
    "IMAGE_SUFFIXES",
    "class_names",
    "SplitReport",
    "check_image",
    "make_split",
    "locate",
    "prepare",
    "load_datasets",
]

CLASS_NAMES = ["cat", "dog"]
CLASS_NAMES_ZH = ["猫", "狗"]
IMAGE_SIZE = (150, 150)
SMOKE_IMAGE_SIZE = (64, 64)
# what image_dataset_from_directory reads
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def class_names(lang: str = "en") -> list[str]:
    """The two class names in label order (0 = cat, 1 = dog).

    Args:
        lang: ``"en"`` or ``"zh"``.

    Returns:
        ``["cat", "dog"]`` or ``["猫", "狗"]``.

    Raises:
        ValueError: for any other ``lang``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return CLASS_NAMES_ZH if lang == "zh" else CLASS_NAMES


# --- finding the photos ----------------------------------------------------------------


def locate(path: str | os.PathLike | None = None) -> Path:
    """The folder of original photos: ``path``, else under ``COMPANION_DATA_DIR``, else the cache.

    Under the data folder and in ``<cache>/cats_dogs`` it looks for ``dogs-vs-cats/train/``,
    ``dogs-vs-cats/`` and ``cats_and_dogs_filtered/``, in that order, and takes the first
    that is not empty.

    Args:
        path: a folder to use as it is, or None to search.

    Returns:
        The folder (not checked when ``path`` is given).

    Raises:
        FileNotFoundError: if no folder is found; the message says where to get the photos.
        ConfigError: if the download cache cannot be created or written to.
    """
    if path is not None:
        return Path(path).expanduser()
    roots = ([config.data_dir()] if config.data_dir() else []) + [config.cache_dir() / "cats_dogs"]
    for root in roots:
        # Kaggle's own folder first: it gives the source's split, test set included.
        for name in ("dogs-vs-cats/train", "dogs-vs-cats", "cats_and_dogs_filtered"):
            folder = root / name
            if folder.is_dir() and any(folder.iterdir()):
                return folder
    searched = ", ".join(str(r) for r in roots)
    raise FileNotFoundError(
        "No cats-vs-dogs photos found (looked for cats_and_dogs_filtered/ or dogs-vs-cats/train/ "
        "in "
        f"{searched}).\nWhat to do: download train.zip from "
        "https://www.kaggle.com/c/dogs-vs-cats/data "
        "(needs a Kaggle account) and unzip it into one of those folders as dogs-vs-cats/train/, "
        "or unzip "
        "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip there; or set "
        "COMPANION_DATA_DIR to a folder that holds either."
    )


def prepare(
    source: str | os.PathLike | None = None, target: str | os.PathLike | None = None
) -> SplitReport:
    """Find the photos and make (or refresh) the split.

    Args:
        source: the folder of original photos, or None to ``locate`` it.
        target: the split's folder, or None for one in ``<cache>/cats_dogs`` named after
            the source (with ``_smoke`` in a smoke run).

    Returns:
        The ``SplitReport`` of ``make_split``.

    Raises:
        FileNotFoundError: if no photos are found.
        ValueError: if the target lies inside the source (see ``make_split``).
        DataFormatError: if the photos are in neither layout or too few are usable.
        TimeoutError: if another make_split holds the target's lock.
    """
    source = locate(source)
    if target is None:
        name = "cats_and_dogs_small" + ("_smoke" if config.smoke() else "")
        target = config.cache_dir() / "cats_dogs" / f"{name}_from_{source.name}"
    return make_split(source, target)


# --- reading a split -------------------------------------------------------------------


def _refuse_strays(folder: Path, split: str) -> None:
    """Keras reads every image-named file of a class folder: refuse hidden ones and links out."""
    strays = []
    for cls in FOLDERS:
        for path in (
            sorted((folder / split / cls).iterdir()) if (folder / split / cls).is_dir() else []
        ):
            if path.suffix.lower() in IMAGE_SUFFIXES and (
                path.name.startswith(".") or leaves(path, folder)
            ):
                strays.append(path)
    if strays:
        raise DataFormatError(
            f"{len(strays)} file(s) in {folder / split} are hidden (such as macOS's ._cat.1.jpg) "
            "or links that "
            f"lead out of {folder}, and Keras would read them as photos: "
            + ", ".join(str(p.relative_to(folder)) for p in strays[:5])
            + ". Delete them and run again."
        )


def load_datasets(
    folder: str | os.PathLike | SplitReport | None = None,
    image_size=IMAGE_SIZE,
    batch_size: int = 20,
    seed: int = 42,
):
    """The three splits of a split folder as datasets of ``(images, labels)`` batches.

    Args:
        folder: the split's folder or the ``SplitReport`` of ``make_split``; None
            makes (or refreshes) the split with ``prepare`` first.
        image_size: ``(height, width)`` in pixels the photos are resized to; a smoke run
            caps it at 64x64.
        batch_size: images per batch.
        seed: seed of the training set's shuffling (reshuffled every epoch).

    Returns:
        ``(train, validation, test)``: ``tf.data.Dataset`` objects of batches of float32
            images (batch, height, width, 3) in 0-255 and float32 labels (batch, 1), 0 for cat
            and 1 for dog; validation and test keep their order.

    Raises:
        FileNotFoundError: if a split's folder is missing (or no photos are found when
            ``folder`` is None).
        DataFormatError: if a class folder holds hidden image files or links out of
            ``folder``, which Keras would read as photos.
    """
    import keras

    if folder is None:
        folder = prepare().folder
    folder = folder.folder if isinstance(folder, SplitReport) else Path(folder)
    if config.smoke():
        image_size = tuple(min(a, b) for a, b in zip(image_size, SMOKE_IMAGE_SIZE, strict=False))
    datasets = []
    for split in SPLITS:
        if not (folder / split).is_dir():
            raise FileNotFoundError(
                f"{folder / split} does not exist; make the split with cats_dogs.prepare() first."
            )
        _refuse_strays(folder, split)
        datasets.append(
            keras.utils.image_dataset_from_directory(
                folder / split,
                labels="inferred",
                label_mode="binary",
                class_names=list(FOLDERS),
                image_size=tuple(image_size),
                batch_size=batch_size,
                shuffle=split == "train",
                seed=seed,
                verbose=False,
            )
        )
    return tuple(datasets)
