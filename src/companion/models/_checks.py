"""Argument checks shared by the image classifiers' builders."""

from __future__ import annotations


def check_classifier_args(input_shape, num_classes: int) -> None:
    """Refuse shapes and class counts a classifier cannot be built for.

    Args:
        input_shape: should be (height, width, channels), each at least 1.
        num_classes: should be at least 2.

    Raises:
        ValueError: for any other shape or class count, saying why.
    """
    if len(tuple(input_shape)) != 3 or any(int(d) < 1 for d in input_shape):
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
