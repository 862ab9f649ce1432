"""companion: the code behind the chapters of *Image Classification with Keras 3*.

Importing the package is cheap: Keras and the backends are imported only by the
submodules that need them (``companion.models``, ``companion.train`` ...).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
