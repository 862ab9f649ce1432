"""``ImageAugmenter.flow`` and ``flow_from_directory``: the augmenter as a pipeline step.

The batches themselves are made in ``companion.augment.flow``; ``ImageAugmenter`` inherits
these methods (``companion.augment.augmenter``).
"""

from __future__ import annotations


class Pipelines:
    """``ImageAugmenter``'s ``flow`` and ``flow_from_directory``."""

    def flow(
        self,
        x,
        y=None,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        """Batches of augmented ``x`` (and ``y``), as the old ``flow`` gave them.

        Args:
            x: the images (N, height, width, channels).
            y: the labels, N of them, or None.
            batch_size: images per batch.
            shuffle: draw a new order every epoch.
            seed: makes the order and the transforms repeat; None for fresh ones.
            save_to_dir: an existing folder to write every augmented image to, or None.
            save_prefix: the start of the saved files' names.
            save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
            **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

        Returns:
            An ``companion.augment.ArrayBatches``, a ``keras.utils.PyDataset``: one
                pass is one epoch.

        Raises:
            ValueError: if ``x`` is not a batch of finite images, ``y`` has another
                length, or an option is out of range.
            TypeError: if ``x`` does not hold numbers.
            RuntimeError: if statistics are needed and ``fit`` has not run.
            FileNotFoundError: if ``save_to_dir`` does not exist.
        """
        from .flow import ArrayBatches

        return ArrayBatches(
            self,
            x,
            y,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            **kwargs,
        )

    def flow_from_directory(
        self,
        directory,
        target_size=(256, 256),
        color_mode: str = "rgb",
        classes=None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir=None,
        save_prefix: str = "",
        save_format: str = "png",
        **kwargs,
    ):
        """Batches read from ``directory/<class>/<image>`` and augmented, labelled by folder.

        Args:
            directory: the folder holding one sub-folder per class.
            target_size: (height, width) in pixels the images are resized to.
            color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
            classes: the class folders' names in label order; None for all, sorted by name.
            class_mode: ``"categorical"``, ``"binary"``, ``"sparse"``, ``"input"`` or None.
            batch_size: images per batch.
            shuffle: draw a new order every epoch.
            seed: makes the order and the transforms repeat; None for fresh ones.
            save_to_dir: an existing folder to write every augmented image to, or None.
            save_prefix: the start of the saved files' names.
            save_format: the saved files' format: png, jpg, jpeg, bmp, tif or tiff.
            **kwargs: ``keras.utils.PyDataset``'s arguments (``workers`` ...).

        Returns:
            A ``companion.augment.DirectoryBatches``, a ``keras.utils.PyDataset``.

        Raises:
            FileNotFoundError: if ``directory`` or a class folder is missing or holds no
                image, or ``save_to_dir`` does not exist.
            DataFormatError: if a link leads out of ``directory`` or an image is unreadable.
            ValueError: for an unknown mode or format, or a bad size or ``batch_size``.
            RuntimeError: if statistics are needed and ``fit`` has not run.
        """
        from .flow import DirectoryBatches

        return DirectoryBatches(
            self,
            directory,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            **kwargs,
        )
