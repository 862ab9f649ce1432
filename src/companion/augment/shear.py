"""A shear about the image centre, as the old ``ImageDataGenerator`` did, on ``RandomShear``.

``keras.layers.RandomShear`` shears about the top-left corner, which also slides the picture
sideways; ``CentredShear`` keeps its sampling (``x_factor = tan(angle)``) and only moves
the fixed point to the centre. (The old API also squeezed the height by cos(angle); this
layer does not.)
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="companion")
class CentredShear(keras.layers.RandomShear):
    """``RandomShear`` whose fixed point is the image centre instead of the top-left corner.

    It takes ``keras.layers.RandomShear``'s arguments unchanged (``x_factor``, ``y_factor``,
    ``interpolation``, ``fill_mode``, ``fill_value``, ``seed`` ...): a factor is the tangent
    of the largest shear angle.
    """

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        ops = self.backend
        shape = ops.shape(images)
        unbatched = len(shape) == 3
        if unbatched:
            images = ops.numpy.expand_dims(images, axis=0)
            shape = ops.shape(images)
        height, width = (
            (shape[-2], shape[-1])
            if self.data_format == "channels_first"
            else (shape[-3], shape[-2])
        )
        factors = ops.cast(transformation["shear_factor"], "float32")
        sx, sy = factors[:, 0], factors[:, 1]
        cx = (ops.cast(width, "float32") - 1.0) / 2.0
        cy = (ops.cast(height, "float32") - 1.0) / 2.0
        ones, zeros = ops.numpy.ones_like(sx), ops.numpy.zeros_like(sx)
        # output (x, y) reads the input at (x + sx (y - cy), y + sy (x - cx)): the centre stays put.
        matrix = ops.numpy.stack([ones, sx, -sx * cy, sy, ones, -sy * cx, zeros, zeros], axis=1)
        outputs = ops.image.affine_transform(
            images,
            transform=matrix,
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        return ops.numpy.squeeze(outputs, axis=0) if unbatched else outputs
