"""One file from one address: a ``.part`` resumed where the server allows, checked, renamed.

The bytes go to ``<name>.part`` (continued with a ``Range`` request after an interruption),
the whole is checked against its published sha256 (``verify``) and only then renamed into
place. ``_download.fetch`` decides which addresses to try and in what order.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ChecksumError, DownloadError

if TYPE_CHECKING:
    from ._download import RemoteFile

CHUNK = 1 << 20
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class _Restart(Exception):
    """The ``.part`` cannot be continued from this answer: drop it and ask for the whole file."""


def sha256_of(path: str | os.PathLike) -> str:
    """The sha256 of a file, read a chunk at a time.

    Args:
        path: the file.

    Returns:
        The digest as 64 lowercase hexadecimal digits.

    Raises:
        OSError: if the file cannot be opened or read.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: str | os.PathLike, sha256: str) -> None:
    """Check a file against its published sha256.

    Args:
        path: the file.
        sha256: the expected digest, 64 lowercase hexadecimal digits.

    Raises:
        ChecksumError: if the file's sha256 differs (corrupt, truncated or another file).
        OSError: if the file cannot be opened or read.
    """
    actual = sha256_of(path)
    if actual != sha256:
        raise ChecksumError(
            f"{path} has sha256 {actual}, but {sha256} was expected: the file is corrupt, "
            "truncated or not the official one."
        )


def _part(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _download(url: str, target: Path, remote: RemoteFile, timeout: float, deadline: float) -> None:
    part = _part(target)
    if part.exists() and remote.size is not None and part.stat().st_size >= remote.size:
        # A crash after the last byte (or a .part of some other file): no server can add to it.
        if part.stat().st_size == remote.size and sha256_of(part) == remote.sha256:
            os.replace(part, target)
            return
        part.unlink()
    for attempt in (1, 2):
        try:
            _receive(url, part, remote, timeout, time.monotonic() + deadline, deadline)
            break
        except _Restart as exc:
            part.unlink(missing_ok=True)
            if attempt == 2:
                raise DownloadError(
                    f"the server cannot continue a download properly ({exc})"
                ) from None
    try:
        verify(part, remote.sha256)
    except ChecksumError:
        part.unlink()  # a bad file must not be resumed from
        raise
    os.replace(part, target)


def _receive(
    url: str, part: Path, remote: RemoteFile, timeout: float, give_up_at: float, deadline: float
) -> None:
    """Append the bytes ``part`` lacks (or write the whole file) from ``url``."""
    done = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "companion"})
    if done:
        request.add_header("Range", f"bytes={done}-")  # resume: ask only for the bytes we lack
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        # "range not satisfiable": the .part is not a prefix of this file
        if exc.code == 416 and done:
            raise _Restart(f"HTTP 416 for the bytes after the {done:,} in {part.name}") from None
        raise
    with response:
        start = _start_of(response, done, remote.size)
        remaining = None if remote.size is None else remote.size - start
        length = response.headers.get("Content-Length")
        if remaining is not None and length and length.isdigit() and int(length) > remaining:
            raise DownloadError(
                f"the server announces {int(length):,} bytes, but only {remaining:,} are missing "
                f"of the {remote.size:,}-byte file"
            )
        with open(part, "ab" if start else "wb") as f:
            received = 0
            while chunk := response.read1(CHUNK):
                received += len(chunk)
                if remaining is not None and received > remaining:
                    f.close()
                    part.unlink()
                    raise DownloadError(
                        f"the server sent more than the file's {remote.size:,} bytes; gave up"
                    )
                f.write(chunk)
                if time.monotonic() > give_up_at:
                    raise DownloadError(
                        f"gave up after {deadline:g} s with {start + received:,} bytes"
                        + (f" of {remote.size:,}" if remote.size else "")
                        + " received: the connection is too slow"
                    )
    # read1() ends quietly where the connection ended; a short body is kept in .part for resuming.
    have = part.stat().st_size
    expected = (
        remote.size
        if remote.size is not None
        else (start + int(length) if length and length.isdigit() else None)
    )
    if expected is not None and have < expected:
        raise DownloadError(f"the connection ended after {have:,} of {expected:,} bytes")


def _start_of(response, done: int, size: int | None) -> int:
    """Where the body of ``response`` starts in the file: ``done`` for a proper resume, else 0."""
    if getattr(response, "status", 200) != 206:
        return 0  # the server ignored the Range header and sends the whole file
    match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    # a range we did not ask for would corrupt the file
    if not match or int(match.group(1)) != done:
        raise _Restart(
            f"asked for the bytes from {done:,}, got Content-Range "
            f"{response.headers.get('Content-Range')!r}"
        )
    total = match.group(3)
    if size is not None and total != "*" and int(total) != size:
        raise DownloadError(
            f"the server's copy has {int(total):,} bytes, but the file has {size:,}"
        )
    return done
