"""Dataset loaders: one module per dataset, all on one downloader (``_download``)."""

from .cifar10 import load_data as load_cifar10
from .mnist import load_data as load_mnist

__all__ = ["load_cifar10", "load_mnist"]
