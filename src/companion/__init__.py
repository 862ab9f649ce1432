"""companion: the code behind the chapters of *Image Classification with Keras 3*.

Importing the package is cheap: Keras and the backends are imported only by the
submodules that need them (``companion.models``, ``companion.train`` ...).

It is installed as ``image-classification-book`` (``pip install image-classification-book``)
and imported as ``companion``; the version is the release tag it was built from.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

DISTRIBUTION = "image-classification-book"

try:
    __version__ = _version(DISTRIBUTION)
except PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["DISTRIBUTION", "__version__"]
