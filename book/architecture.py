"""Pictures of a network's architecture: plot_model diagrams and VGG16's feature-map sizes.

:func:`save_model_diagram` wraps ``keras.utils.plot_model`` (which needs the ``pydot``
package and Graphviz's ``dot`` program) with an atomic write and a clear message when
either is missing. :func:`plot_feature_map_sizes` draws how a VGG-style network trades
spatial size for channels, block by block.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from companion._io import write_bytes

from .vocabulary import LANGS, word


def save_model_diagram(model, path: str | os.PathLike, dpi: int = 72, **options) -> Path:
    """Draw ``model`` with ``keras.utils.plot_model`` (shapes and layer names shown) into a PNG."""
    import keras

    if shutil.which("dot") is None:
        raise RuntimeError(
            "plot_model needs Graphviz's 'dot' program: install Graphviz "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)."
        )
    try:
        import pydot  # noqa: F401  (plot_model imports it itself; check early for a clear message)
    except ImportError:
        raise RuntimeError("plot_model needs the pydot package: pip install pydot") from None
    options = {"show_shapes": True, "show_layer_names": True, **options}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.png"
        keras.utils.plot_model(model, to_file=str(out), dpi=dpi, **options)
        return write_bytes(path, out.read_bytes())


def plot_feature_map_sizes(rows: list[dict], input_shape, lang: str = "zh"):
    """Side length and channels of the feature maps after each pooling block.

    ``rows`` is what :func:`companion.models.vgg.feature_map_sizes` returns; the
    parameters of each block's convolutions are written above its bar.
    """
    from companion.visualize import _pyplot

    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")

    def w(key: str) -> str:
        return word(f"fig_vgg_{key}", lang)

    plt = _pyplot()
    labels, sides, channels, params = [w("input")], [input_shape[0]], [input_shape[-1]], [0]
    block_params = 0
    for row in rows:
        block_params += row["params"]
        if row["layer"].endswith("_pool"):
            n = row["layer"].split("_")[0].removeprefix("block")
            labels.append(w("block").format(n=n))
            sides.append(row["height"])
            channels.append(row["channels"])
            params.append(block_params)
            block_params = 0
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = list(range(len(labels)))
    bars = left.bar(x, sides, color="#5c6bc0")
    for bar, side, p in zip(bars, sides, params, strict=True):
        text = f"{side}×{side}" + (f"\n{p:,}" if p else "")
        left.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 3,
            text,
            ha="center",
            va="bottom",
            fontsize=7.5,
        )
    left.set_ylim(0, max(sides) * 1.25)
    left.set_ylabel(w("side"))
    bars = right.bar(x, channels, color="#e64a19")
    for bar, c in zip(bars, channels, strict=True):
        right.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 6,
            str(c),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    right.set_ylim(0, max(channels) * 1.15)
    right.set_ylabel(w("channels"))
    for ax in (left, right):
        ax.set_xticks(x, labels, fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(w("title"), fontsize=10)
    fig.text(0.01, 0.01, w("note"), fontsize=7, color="#555")
    fig.tight_layout()
    return fig
