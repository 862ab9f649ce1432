"""Model builders, one module per family (mlp, cnn, resnet, ...)."""

from .mlp import build_mlp

__all__ = ["build_mlp"]
