"""What ``make_split`` did: the split's counts and every file it skipped, kept or removed.

Imported through ``companion.data.cats_dogs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._cats_dogs_photos import SPLITS


@dataclass
class SplitReport:
    """What ``make_split`` did: the split's folder and counts, and every file it skipped.

    ``str(report)`` is a readable summary. Filled in by ``make_split``, not by hand.

    Args:
        folder: the split's folder (the target).
        source: the folder of original photos.
        layout: ``"kaggle"`` or ``"filtered"``.
        counts: photos per split and class, e.g. ``{"train": {"cats": 1000, ...}, ...}``.
        copied: photos copied in this run.
        kept: photos already there and kept.
        removed: files of an earlier split removed.
        skipped: ``(file name, reason)`` of every photo not used.
        short: splits with too few good photos, e.g. ``"train/cats: 998 of 1000"``.
        removed_files: the removed files, relative to ``folder``.
        foreign: files in ``folder`` that make_split did not make (left alone).
    """

    folder: Path
    source: Path
    layout: str  # "kaggle" or "filtered"
    counts: dict = field(default_factory=dict)  # {"train": {"cats": 1000, "dogs": 1000}, ...}
    copied: int = 0
    kept: int = 0
    removed: int = 0
    skipped: list = field(default_factory=list)  # (file name, reason)
    short: list = field(default_factory=list)  # "train/cats: 998 of 1000"
    # "train/cats/cat.12.jpg": made by an earlier split
    removed_files: list = field(default_factory=list)
    # "train/cats/mine.jpg": not made by make_split, left alone
    foreign: list = field(default_factory=list)

    def total(self, split: str) -> int:
        """The number of photos in one split.

        Args:
            split: ``"train"``, ``"validation"`` or ``"test"``.

        Returns:
            The photos of both classes together (0 for a split not made).
        """
        return sum(self.counts.get(split, {}).values())

    def __str__(self) -> str:
        lines = [f"{self.folder} (from the {self.layout} layout in {self.source})"]
        for split in SPLITS:
            per_class = ", ".join(f"{n} {cls}" for cls, n in self.counts.get(split, {}).items())
            lines.append(f"  {split:<10} {self.total(split):>5} images ({per_class})")
        lines.append(f"  copied {self.copied}, already there {self.kept}, removed {self.removed}")
        for name in self.removed_files:
            lines.append(f"  removed {name} (an earlier split made it; this one does not use it)")
        for name in self.foreign:
            lines.append(
                f"  left alone {name}: make_split did not make it (move it out of the split if it "
                "is no photo of it)"
            )
        for name, reason in self.skipped:
            lines.append(f"  skipped {name}: {reason}")
        for text in self.short:
            lines.append(f"  too few good images: {text}")
        return "\n".join(lines)
