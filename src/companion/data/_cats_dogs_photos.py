"""The photos a cats-vs-dogs split is made from, and the check each one passes.

Two layouts: Kaggle's training folder (``cat.N.jpg``, ``dog.N.jpg``, taken in numeric order)
and Google's ``cats_and_dogs_filtered``. ``check_image`` decodes a photo before it is used.
Imported through ``companion.data.cats_dogs``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .._scan import leaves, visible_files
from ..errors import DataFormatError

FOLDERS = ("cats", "dogs")  # alphabetical, so that image_dataset_from_directory labels cat 0, dog 1
SPLITS = ("train", "validation", "test")
KAGGLE_NAME = re.compile(r"^(cat|dog)\.(\d+)\.jpe?g$", re.IGNORECASE)
NUMBER = re.compile(r"(\d+)")


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
