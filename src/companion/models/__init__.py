"""Model builders, one module per family (mlp, cnn, resnet, ...)."""

from .mlp import build_mlp
from .small_convnet import build_small_convnet

__all__ = ["build_mlp", "build_small_convnet"]
