"""The one downloader every dataset uses: cache first, then mirror, then the original address.

A download goes to a ``.part`` file (resumed where the server allows it), is checked against
its published sha256 and only then renamed into place; one process at a time fetches a file.
With no network the error names the file, the cache path and how to put the file there by hand.
The transfer from one address (resuming, checking, renaming) is ``_transfer``'s.
"""

from __future__ import annotations

import http.client
import urllib.error
import warnings
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .. import config
from ..errors import ChecksumError, CompanionError, DataFormatError, DownloadError
from . import _local
from ._transfer import _download, _part, sha256_of, verify

__all__ = ["RemoteFile", "default_deadline", "fetch", "sha256_of", "verify"]

#: A download slower than this on average is given up (after MIN_DEADLINE_S at least).
MIN_BYTES_PER_S = 50_000
MIN_DEADLINE_S = 300.0
#: How long a second process waits for the first one's download of the same file.
LOCK_TIMEOUT_S = 3 * 3600.0


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
