"""Listing the files of an image folder the way a reader means it.

Two kinds of entries are not the reader's images although they sit in the folder:

* hidden entries -- macOS leaves ``._photo.jpg`` (AppleDouble metadata, not a JPEG) beside
  every copied file and a ``__MACOSX/`` folder in every zip it makes, other tools leave
  ``.DS_Store`` or ``.ipynb_checkpoints/``: they are skipped;
* links that lead out of the folder -- following them would read (and copy) files the
  folder does not hold: they are returned separately, for the caller to refuse or report.
"""

from __future__ import annotations

from pathlib import Path


def is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def leaves(path: Path, root: Path) -> bool:
    """True if ``path`` (under ``root``) resolves to something outside ``root``, through a link."""
    return not path.resolve().is_relative_to(root.resolve())


def visible_dirs(folder: Path) -> list[Path]:
    """The sub-folders of ``folder`` that are not hidden, sorted by name."""
    return sorted(p for p in folder.iterdir() if not is_hidden(p.name) and p.is_dir())


def visible_files(
    folder: Path, root: Path | None = None, recursive: bool = False
) -> tuple[list[Path], list[Path]]:
    """``(files, links_out)``: the files of ``folder`` that are not hidden and stay inside ``root``.

    ``links_out`` holds the entries that lead outside ``root`` (default: ``folder``). With
    ``recursive``, sub-folders are searched too, except hidden ones.
    """
    root = folder if root is None else root
    entries = folder.rglob("*") if recursive else folder.iterdir()
    files, links_out = [], []
    for path in sorted(entries):
        if any(is_hidden(part) for part in path.relative_to(folder).parts):
            continue
        if leaves(path, root):
            links_out.append(path)
        elif path.is_file():
            files.append(path)
    return files, links_out
