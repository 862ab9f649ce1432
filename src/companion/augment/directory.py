"""Reading a ``directory/<class>/<image>`` tree, as ``flow_from_directory`` did, with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._scan import leaves, visible_dirs, visible_files
from ..errors import DataFormatError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".gif", ".webp")
COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
CLASS_MODES = ("categorical", "binary", "sparse", "input", None)


def list_images(directory, classes=None) -> tuple[list[Path], np.ndarray, dict[str, int]]:
    """The images of a ``directory/<class>/<image>`` tree and their labels.

    Hidden folders are no class; images in sub-folders of a class folder count.

    Args:
        directory: the tree's root.
        classes: the class folders' names in label order; None for every visible
            sub-folder, sorted by name.

    Returns:
        ``(paths, labels, class_indices)``: the image paths, their class indices (int64,
            shape (N,)) and ``{class name: index}``.

    Raises:
        FileNotFoundError: if ``directory`` or a class folder is missing, or no image is
            found.
        DataFormatError: if a class folder or image is a link that leads out of
            ``directory``.
    """
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"{str(root)!r} is not a folder; "
            "flow_from_directory expects directory/<class>/<images>."
        )
    if classes is None:  # hidden folders (__MACOSX/, .ipynb_checkpoints/) are no class
        classes = [p.name for p in visible_dirs(root)]
    class_indices = {name: i for i, name in enumerate(classes)}
    paths, labels = [], []
    for name, index in class_indices.items():
        folder = root / name
        if not folder.is_dir():
            raise FileNotFoundError(f"class folder {str(folder)!r} does not exist")
        files, links_out = visible_files(folder, root=root, recursive=True)
        if links_out or leaves(folder, root):
            shown = ", ".join(repr(str(p)) for p in (links_out or [folder])[:3])
            raise DataFormatError(
                f"{shown} lead{'s' if len(links_out) <= 1 else ''} out of {str(root)!r} "
                "through a symbolic link; flow_from_directory reads only images inside the "
                "folder it is given. Copy the images in, or pass the folder that really holds them."
            )
        for path in files:
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                paths.append(path)
                labels.append(index)
    if not paths:
        raise FileNotFoundError(
            f"no images ({', '.join(IMAGE_EXTENSIONS)}) found under {str(root)!r}; "
            "it must hold one sub-folder per class with the images inside."
        )
    return paths, np.asarray(labels, dtype="int64"), class_indices


def load_images(paths, target_size, color_mode: str = "rgb") -> np.ndarray:
    """Read, convert and resize images (nearest neighbour, as the old default) into one array.

    Args:
        paths: the image files.
        target_size: (height, width) in pixels.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.

    Returns:
        float32 pixels in 0-255, (N, height, width, 1, 3 or 4 channels).

    Raises:
        DataFormatError: if a file cannot be read as an image.
    """
    from PIL import Image, UnidentifiedImageError

    mode = COLOR_MODES[color_mode]
    height, width = target_size
    batch = []
    for path in paths:
        try:
            with Image.open(path) as picture:
                picture = picture.convert(mode)
                if picture.size != (width, height):
                    # the old default
                    picture = picture.resize((width, height), Image.Resampling.NEAREST)
                pixels = np.asarray(picture, dtype="float32")
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
            # DecompressionBombError: more pixels than Pillow's safety limit
            # (Image.MAX_IMAGE_PIXELS)
            raise DataFormatError(
                f"cannot read image {str(path)!r} ({error}); delete or replace the file."
            ) from None
        batch.append(pixels[..., None] if pixels.ndim == 2 else pixels)
    return np.stack(batch)


def check_options(target_size, color_mode, class_mode):
    """Check ``flow_from_directory``'s options before any file is read.

    Args:
        target_size: (height, width) in pixels.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        class_mode: ``"categorical"``, ``"binary"``, ``"sparse"``, ``"input"`` or None.

    Returns:
        ``target_size`` as a tuple of two ints.

    Raises:
        ValueError: for an unknown mode or a size that is not two positive numbers.
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(
            f"unknown color_mode {color_mode!r}; choose one of {', '.join(COLOR_MODES)}."
        )
    if class_mode not in CLASS_MODES:
        raise ValueError(f"unknown class_mode {class_mode!r}; choose one of {CLASS_MODES}.")
    if len(tuple(target_size)) != 2 or min(target_size) < 1:
        raise ValueError(f"target_size must be (height, width) in pixels, got {target_size!r}")
    return tuple(int(v) for v in target_size)
