"""What a loader says about a dataset file that is there but cannot be used.

A file in the data folder (``COMPANION_DATA_DIR``, or a ``path`` given to a loader) is the
reader's own: the error names it and says what to do, and it is never deleted, replaced or
passed over for a download. A file in the download cache is the package's: the error says
how to get a fresh copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import config
from ..errors import ChecksumError, CompanionError, DataFormatError


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _cache() -> Path | None:
    try:
        return config.cache_dir()
    except CompanionError:  # an unusable cache setting is reported where the cache is used
        return None


def in_cache(path: Path) -> bool:
    """Whether a path lies in the download cache (and not in the data folder).

    Args:
        path: a file or folder.

    Returns:
        True for a path inside the cache; False otherwise, also when the cache setting
            is unusable.
    """
    return not _inside(path, config.data_dir()) and _inside(path, _cache())


def whose(path: Path) -> str:
    """Where a file of the reader's lies, in words.

    Args:
        path: a file or folder outside the download cache.

    Returns:
        ``"your data folder (COMPANION_DATA_DIR=...)"`` or ``"a folder of yours ..."``.
    """
    data = config.data_dir()
    if _inside(path, data):
        return f"your data folder (COMPANION_DATA_DIR={data})"
    return "a folder of yours (the path you gave)"


def advice(path: Path, official: str, instead: str) -> str:
    """What to do about an unusable file, in words.

    Args:
        path: the file that cannot be used.
        official: the file that belongs there, with its sha256 and size where known.
        instead: in the data folder, what to remove and what the loader then does.

    Returns:
        A sentence or two for the end of an error message.
    """
    if in_cache(path):
        return (
            "It is in the download cache. What to do: delete it and run again, and "
            f"{official} is downloaded afresh."
        )
    other = f"; or {instead}" if _inside(path, config.data_dir()) else ""
    return (
        f"It is in {whose(path)}, so it is left as it is: not deleted, not replaced, and no "
        f"download is tried in its place. What to do: replace it with {official}{other}."
    )


@contextmanager
def reading(path: Path, official: str, instead: str) -> Iterator[None]:
    """A block that reads ``path``; a failure in it names the file and what to do about it.

    Args:
        path: the file the block reads.
        official: the file that belongs there (see ``advice``).
        instead: what else the reader can do in the data folder (see ``advice``).

    Yields:
        Nothing; the block runs inside.

    Raises:
        ChecksumError: for a ``ChecksumError`` in the block, with advice added.
        DataFormatError: for any other package error, ``OSError`` or ``ValueError`` there.
        FileNotFoundError: passed through unchanged.
    """
    try:
        yield
    except FileNotFoundError:
        raise
    except (CompanionError, OSError, ValueError) as exc:
        problem = str(exc) if isinstance(exc, CompanionError) else f"{type(exc).__name__}: {exc}"
        if str(path) not in problem:
            problem = f"{path} cannot be read ({problem})"
        kind = type(exc) if isinstance(exc, (ChecksumError, DataFormatError)) else DataFormatError
        raise kind(f"{problem}\n{advice(path, official, instead)}") from None


def refuse_partial(folder: Path, what: str, names: list[str], instead: str) -> None:
    """Refuse a folder that holds part of a set of files.

    Args:
        folder: the folder to look in.
        what: the set in words, e.g. ``"MNIST's set of four IDX files"``.
        names: the file names of the set, relative to ``folder``.
        instead: what else the reader can do in the data folder.

    Raises:
        FileNotFoundError: if ``folder`` holds some of ``names`` but not all (see
            ``incomplete``).
    """
    missing = [name for name in names if not (folder / name).exists()]
    if 0 < len(missing) < len(names):
        raise incomplete(folder, what, missing, instead)


def incomplete(folder: Path, what: str, missing: list[str], instead: str) -> FileNotFoundError:
    """The error for a set of files of which some are in ``folder`` and others are not.

    Args:
        folder: the folder holding part of the set.
        what: the set in words.
        missing: the names that are not there.
        instead: what else the reader can do in the data folder.

    Returns:
        A ``FileNotFoundError`` (not raised) that names the missing files and what to do.
    """
    place = "the download cache" if in_cache(folder) else whose(folder)
    other = f"; or {instead}" if _inside(folder, config.data_dir()) else ""
    return FileNotFoundError(
        f"{folder} holds part of {what}, but not {', '.join(missing)}. It is in {place}, and "
        f"nothing is downloaded in its place. What to do: put the missing file(s) there{other}."
    )
