"""Model builders, one module per family (mlp, cnn, resnet, ...)."""

from .cnn import build_cnn
from .deep_cnn import build_deep_cnn
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
from .inception import build_inception, inception_module
from .mlp import build_mlp
from .resnet import build_resnet_v1, build_resnet_v2, resnet_layer
from .small_convnet import build_small_convnet
from .vgg import build_vgg16, build_vgg16_sequential, load_imagenet_weights, load_weights_by_name

__all__ = [
    "build_cnn",
    "build_convnet",
    "build_convnet_as_written",
    "build_deep_cnn",
    "build_inception",
    "build_mlp",
    "build_multilayer_perceptron",
    "build_multiple_inputs",
    "build_multiple_outputs",
    "build_recurrent_network",
    "build_resnet_v1",
    "build_resnet_v2",
    "build_shared_feature_extractor",
    "build_shared_input",
    "build_small_convnet",
    "build_vgg16",
    "build_vgg16_sequential",
    "inception_module",
    "load_imagenet_weights",
    "load_weights_by_name",
    "resnet_layer",
]
