"""Chapter 11: small data. A small convnet from scratch, and transfer from a pretrained base.

From scratch: ``build_small_convnet`` (source 004, part 6); its augmentation is
``ImageAugmenter.preset("cats_vs_dogs")`` (``companion.augment``).
Transfer: ``build_transfer_model`` puts a small classifier on a frozen base
(``vgg16_base``, ``cifar10_cnn_base`` or ``build_cifar10_base``), and
``unfreeze_top`` opens the base's top block for fine-tuning.

Everything is imported from here; the code lives in one module per job: ``scratch`` (the
network and ``compile_binary``), ``cifar10_bases`` (bases trained on
CIFAR-10: pretrained here, or chapter 03's network), ``vgg16_imagenet`` (VGG16's ImageNet
base, its weights from ``companion.pretrained``) and ``fine_tuning`` (the frozen base with a
head, and ``unfreeze_top``).
"""

from .cifar10_bases import (
    build_cifar10_base,
    build_cifar10_classifier,
    cifar10_cnn_base,
    pretrain_on_cifar10,
)
from .fine_tuning import build_transfer_model, unfreeze_top
from .scratch import LEARNING_RATE, build_small_convnet, compile_binary
from .vgg16_imagenet import vgg16_base

__all__ = [
    "LEARNING_RATE",
    "build_cifar10_base",
    "build_cifar10_classifier",
    "build_small_convnet",
    "build_transfer_model",
    "cifar10_cnn_base",
    "compile_binary",
    "pretrain_on_cifar10",
    "unfreeze_top",
    "vgg16_base",
]
