"""Figures for the chapters: sample grids, learning curves, confusion matrices, filter images.

The plotting functions return a matplotlib ``Figure`` (so a notebook shows it); those with
words on them take ``lang="zh"`` or ``"en"``. ``save_figure`` writes a PNG atomically.
Chinese labels need a CJK font (Debian: ``fonts-noto-cjk``); without one a warning says so.

Modules: ``figures`` (fonts, labels, saving), ``samples`` (image grids), ``curves``
(learning curves), ``confusion`` (confusion matrix, per-class accuracy), ``filter_figures``
(chapter 12's filter images and Grad-CAM).
"""

# Not in __all__, imported here as before the split: CJK_FONTS (the tests) and the private
# helpers that the book's own figures use (book/).
from .._fonts import CJK_FONTS  # noqa: F401
from .confusion import confusion_matrix, plot_confusion_matrix, plot_per_class_accuracy
from .curves import plot_histories, plot_history
from .figures import LABELS, _cjk_check, _pyplot, _start, _words, save_figure, shrink_png  # noqa: F401
from .filter_figures import filter_grid, filters_by_layer, grad_cam_grid
from .samples import class_samples_grid, misclassified_grid, prediction_grid, sample_grid

__all__ = [
    "LABELS",
    "class_samples_grid",
    "confusion_matrix",
    "filter_grid",
    "filters_by_layer",
    "grad_cam_grid",
    "misclassified_grid",
    "plot_confusion_matrix",
    "plot_histories",
    "plot_history",
    "plot_per_class_accuracy",
    "prediction_grid",
    "sample_grid",
    "save_figure",
    "shrink_png",
]
