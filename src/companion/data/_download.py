"""The one downloader every dataset uses.

A file is looked for in the cache first. Otherwise it is fetched from the mirror
named by ``COMPANION_MIRROR`` (if any) and then from its original address, written
to a ``.part`` file (resumed where the server allows it), checked against its
published sha256 and only then renamed into place. With no network the error
names the file, the cache path and how to put the file there by hand.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import ChecksumError, DownloadError

CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """A file we know how to get: its name, where it lives, and its sha256."""

    dataset: str  # sub-folder of the cache, e.g. "mnist"
    name: str  # file name, also what a mirror serves under its base URL
    url: str  # the original download address
    sha256: str

    def cache_path(self) -> Path:
        return config.cache_dir() / self.dataset / self.name


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: str | os.PathLike, sha256: str) -> None:
    """Raise :class:`ChecksumError` unless the file's sha256 is ``sha256``."""
    actual = sha256_of(path)
    if actual != sha256:
        raise ChecksumError(
            f"{path} has sha256 {actual}, but {sha256} was expected: the file is corrupt, "
            "truncated or not the official one. Delete it and download it again."
        )


def fetch(remote: RemoteFile, timeout: float = 30.0) -> Path:
    """Return the local path of ``remote``, downloading and checking it if needed."""
    target = remote.cache_path()
    if target.exists():
        verify(target, remote.sha256)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)

    urls = ([config.mirror() + remote.name] if config.mirror() else []) + [remote.url]
    failures = []
    for url in urls:
        try:
            _download(url, target, remote.sha256, timeout)
            return target
        except (urllib.error.URLError, OSError, ChecksumError) as exc:
            failures.append(f"  {url}: {exc}")
    raise DownloadError(
        f"Could not download {remote.name} for the {remote.dataset} dataset.\n"
        + "\n".join(failures)
        + f"\nWhat to do: download it by hand from {remote.url} and save it as\n"
        f"  {target}\n"
        "(sha256 " + remote.sha256 + "), or set COMPANION_MIRROR to a base URL that serves "
        f"{remote.name}, or set COMPANION_DATA_DIR to a folder holding {remote.dataset}/{remote.name}."
    ) from None


def _download(url: str, target: Path, sha256: str, timeout: float) -> None:
    part = target.with_name(target.name + ".part")
    done = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "companion"})
    if done:
        # Resume a broken download: ask only for the bytes we lack.
        request.add_header("Range", f"bytes={done}-")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        resumed = done and getattr(response, "status", 200) == 206
        with open(part, "ab" if resumed else "wb") as f:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                f.write(chunk)
    try:
        verify(part, sha256)
    except ChecksumError:
        part.unlink()  # a bad file must not be resumed from
        raise
    os.replace(part, target)
