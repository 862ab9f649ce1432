"""Training helpers: ``fit``, which is ``model.fit`` for a textbook's long runs.

``fit`` honours the smoke budget, times the training part of every epoch, can resume an
interrupted run from its folder, and returns a ``TrainingRun`` whose history and timings
go straight into a result record.

Modules: ``fitting`` (``fit``), ``timing`` (``EpochTimer``, ``TrainingRun``), ``resume``
(``ProgressLog``, ``restore_waiting``), ``probe`` (``estimate``).
"""

from .fitting import fit
from .probe import estimate
from .resume import ProgressLog, restore_waiting
from .timing import EpochTimer, TrainingRun

__all__ = [
    "EpochTimer",
    "ProgressLog",
    "TrainingRun",
    "estimate",
    "fit",
    "restore_waiting",
]
