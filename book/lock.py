"""One experiment at a time: the machine lock, and the load average every record carries.

Two trainings on one 2-core machine each run several times slower, and their timings mean
nothing. ``scripts/build_figures.py`` therefore holds :class:`ExperimentLock` while it
trains: a second experiment either waits for the first or stops with a message naming
the one that holds the machine. The load average at the start of the experiment and when
a record is written goes into every record, so a reader can tell a quiet run from a
crowded one (the load average itself: :func:`companion.machine.load_average`, which
``companion.train`` records too).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from filelock import FileLock, Timeout

from companion import config
from companion.errors import CompanionError
from companion.machine import load_average

_start_load: float | None = None


class MachineBusy(CompanionError, RuntimeError):
    """Another experiment holds the machine."""


def mark_start() -> None:
    """Remember the load average at the start of an experiment (see :func:`load_average_span`)."""
    global _start_load
    _start_load = load_average()


def load_average_span() -> dict | None:
    """``{"start": ..., "end": ...}``: the load at :func:`mark_start` (or now) and now."""
    end = load_average()
    if end is None:
        return None
    return {"start": end if _start_load is None else _start_load, "end": end}


def lock_path() -> Path:
    return config.cache_dir() / "experiment.lock"


class ExperimentLock:
    """An exclusive, machine-wide lock for training runs (a file lock in the cache folder).

    ``wait=False`` (the default) fails at once with :class:`MachineBusy` when another
    experiment holds the lock; ``wait=True`` waits for it. The holder writes who it is
    beside the lock, so the message can say what is running. The operating system frees
    the lock when the holder's process ends, even when it is killed.
    """

    def __init__(self, what: str, wait: bool = False, path: str | os.PathLike | None = None):
        self.what = what
        self.wait = wait
        self.path = Path(path) if path else lock_path()
        self.info_path = self.path.with_suffix(".holder.json")
        self._lock = FileLock(str(self.path))

    def holder(self) -> dict | None:
        try:
            return json.loads(self.info_path.read_text())
        except (OSError, ValueError):
            return None

    def __enter__(self):
        try:
            self._lock.acquire(timeout=-1 if self.wait else 0)
        except Timeout:
            holder = self.holder() or {}
            since = holder.get("since", "an unknown time")
            raise MachineBusy(
                f"Another experiment holds this machine: {holder.get('what', 'unknown')} "
                f"(process {holder.get('pid', '?')}, since {since}). Two trainings at once "
                "make both several times slower and their timings meaningless. Wait for it "
                f"to finish, run again with --wait, or stop it (lock file: {self.path})."
            ) from None
        info = {"what": self.what, "pid": os.getpid(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.info_path.write_text(json.dumps(info))
        mark_start()
        return self

    def __exit__(self, *exc):
        try:
            self.info_path.unlink()
        except OSError:
            pass
        self._lock.release()
        return False
