"""Making the split: copying a balanced train / validation / test split of the photos.

``make_split`` copies checked photos atomically, keeps what an earlier run copied, removes
only what it made itself (listed in the target's manifest) and locks the target while it
works. Imported through ``companion.data.cats_dogs``.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

from .. import config
from .._io import atomic_path, write_json
from ..errors import DataFormatError
from ._cats_dogs_photos import FOLDERS, SPLITS, _pools, check_image
from ._cats_dogs_report import SplitReport

SOURCE_SIZES = {"train": 1000, "validation": 500, "test": 500}  # per class, as in the source
SMOKE_SIZES = {"train": 30, "validation": 10, "test": 10}
#: In the target: the files make_split made (so that it removes nothing else), and its lock.
MANIFEST = ".companion-split.json"
LOCK = ".companion-split.lock"
#: How long a second make_split waits for a first one writing into the same target.
LOCK_TIMEOUT_S = 3600.0


def make_split(
    source: str | os.PathLike, target: str | os.PathLike, sizes: dict | None = None
) -> SplitReport:
    """Copy a balanced train/validation/test split of ``source`` into ``target``.

    ``source`` is Kaggle's training folder (``cat.N.jpg``, ``dog.N.jpg``, taken in numeric
    order as the source did) or ``cats_and_dogs_filtered`` (its validation photos are halved:
    the first ones validate, the rest test). Every photo is decoded before it is copied; bad
    files, hidden files (``._cat.1.jpg``, ``__MACOSX/``) and links out of ``source`` are skipped
    and reported, and the next good photo takes their place. Copies are atomic. A re-run keeps
    what is there, copies what is missing and removes only what an earlier split made (listed
    in ``.companion-split.json``); other files in ``target`` are left alone and reported. The
    target is locked while the split is made.

    Args:
        source: the folder of original photos.
        target: the split's folder, outside ``source``; created if needed.
        sizes: photos per class for each of ``"train"``, ``"validation"`` and ``"test"``;
            None for the source's 1,000 / 500 / 500 (a few dozen in a smoke run).

    Returns:
        A ``SplitReport``; print it.

    Raises:
        FileNotFoundError: if ``source`` is not a folder.
        ValueError: if ``target`` lies inside ``source`` or holds it.
        DataFormatError: if ``source`` holds neither layout, or no usable photo is left
            for a split and class.
        TimeoutError: if another make_split has held the target's lock for an hour.
    """
    source, target = Path(source).expanduser(), Path(target).expanduser()
    if not source.is_dir():
        raise FileNotFoundError(
            f"{source} is not a folder; unzip Kaggle's train.zip or cats_and_dogs_filtered.zip "
            "first."
        )
    _refuse_overlap(source, target)
    if sizes is None:
        sizes = {s: config.samples(SOURCE_SIZES[s], SMOKE_SIZES[s]) for s in SPLITS}
    target.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(target / LOCK, timeout=LOCK_TIMEOUT_S):
            return _make_split(source, target, sizes)
    except Timeout:
        raise TimeoutError(
            f"Another make_split has been writing into {target} for more than "
            f"{LOCK_TIMEOUT_S / 60:.0f} minutes "
            f"(it holds {target / LOCK}). Wait for it to finish, or stop it and run again."
        ) from None


def _refuse_overlap(source: Path, target: Path) -> None:
    real_source, real_target = source.resolve(), target.resolve()
    if real_target.is_relative_to(real_source) or real_source.is_relative_to(real_target):
        raise ValueError(
            f"The split's target {target} lies inside the photos' folder {source} (or holds it): "
            "the copies would "
            "mix with the originals, and a re-run would take them for photos. Choose a target "
            "outside it, e.g. "
            f"{real_source.parent / 'cats_and_dogs_small'}."
        )


def _make_split(source: Path, target: Path, sizes: dict) -> SplitReport:
    layout, pools, odd = _pools(source, sizes)
    report = SplitReport(folder=target, source=source, layout=layout, skipped=list(odd))
    made = _read_manifest(target)
    wanted: dict[Path, set] = {}
    try:
        for candidates, plan in pools:
            for cls in FOLDERS:
                files = iter(candidates[cls])
                for split, n in plan:
                    out = target / split / cls
                    out.mkdir(parents=True, exist_ok=True)
                    names = wanted.setdefault(out, set())
                    for path in files:
                        if len(names) == n:
                            # put the file back in front of the next split's queue
                            files = _chain(path, files)
                            break
                        if _place(
                            path, out / path.name, f"{split}/{cls}/{path.name}", made, report
                        ):
                            names.add(path.name)
                    report.counts.setdefault(split, {})[cls] = len(names)
                    if layout == "kaggle" and len(names) < n:
                        report.short.append(f"{split}/{cls}: {len(names)} of {n}")
                    if not names:
                        raise DataFormatError(
                            f"No usable {cls} photos left in {source} for {split}/; see the "
                            f"skipped files:\n{report}"
                        )
        _tidy(target, wanted, made, report)
    finally:  # also after a failure: what was copied is known to be ours next time
        write_json(
            target / MANIFEST,
            {"made_by": "companion.data.cats_dogs.make_split", "files": sorted(made)},
        )
    return report


def _read_manifest(target: Path) -> set:
    try:
        return set(json.loads((target / MANIFEST).read_text(encoding="utf-8"))["files"])
    except FileNotFoundError:
        return set()
    # damaged: then nothing counts as ours, nothing is removed
    except (ValueError, KeyError, TypeError, OSError):
        return set()


def _tidy(target: Path, wanted: dict, made: set, report: SplitReport) -> None:
    """Remove what an earlier split made and this one does not want; name everything else."""
    keep = {
        f"{out.relative_to(target).as_posix()}/{name}"
        for out, names in wanted.items()
        for name in names
    }
    for name in sorted(made - keep):
        path = target / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            report.removed_files.append(name)
        made.discard(name)
    report.removed = len(report.removed_files)
    for out in wanted:
        for path in sorted(out.iterdir()):
            name = f"{out.relative_to(target).as_posix()}/{path.name}"
            if name not in keep:
                report.foreign.append(name + ("/" if path.is_dir() else ""))


def _chain(first, rest):
    yield first
    yield from rest


def _place(path: Path, destination: Path, name: str, made: set, report: SplitReport) -> bool:
    """Copy one good photo atomically (or keep the copy already there); False if it is not used."""
    if destination.is_symlink() or destination.exists():
        if (
            name in made
            and destination.is_file()
            and destination.stat().st_size == path.stat().st_size
        ):
            report.kept += 1  # ours, and it was checked when it was copied
            return True
        if (
            not destination.is_symlink()
            and destination.is_file()
            and filecmp.cmp(path, destination, shallow=False)
        ):
            made.add(name)  # the very same photo (an interrupted run's copy, or an older split's)
            report.kept += 1
            return True
        if name not in made:  # somebody else's file of that name: never overwritten
            report.skipped.append(
                (
                    path.name,
                    f"{name} in the target is a different file that make_split did not make",
                )
            )
            return False
    problem = check_image(path)
    if problem:
        report.skipped.append((path.name, problem))
        return False
    with atomic_path(destination) as tmp:
        shutil.copyfile(path, tmp)
    made.add(name)
    report.copied += 1
    return True
