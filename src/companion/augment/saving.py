"""Writing augmented images to disk: checked folder, atomic files, readable formats."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._io import write_new

#: file extension -> Pillow format name
FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "bmp": "BMP", "tif": "TIFF", "tiff": "TIFF"}


def check_save_dir(save_to_dir, save_format: str) -> tuple[Path, str]:
    """Fail early, with what to do, if the folder is missing or unwritable or the format unknown.

    Args:
        save_to_dir: the folder the images go to; it must exist.
        save_format: png, jpg, jpeg, bmp, tif or tiff (any case, a leading dot allowed).

    Returns:
        ``(folder, format)``: the folder as a ``Path`` and the lower-case extension.

    Raises:
        ValueError: for an unknown format.
        FileNotFoundError: if the folder does not exist.
        NotADirectoryError: if it is a file.
        PermissionError: if it is not writable.
    """
    fmt = str(save_format).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"unknown save_format {save_format!r}; choose one of {', '.join(FORMATS)}."
        )
    folder = Path(save_to_dir).expanduser()
    if not folder.exists():
        raise FileNotFoundError(
            f"save_to_dir {str(folder)!r} does not exist; create it first, "
            f"e.g. os.makedirs({str(folder)!r}, exist_ok=True)."
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"save_to_dir {str(folder)!r} is a file, not a folder; pass a folder."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            f"save_to_dir {str(folder)!r} is not writable; pass a folder you can write to."
        )
    return folder, fmt


def check_save_prefix(save_prefix) -> str:
    """Check the prefix of the saved files' names: a plain name, never a path.

    Args:
        save_prefix: the prefix, or None for none.

    Returns:
        The prefix as a string (``""`` for None).

    Raises:
        ValueError: if it holds a path separator (or a NUL), which could lead out of
            save_to_dir.
    """
    prefix = "" if save_prefix is None else str(save_prefix)
    if any(sep in prefix for sep in ("/", "\\", "\0")):
        raise ValueError(
            f"save_prefix {prefix!r} contains a path separator; "
            "it only starts each file's name inside save_to_dir (e.g. 'cat'). "
            "To save somewhere else, pass that folder as save_to_dir."
        )
    return prefix


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Stretch one image to 0–255, as the old ``array_to_img(scale=True)`` did.

    Args:
        image: one image of any real dtype (standardized or whitened values included).

    Returns:
        uint8 pixels of the same shape, its minimum at 0 and maximum at 255 (all 0 for a
            flat image).
    """
    image = np.asarray(image, dtype="float64")
    low, high = image.min(), image.max()
    if high > low:
        image = (image - low) / (high - low) * 255.0
    else:
        image = np.zeros_like(image)
    return np.round(image).astype("uint8")


def save_image(image: np.ndarray, path: Path, fmt: str) -> Path:
    """Write one (H, W, C) image atomically as a new file; return its path.

    Readers never see a half-written file, an existing file is never replaced (a taken name
    gets ``-1``, ``-2`` ... before the extension), and a folder that has gone is not re-created.

    Args:
        image: (height, width, channels) with 1, 3 or 4 channels, stretched by
            ``to_uint8``.
        path: the file to write.
        fmt: a key of ``FORMATS``, e.g. ``"png"``.

    Returns:
        The path actually written.

    Raises:
        ValueError: for another number of channels.
        FileNotFoundError: if the folder no longer exists.
    """
    from PIL import Image

    pixels = to_uint8(image)
    channels = pixels.shape[-1]
    if channels == 1:
        picture = Image.fromarray(pixels[..., 0], mode="L")
    elif channels in (3, 4):
        picture = Image.fromarray(pixels, mode="RGB" if channels == 3 else "RGBA")
        if FORMATS[fmt] == "JPEG":
            picture = picture.convert("RGB")
    else:
        raise ValueError(f"cannot save an image with {channels} channels; images need 1, 3 or 4.")
    try:
        return write_new(path, lambda tmp: picture.save(tmp, format=FORMATS[fmt]))
    except FileNotFoundError:
        if path.parent.is_dir():
            raise
        raise FileNotFoundError(
            f"save_to_dir {str(path.parent)!r} no longer exists; "
            "create it again (os.makedirs) or pass another folder."
        ) from None
