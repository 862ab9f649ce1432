"""Pretrained ImageNet weights, one way in: ``ensure_weights(name)``.

Every network the package loads ImageNet weights into comes through ``ensure_weights``: the
``keras.applications`` files (the Keras cache, then ``COMPANION_MIRROR``, then the original
address) and EfficientNet-Lite0's (converted once from the package index, see
``companion.lite0_weights``). When none can be had it raises ``WeightsUnavailableError``,
whose message names the file, where to put it and what to do offline. Imported through
``companion.pretrained``.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from . import config, lite0_weights
from ._pretrained_registry import ORIGINAL_BASE_URL, PretrainedModel, _is_lite0, get_model_spec
from .errors import ChecksumError, WeightsUnavailableError

#: The last remedy a message offers, unless the caller names a better one.
UNTRAINED = "pass weights=None for an untrained network (its answers are meaningless)"


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded weights.

    Returns:
        ``$KERAS_HOME/models``, or ``~/.keras/models`` (it may not exist yet).
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def weights_path(model: str | PretrainedModel, include_top: bool = True) -> Path:
    """The file a network's ImageNet weights are loaded from.

    Args:
        model: a name or entry, as ``get_model_spec`` takes it, or ``"EfficientNetLite0"``.
        include_top: the file with the ImageNet classifier, or the base's only
            (EfficientNet-Lite0 has one file for both).

    Returns:
        The path in ``keras_cache_dir()``, or EfficientNet-Lite0's converted file in the
            package's cache (``lite0_weights.converted_path()``); it may not exist yet.

    Raises:
        UnknownModelError: no such network.
        ConfigError: EfficientNet-Lite0's cache folder cannot be created or written to.
    """
    if _is_lite0(model):
        return lite0_weights.converted_path()
    spec = get_model_spec(model)
    return keras_cache_dir() / spec.weights_name(include_top)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@cache
def _checked(path: str, md5: str | None, size: int) -> None:
    # Checked once per process and file size: hashing VGG's 500 MB of weights is slow.
    if md5 and _md5(Path(path)) != md5:
        raise ChecksumError(
            f"{path} has the wrong md5 (expected {md5}): it is truncated or not the official file. "
            "Delete it and run again to download it afresh."
        )


def ensure_weights(
    model: str | PretrainedModel, include_top: bool = True, *, instead: str = UNTRAINED
) -> Path:
    """Make sure the ImageNet weights of ``model`` are on this machine; return their path.

    A ``keras.applications`` network's file: the Keras cache, then ``COMPANION_MIRROR`` (a
    base URL serving the file under its own name), then the original address.
    EfficientNet-Lite0's file: converted once from the package index
    (``lite0_weights.convert_weights``), then read from the cache.

    Args:
        model: a name or entry, as ``get_model_spec`` takes it, or ``"EfficientNetLite0"``.
        include_top: the file with the ImageNet classifier, or the base's only
            (EfficientNet-Lite0 has one file for both).
        instead: the last remedy the error message offers, for a ``keras.applications``
            file (``"pass weights=None ..."`` unless the caller has a better one).

    Returns:
        The weights file's path (``weights_path``), which exists.

    Raises:
        UnknownModelError: no such network.
        ChecksumError: the cached file has the wrong md5, or EfficientNet-Lite0's packaged
            file is not the published one.
        ConfigError: ``COMPANION_MIRROR`` is not a usable URL, or the cache folder cannot
            be written to.
        DataFormatError: EfficientNet-Lite0's packaged file lacks a tensor, or has one too many.
        WeightsUnavailableError: the file is not here and cannot be fetched (or converted);
            the message names the file, where to put it and what to do offline.
    """
    if _is_lite0(model):
        return lite0_weights.convert_weights()
    import keras

    spec = get_model_spec(model)
    name = spec.weights_name(include_top)
    md5 = spec.md5[0 if include_top else 1]
    target = weights_path(spec, include_top)
    if target.exists():
        _checked(str(target), md5, target.stat().st_size)
        return target

    urls = ([config.mirror() + name] if config.mirror() else []) + [spec.weights_url(include_top)]
    failures = []
    for url in urls:
        try:
            path = keras.utils.get_file(
                name, url, cache_subdir="models", file_hash=md5, cache_dir=str(target.parent.parent)
            )
            return Path(path)
        except Exception as exc:  # keras wraps every network failure in a bare Exception
            # keras repeats the URL before " -- "
            reason = str(exc).splitlines()[0].split(" -- ")[-1]
            failures.append(f"    {url}: {reason[:200]}")
    raise WeightsUnavailableError(
        f"The ImageNet weights of {spec.name} are not on this machine and could not be "
        "downloaded.\n"
        f"  file needed: {name}" + (f" (md5 {md5})" if md5 else "") + "\n"
        f"  Keras looks for it at: {target}\n"
        "  tried:\n" + "\n".join(failures) + "\n"
        "What to do (any one):\n"
        f"  * download {spec.weights_url(include_top)} by hand and save it as {target};\n"
        f"  * offline: copy {name} from the ~/.keras/models/ folder of a machine where "
        f"keras.applications.{spec.name}() has run once, to {target};\n"
        f"  * set COMPANION_MIRROR to a base URL that serves {name} (for example a local copy of "
        f"{ORIGINAL_BASE_URL}{spec.url_folder}/), then run again;\n"
        f"  * or {instead}."
    )
