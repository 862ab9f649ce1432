"""Model builders, one module per family (mlp, cnn, resnet, ...)."""

from .cnn import build_cnn, shift_and_flip
from .deep_cnn import build_deep_cnn
from .mlp import build_mlp

__all__ = ["build_cnn", "build_deep_cnn", "build_mlp", "shift_and_flip"]
