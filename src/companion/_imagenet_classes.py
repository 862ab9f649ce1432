"""The ImageNet class index shipped with the package, and decoding probabilities with it.

Imported through ``companion.pretrained``: ``class_index``, ``Prediction`` and
``decode_predictions`` work offline, unlike Keras' own, which downloads the index.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np

CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"  # the hash Keras checks for the same file


@lru_cache(maxsize=1)
def class_index() -> dict[int, tuple[str, str]]:
    """The ImageNet class index shipped with the package (read once).

    Returns:
        Class number -> (WordNet id, name), e.g. 386 -> ("n02504458", "African_elephant").
    """
    text = (
        resources.files("companion")
        .joinpath("resources/imagenet_class_index.json")
        .read_text(encoding="utf-8")
    )
    return {int(k): (v[0], v[1]) for k, v in json.loads(text).items()}


class Prediction(NamedTuple):
    """One row of a top-k answer: a named tuple ``(class_id, name, probability)``.

    Attributes:
        class_id: the WordNet id, e.g. ``"n02504458"``.
        name: the class name, e.g. ``"African_elephant"``.
        probability: the model's probability for the class, 0..1.
    """

    class_id: str  # WordNet id, e.g. "n02504458"
    name: str  # e.g. "African_elephant"
    probability: float


def decode_predictions(probabilities, top: int = 5) -> list[list[Prediction]]:
    """The ``top`` most probable classes of each row of ImageNet probabilities.

    The same answer as ``keras.applications.imagenet_utils.decode_predictions``, read from the
    class index inside this package instead of a download.

    Args:
        probabilities: a (batch, 1000) array of class probabilities.
        top: how many classes per row, 1 to 1000.

    Returns:
        One list of ``Prediction`` per row, most probable first.

    Raises:
        ValueError: ``probabilities`` is not (batch, 1000), or ``top`` is out of range.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != 1000:
        raise ValueError(
            f"decode_predictions expects a (batch, 1000) array of ImageNet class probabilities, "
            f"got shape {probabilities.shape}."
        )
    if not 1 <= top <= 1000:
        raise ValueError(f"top must be between 1 and 1000, got {top}")
    index = class_index()
    rows = []
    for p in probabilities:
        best = np.argsort(-p, kind="stable")[:top]
        rows.append([Prediction(*index[int(i)], float(p[i])) for i in best])
    return rows
