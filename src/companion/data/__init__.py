"""Dataset loaders: one module per dataset, all on one downloader (``_download``)."""

from . import cats_dogs
from .cats_dogs import load_datasets as load_cats_dogs
from .cifar10 import load_data as load_cifar10
from .mnist import load_data as load_mnist

__all__ = ["cats_dogs", "load_cats_dogs", "load_cifar10", "load_mnist"]
