"""Atomic file writing: a reader never sees a half-written file.

Everything is written to a temporary file in the destination folder, then renamed over
the destination in one step (``os.replace``), or, where an existing file must never be
replaced, linked to a free name (``write_new``).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def _temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty file in ``path``'s folder (which must exist), with a new file's usual
    permissions."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    # mkstemp makes the file private (0600); give it the usual permissions of a new file.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The folder is created if needed; the temporary file is removed whatever happens.

    Args:
        path: the file to write.
        suffix: the end of the temporary name, for writers that insist on one (Keras
            saves weights only to a name ending in ``.weights.h5``).

    Yields:
        The temporary path, an existing empty file, to write to.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _temp_beside(path, suffix)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_new(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write a new file atomically without ever replacing one; return where it went.

    The file appears at ``path``, or at ``stem-1.ext``, ``stem-2.ext`` ... if that name is
    taken: a hard link never replaces an existing file, even one another process made a
    moment ago.

    Args:
        path: the name wanted; its folder must exist (it is not created).
        write: fills the temporary file whose path it is given.

    Returns:
        The path the file got.

    Raises:
        OSError: the folder does not exist or is not writable, or linking fails for a
            reason other than a file system without hard links.
    """
    path = Path(path)
    tmp = _temp_beside(path)
    try:
        write(tmp)
        for n in itertools.count():
            candidate = path if n == 0 else path.with_name(f"{path.stem}-{n}{path.suffix}")
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                continue
            except OSError as exc:  # a file system without hard links (FAT, some network shares)
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                try:  # claim the name first (O_EXCL), then move the complete file over the claim
                    os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    continue
                os.replace(tmp, candidate)
                return candidate
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes to a file atomically, flushed to disk.

    Args:
        path: the file; its folder is created if needed.
        data: the contents.

    Returns:
        ``path``, as a ``Path``.
    """
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write text to a file atomically, as UTF-8.

    Args:
        path: the file; its folder is created if needed.
        text: the contents.

    Returns:
        ``path``, as a ``Path``.
    """
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj) -> Path:
    """Write an object as indented JSON (UTF-8, non-ASCII kept) atomically.

    Args:
        path: the file; its folder is created if needed.
        obj: anything ``json.dumps`` takes.

    Returns:
        ``path``, as a ``Path``.
    """
    return write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
