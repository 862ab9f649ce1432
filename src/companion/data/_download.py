"""The one downloader every dataset uses: cache first, then mirror, then the original address.

A download goes to a ``.part`` file (resumed where the server allows it), is checked against
its published sha256 and only then renamed into place; one process at a time fetches a file.
With no network the error names the file, the cache path and how to put the file there by hand.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .. import config
from ..errors import ChecksumError, CompanionError, DataFormatError, DownloadError
from . import _local

CHUNK = 1 << 20
#: A download slower than this on average is given up (after MIN_DEADLINE_S at least).
MIN_BYTES_PER_S = 50_000
MIN_DEADLINE_S = 300.0
#: How long a second process waits for the first one's download of the same file.
LOCK_TIMEOUT_S = 3 * 3600.0
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class RemoteFile:
    """A file we know how to get: its name, where it lives, its sha256 and its size.

    Args:
        dataset: the sub-folder of the cache, e.g. ``"mnist"``.
        name: the file name, also what a mirror serves under its base URL.
        url: the original download address.
        sha256: the published sha256, as 64 hexadecimal digits.
        size: the file's size in bytes, or None if unknown; a server may send no more.
    """

    dataset: str  # sub-folder of the cache, e.g. "mnist"
    name: str  # file name, also what a mirror serves under its base URL
    url: str  # the original download address
    sha256: str
    size: int | None = None  # bytes; a server may send no more than this

    def cache_path(self) -> Path:
        """Where the file lives in the download cache.

        Returns:
            ``<cache>/<dataset>/<name>``; the file need not exist yet.

        Raises:
            ConfigError: if the download cache cannot be created or written to.
        """
        return config.cache_dir() / self.dataset / self.name

    def describe(self) -> str:
        """The file in words, for error messages.

        Returns:
            ``"the official NAME from URL (sha256 ..., N bytes)"``.
        """
        size = "" if self.size is None else f", {self.size:,} bytes"
        return f"the official {self.name} from {self.url} (sha256 {self.sha256}{size})"


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


def default_deadline(size: int | None) -> float:
    """How long one download may take: at least MIN_BYTES_PER_S on average.

    Args:
        size: the file's size in bytes, or None if unknown.

    Returns:
        The deadline in seconds, never under MIN_DEADLINE_S.
    """
    return max(MIN_DEADLINE_S, (size or 0) / MIN_BYTES_PER_S)


def fetch(remote: RemoteFile, timeout: float = 30.0, deadline: float | None = None) -> Path:
    """The local path of ``remote``, downloading and checking it if needed.

    Args:
        remote: the file to get.
        timeout: seconds to wait for each network step (connecting, each read).
        deadline: seconds the whole download from one address may take; None for
            ``default_deadline`` of the file's size.

    Returns:
        The path of the checked file in the download cache.

    Raises:
        DownloadError: if no address delivers the file (the message says how to place it
            by hand), or another process has held the file's lock for too long.
        ChecksumError: if the cached or downloaded file has the wrong sha256.
        DataFormatError: if the cache holds something unreadable under the file's name.
        ConfigError: if the download cache cannot be created or written to.
    """
    target = remote.cache_path()
    if target.exists():
        return _cached(remote, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The lock lives apart from the data, so that the dataset folder holds only data files.
    lock_path = config.cache_dir() / ".locks" / f"{remote.dataset}-{remote.name}.lock"
    lock_path.parent.mkdir(exist_ok=True)
    try:
        with FileLock(lock_path, timeout=LOCK_TIMEOUT_S):
            if target.exists():  # another process downloaded it while we waited
                return _cached(remote, target)
            return _fetch_unlocked(remote, target, timeout, deadline)
    except Timeout:
        raise DownloadError(
            f"Another process has been downloading {remote.name} for more than "
            f"{LOCK_TIMEOUT_S / 3600:.0f} hours "
            f"(it holds the lock {lock_path}). Wait for it, or stop it and run again."
        ) from None


def _cached(remote: RemoteFile, target: Path) -> Path:
    """``target`` once its sha256 is checked; else an error naming it and what to do."""
    try:
        verify(target, remote.sha256)
    except ChecksumError as exc:  # kept (not deleted): the reader decides
        raise ChecksumError(f"{exc}\n{_local.advice(target, remote.describe(), '')}") from None
    except OSError as exc:  # a folder or an unreadable file where the file should be
        raise DataFormatError(
            f"{target} cannot be read ({type(exc).__name__}: {exc.strerror or exc})\n"
            + _local.advice(target, remote.describe(), "")
        ) from None
    return target


def _urls(remote: RemoteFile, failures: list) -> list[str]:
    """The mirror's address of the file (if a usable mirror is set), then the original address."""
    try:
        mirror = config.mirror()
    except CompanionError as exc:  # a mistyped COMPANION_MIRROR must not hide the original address
        warnings.warn(str(exc), stacklevel=3)
        failures.append(f"  COMPANION_MIRROR: {exc}")
        mirror = None
    return ([mirror + remote.name] if mirror else []) + [remote.url]


def _fetch_unlocked(
    remote: RemoteFile, target: Path, timeout: float, deadline: float | None
) -> Path:
    failures: list[str] = []
    for url in _urls(remote, failures):
        try:
            _download(
                url,
                target,
                remote,
                timeout,
                default_deadline(remote.size) if deadline is None else deadline,
            )
            return target
        except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError is an OSError
            failures.append(f"  {url}: {_reason(exc)}")
    part = _part(target)
    kept = (
        f"\nThe {part.stat().st_size:,} bytes received so far are kept in {part} and the next try "
        "resumes "
        "from there; delete that file to start afresh."
        if part.exists()
        else ""
    )
    raise DownloadError(
        f"Could not download {remote.name} for the {remote.dataset} dataset.\n"
        + "\n".join(failures)
        + kept
        + f"\nWhat to do: download it by hand from {remote.url} and save it as\n"
        f"  {target}\n"
        "(sha256 " + remote.sha256 + "), or set COMPANION_MIRROR to a base URL that serves "
        f"{remote.name}, or set COMPANION_DATA_DIR to a folder holding "
        f"{remote.dataset}/{remote.name}."
    ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (CompanionError, urllib.error.URLError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"  # IncompleteRead(...), BadStatusLine, timeouts ...


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
