"""Image augmentation with Keras 3: the old ``ImageDataGenerator``'s options, option by option.

>>> from companion.augment import ImageAugmenter
>>> augmenter = ImageAugmenter(rotation_range=30, width_shift_range=0.1, horizontal_flip=True)
>>> batches = augmenter.flow(x_train, y_train, batch_size=32, seed=0)      # a pipeline step
>>> model = keras.Sequential([keras.Input((28, 28, 1)), augmenter, ...])    # or a layer
>>> ImageAugmenter.preset("cifar10_cnn", seed=42)   # a source's recipe, by name

Modules: ``options`` (old units -> layer arguments), ``augmenter`` (the layer; its
``fit`` is in ``standardization``, its seeded random layers, the one seed scheme and
``augment`` in ``random_transforms``, its ``flow`` methods in ``pipelines``), ``presets``
(the sources' recipes by name), ``shear`` (a centred
``RandomShear``), ``zca`` (ZCA whitening), ``flow`` (batches), ``directory`` (reading image
folders), ``saving`` (writing augmented images), ``fixed`` (one transform with fixed
parameters: ``apply_transform``).
"""

from .augmenter import ImageAugmenter
from .figures import augmentation_grid
from .fixed import apply_transform, transform_matrix
from .flow import ArrayBatches, AugmentedBatches, DirectoryBatches
from .shear import CentredShear
from .zca import ZCAWhitening

__all__ = [
    "ArrayBatches",
    "AugmentedBatches",
    "CentredShear",
    "DirectoryBatches",
    "ImageAugmenter",
    "ZCAWhitening",
    "apply_transform",
    "augmentation_grid",
    "transform_matrix",
]
