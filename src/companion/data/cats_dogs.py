"""Cats vs dogs (chapter 11): a small, balanced split of Kaggle's "Dogs vs. Cats" photos.

``prepare`` finds the photos and ``make_split`` copies the source's train /
validation / test split (1,000 / 500 / 500 per class) out of Kaggle's folder or Google's
``cats_and_dogs_filtered``, checking every photo; ``load_datasets`` reads a split as
``tf.data`` datasets.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from .. import config
from .._io import atomic_path, write_json
from .._scan import leaves, visible_files
from ..errors import DataFormatError

CLASS_NAMES = ["cat", "dog"]
CLASS_NAMES_ZH = ["猫", "狗"]
FOLDERS = ("cats", "dogs")  # alphabetical, so that image_dataset_from_directory labels cat 0, dog 1
SPLITS = ("train", "validation", "test")
SOURCE_SIZES = {"train": 1000, "validation": 500, "test": 500}  # per class, as in the source
SMOKE_SIZES = {"train": 30, "validation": 10, "test": 10}
IMAGE_SIZE = (150, 150)
SMOKE_IMAGE_SIZE = (64, 64)
KAGGLE_NAME = re.compile(r"^(cat|dog)\.(\d+)\.jpe?g$", re.IGNORECASE)
NUMBER = re.compile(r"(\d+)")
#: In the target: the files make_split made (so that it removes nothing else), and its lock.
MANIFEST = ".companion-split.json"
LOCK = ".companion-split.lock"
#: How long a second make_split waits for a first one writing into the same target.
LOCK_TIMEOUT_S = 3600.0
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


@dataclass
class SplitReport:
    """What ``make_split`` did: the split's folder and counts, and every file it skipped.

    ``str(report)`` is a readable summary. Filled in by ``make_split``, not by hand.

    Args:
        folder: the split's folder (the target).
        source: the folder of original photos.
        layout: ``"kaggle"`` or ``"filtered"``.
        counts: photos per split and class, e.g. ``{"train": {"cats": 1000, ...}, ...}``.
        copied: photos copied in this run.
        kept: photos already there and kept.
        removed: files of an earlier split removed.
        skipped: ``(file name, reason)`` of every photo not used.
        short: splits with too few good photos, e.g. ``"train/cats: 998 of 1000"``.
        removed_files: the removed files, relative to ``folder``.
        foreign: files in ``folder`` that make_split did not make (left alone).
    """

    folder: Path
    source: Path
    layout: str  # "kaggle" or "filtered"
    counts: dict = field(default_factory=dict)  # {"train": {"cats": 1000, "dogs": 1000}, ...}
    copied: int = 0
    kept: int = 0
    removed: int = 0
    skipped: list = field(default_factory=list)  # (file name, reason)
    short: list = field(default_factory=list)  # "train/cats: 998 of 1000"
    # "train/cats/cat.12.jpg": made by an earlier split
    removed_files: list = field(default_factory=list)
    # "train/cats/mine.jpg": not made by make_split, left alone
    foreign: list = field(default_factory=list)

    def total(self, split: str) -> int:
        """The number of photos in one split.

        Args:
            split: ``"train"``, ``"validation"`` or ``"test"``.

        Returns:
            The photos of both classes together (0 for a split not made).
        """
        return sum(self.counts.get(split, {}).values())

    def __str__(self) -> str:
        lines = [f"{self.folder} (from the {self.layout} layout in {self.source})"]
        for split in SPLITS:
            per_class = ", ".join(f"{n} {cls}" for cls, n in self.counts.get(split, {}).items())
            lines.append(f"  {split:<10} {self.total(split):>5} images ({per_class})")
        lines.append(f"  copied {self.copied}, already there {self.kept}, removed {self.removed}")
        for name in self.removed_files:
            lines.append(f"  removed {name} (an earlier split made it; this one does not use it)")
        for name in self.foreign:
            lines.append(
                f"  left alone {name}: make_split did not make it (move it out of the split if it "
                "is no photo of it)"
            )
        for name, reason in self.skipped:
            lines.append(f"  skipped {name}: {reason}")
        for text in self.short:
            lines.append(f"  too few good images: {text}")
        return "\n".join(lines)


def check_image(path: str | os.PathLike) -> str | None:
    """Why a file cannot be used as a training photo.

    Args:
        path: the file.

    Returns:
        None if it decodes as a JPEG in RGB, grey or CMYK; otherwise the reason in words
        (not a JPEG, not an image, corrupt, too many pixels, an unusual colour mode).

    Raises:
        FileNotFoundError: if there is no such file.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        # DecompressionBombError: more pixels than Pillow's safety limit
        with Image.open(path) as image:
            if image.format != "JPEG":
                return f"not a JPEG (it is {image.format or 'an unknown format'})"
            # decode at reduced scale: fast, but still reads every byte
            image.draft("RGB", (64, 64))
            image.load()
            if image.mode not in ("RGB", "L", "CMYK"):
                return f"unusual colour mode {image.mode}"
    except UnidentifiedImageError:
        return "not an image"
    except Image.DecompressionBombError as exc:
        return f"too many pixels to decode safely ({exc})"
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or damaged data
        return f"corrupt ({exc})"
    return None


def _number(path: Path) -> int:
    found = NUMBER.findall(path.name)
    return int(found[-1]) if found else -1


def _photos(folder: Path, source: Path, odd: list) -> list[Path]:
    """The visible files of ``folder`` in numeric order; links out of ``source`` go to ``odd``."""
    if leaves(folder, source):
        odd.append((folder.name + "/", f"a link to a folder outside {source}"))
        return []
    files, links_out = visible_files(folder, root=source)
    odd.extend((path.name, f"a link to a file outside {source}") for path in links_out)
    return sorted(files, key=_number)


def _pools(source: Path, sizes: dict) -> tuple[str, list, list]:
    """The layout of ``source``, its pools (candidate files, [(split, n per class)]) and the odd
    files."""
    odd: list = []
    if (source / "train" / "cats").is_dir() and (source / "validation" / "cats").is_dir():
        train = {cls: _photos(source / "train" / cls, source, odd) for cls in FOLDERS}
        held = {cls: _photos(source / "validation" / cls, source, odd) for cls in FOLDERS}
        half = min(len(files) for files in held.values()) // 2
        return (
            "filtered",
            [
                (train, [("train", min(sizes["train"], max(len(f) for f in train.values())))]),
                (
                    held,
                    [
                        ("validation", min(sizes["validation"], half)),
                        ("test", min(sizes["test"], half)),
                    ],
                ),
            ],
            odd,
        )
    folder = source / "train" if (source / "train").is_dir() else source
    by_class = {cls: [] for cls in FOLDERS}
    for path in _photos(folder, source, odd):
        match = KAGGLE_NAME.match(path.name)
        if match:
            by_class[match.group(1).lower() + "s"].append(path)
        else:
            odd.append((path.name, "not named cat.N.jpg or dog.N.jpg"))
    if not any(by_class.values()):
        raise DataFormatError(
            f"{source} holds neither Kaggle's cat.N.jpg / dog.N.jpg files nor the train/ and "
            "validation/ "
            "folders of cats_and_dogs_filtered. Point it at the unzipped train/ folder of "
            "https://www.kaggle.com/c/dogs-vs-cats/data or at cats_and_dogs_filtered/."
        )
    return "kaggle", [(by_class, [(split, sizes[split]) for split in SPLITS])], odd


def make_split(
    source: str | os.PathLike, target: str | os.PathLike, sizes: dict | None = None
) -> SplitReport:
    """Copy a balanced train/validation/test split of ``source`` into ``target``.

    ``source`` is Kaggle's training folder (``cat.N.jpg``, ``dog.N.jpg``, taken in numeric
    order as the source did) or ``cats_and_dogs_filtered`` (its validation photos are halved:
    the first ones validate, the rest test). Every photo is decoded before it is copied; bad
    files, hidden files (``._cat.1.jpg``, ``__MACOSX/``) and links out of ``source`` are skipped
    and reported, and the next good photo takes their place. Copies are atomic. A re-run keeps
    what is there, copies what is missing and removes only what an earlier split made (listed
    in ``.companion-split.json``); other files in ``target`` are left alone and reported. The
    target is locked while the split is made.

    Args:
        source: the folder of original photos.
        target: the split's folder, outside ``source``; created if needed.
        sizes: photos per class for each of ``"train"``, ``"validation"`` and ``"test"``;
            None for the source's 1,000 / 500 / 500 (a few dozen in a smoke run).

    Returns:
        A ``SplitReport``; print it.

    Raises:
        FileNotFoundError: if ``source`` is not a folder.
        ValueError: if ``target`` lies inside ``source`` or holds it.
        DataFormatError: if ``source`` holds neither layout, or no usable photo is left
            for a split and class.
        TimeoutError: if another make_split has held the target's lock for an hour.
    """
    source, target = Path(source).expanduser(), Path(target).expanduser()
    if not source.is_dir():
        raise FileNotFoundError(
            f"{source} is not a folder; unzip Kaggle's train.zip or cats_and_dogs_filtered.zip "
            "first."
        )
    _refuse_overlap(source, target)
    if sizes is None:
        sizes = {s: config.samples(SOURCE_SIZES[s], SMOKE_SIZES[s]) for s in SPLITS}
    target.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(target / LOCK, timeout=LOCK_TIMEOUT_S):
            return _make_split(source, target, sizes)
    except Timeout:
        raise TimeoutError(
            f"Another make_split has been writing into {target} for more than "
            f"{LOCK_TIMEOUT_S / 60:.0f} minutes "
            f"(it holds {target / LOCK}). Wait for it to finish, or stop it and run again."
        ) from None


def _refuse_overlap(source: Path, target: Path) -> None:
    real_source, real_target = source.resolve(), target.resolve()
    if real_target.is_relative_to(real_source) or real_source.is_relative_to(real_target):
        raise ValueError(
            f"The split's target {target} lies inside the photos' folder {source} (or holds it): "
            "the copies would "
            "mix with the originals, and a re-run would take them for photos. Choose a target "
            "outside it, e.g. "
            f"{real_source.parent / 'cats_and_dogs_small'}."
        )


def _make_split(source: Path, target: Path, sizes: dict) -> SplitReport:
    layout, pools, odd = _pools(source, sizes)
    report = SplitReport(folder=target, source=source, layout=layout, skipped=list(odd))
    made = _read_manifest(target)
    wanted: dict[Path, set] = {}
    try:
        for candidates, plan in pools:
            for cls in FOLDERS:
                files = iter(candidates[cls])
                for split, n in plan:
                    out = target / split / cls
                    out.mkdir(parents=True, exist_ok=True)
                    names = wanted.setdefault(out, set())
                    for path in files:
                        if len(names) == n:
                            # put the file back in front of the next split's queue
                            files = _chain(path, files)
                            break
                        if _place(
                            path, out / path.name, f"{split}/{cls}/{path.name}", made, report
                        ):
                            names.add(path.name)
                    report.counts.setdefault(split, {})[cls] = len(names)
                    if layout == "kaggle" and len(names) < n:
                        report.short.append(f"{split}/{cls}: {len(names)} of {n}")
                    if not names:
                        raise DataFormatError(
                            f"No usable {cls} photos left in {source} for {split}/; see the "
                            f"skipped files:\n{report}"
                        )
        _tidy(target, wanted, made, report)
    finally:  # also after a failure: what was copied is known to be ours next time
        write_json(
            target / MANIFEST,
            {"made_by": "companion.data.cats_dogs.make_split", "files": sorted(made)},
        )
    return report


def _read_manifest(target: Path) -> set:
    try:
        return set(json.loads((target / MANIFEST).read_text(encoding="utf-8"))["files"])
    except FileNotFoundError:
        return set()
    # damaged: then nothing counts as ours, nothing is removed
    except (ValueError, KeyError, TypeError, OSError):
        return set()


def _tidy(target: Path, wanted: dict, made: set, report: SplitReport) -> None:
    """Remove what an earlier split made and this one does not want; name everything else."""
    keep = {
        f"{out.relative_to(target).as_posix()}/{name}"
        for out, names in wanted.items()
        for name in names
    }
    for name in sorted(made - keep):
        path = target / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            report.removed_files.append(name)
        made.discard(name)
    report.removed = len(report.removed_files)
    for out in wanted:
        for path in sorted(out.iterdir()):
            name = f"{out.relative_to(target).as_posix()}/{path.name}"
            if name not in keep:
                report.foreign.append(name + ("/" if path.is_dir() else ""))


def _chain(first, rest):
    yield first
    yield from rest


def _place(path: Path, destination: Path, name: str, made: set, report: SplitReport) -> bool:
    """Copy one good photo atomically (or keep the copy already there); False if it is not used."""
    if destination.is_symlink() or destination.exists():
        if (
            name in made
            and destination.is_file()
            and destination.stat().st_size == path.stat().st_size
        ):
            report.kept += 1  # ours, and it was checked when it was copied
            return True
        if (
            not destination.is_symlink()
            and destination.is_file()
            and filecmp.cmp(path, destination, shallow=False)
        ):
            made.add(name)  # the very same photo (an interrupted run's copy, or an older split's)
            report.kept += 1
            return True
        if name not in made:  # somebody else's file of that name: never overwritten
            report.skipped.append(
                (
                    path.name,
                    f"{name} in the target is a different file that make_split did not make",
                )
            )
            return False
    problem = check_image(path)
    if problem:
        report.skipped.append((path.name, problem))
        return False
    with atomic_path(destination) as tmp:
        shutil.copyfile(path, tmp)
    made.add(name)
    report.copied += 1
    return True


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
