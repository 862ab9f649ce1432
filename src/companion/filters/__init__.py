"""What a convnet has learned: filter images by gradient ascent, and Grad-CAM heat maps.

Both need gradients with respect to the *input*: ``input_gradients`` dispatches to one
small function per backend (TensorFlow, JAX, PyTorch), each importing its backend itself;
the rest is NumPy and ``keras.ops``. Chapter 12 explains both methods. Images are
channels-last.

Modules: ``layers`` (choosing the layer, ``feature_extractor``), ``gradients``
(``input_gradients``), ``ascent`` (``visualize_filters``), ``gradcam`` (``grad_cam``).
"""

from .ascent import (
    FilterImage,
    filter_means,
    normalize_gradients,
    strongest,
    to_uint8,
    visualize_filters,
)
from .gradcam import SQUASHING, class_scores_head, grad_cam
from .gradients import input_gradients
from .layers import LayerError, conv_layer_names, feature_extractor, get_conv_layer

__all__ = [
    "SQUASHING",
    "FilterImage",
    "LayerError",
    "class_scores_head",
    "conv_layer_names",
    "feature_extractor",
    "filter_means",
    "get_conv_layer",
    "grad_cam",
    "input_gradients",
    "normalize_gradients",
    "strongest",
    "to_uint8",
    "visualize_filters",
]
