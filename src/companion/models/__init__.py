"""Model builders, one module per family (mlp, cnn, resnet, ...)."""

from .functional import (
    build_convnet,
    build_convnet_as_written,
    build_multilayer_perceptron,
    build_multiple_inputs,
    build_multiple_outputs,
    build_recurrent_network,
    build_shared_feature_extractor,
    build_shared_input,
)
from .mlp import build_mlp
from .vgg import build_vgg16, build_vgg16_sequential, load_imagenet_weights, load_weights_by_name

__all__ = [
    "build_convnet",
    "build_convnet_as_written",
    "build_mlp",
    "build_multilayer_perceptron",
    "build_multiple_inputs",
    "build_multiple_outputs",
    "build_recurrent_network",
    "build_shared_feature_extractor",
    "build_shared_input",
    "build_vgg16",
    "build_vgg16_sequential",
    "load_imagenet_weights",
    "load_weights_by_name",
]
