"""Small datasets in the official file formats, made by the tests themselves.

They let the real parsing code run on a fresh machine with no network and no
``../shared/data``. The images are not random noise: each class has its own
prototype (strokes at class-specific places), jittered and noised per sample,
so a model trained on them must learn something to beat chance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import companion.data.idx as idx


def class_images(n: int, num_classes: int, shape: tuple[int, ...], seed: int = 0):
    """``n`` uint8 images of ``shape`` in ``num_classes`` learnable classes, and their labels."""
    rng = np.random.default_rng(seed)
    prototypes = rng.random((num_classes, *shape)) ** 4  # sparse bright strokes
    labels = np.arange(n) % num_classes
    rng.shuffle(labels)
    images = prototypes[labels] * 200 + rng.normal(0, 20, (n, *shape))
    # a random shift of up to 2 pixels, so that no single pixel gives the class away
    shifts = rng.integers(-2, 3, size=(n, 2))
    for i, (dy, dx) in enumerate(shifts):
        images[i] = np.roll(images[i], (dy, dx), axis=(0, 1))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.uint8)


def write_mnist_idx(folder: Path, n_train: int = 600, n_test: int = 200, seed: int = 0) -> dict:
    """Write the four gzip IDX files of MNIST into ``folder``; return the arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    x, y = class_images(n_train + n_test, 10, (28, 28), seed)
    arrays = {
        "x_train": x[:n_train],
        "y_train": y[:n_train],
        "x_test": x[n_train:],
        "y_test": y[n_train:],
    }
    names = {
        "x_train": "train-images-idx3-ubyte.gz",
        "y_train": "train-labels-idx1-ubyte.gz",
        "x_test": "t10k-images-idx3-ubyte.gz",
        "y_test": "t10k-labels-idx1-ubyte.gz",
    }
    for key, name in names.items():
        idx.write_idx(folder / name, arrays[key])
    return arrays


def write_mnist_npz(path: Path, n_train: int = 600, n_test: int = 200, seed: int = 0) -> dict:
    x, y = class_images(n_train + n_test, 10, (28, 28), seed)
    arrays = {
        "x_train": x[:n_train],
        "y_train": y[:n_train],
        "x_test": x[n_train:],
        "y_test": y[n_train:],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return arrays


def write_cifar10_binary(
    folder: Path, per_batch: int = 400, n_test: int = 500, seed: int = 0
) -> dict:
    """Write CIFAR-10's official binary version (``cifar-10-batches-bin/``) into ``folder``."""
    x, y = class_images(5 * per_batch + n_test, 10, (32, 32, 3), seed)
    out = folder / "cifar-10-batches-bin"
    out.mkdir(parents=True, exist_ok=True)

    def write(name, images, labels):
        planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # R, G, B planes
        (out / name).write_bytes(
            np.concatenate([labels[:, None], planes], axis=1).astype(np.uint8).tobytes()
        )

    for i in range(5):
        part = slice(i * per_batch, (i + 1) * per_batch)
        write(f"data_batch_{i + 1}.bin", x[part], y[part])
    write("test_batch.bin", x[5 * per_batch :], y[5 * per_batch :])
    n = 5 * per_batch
    return {"x_train": x[:n], "y_train": y[:n], "x_test": x[n:], "y_test": y[n:]}


def cat_dog_photo(label: int, seed: int, size: tuple[int, int] = (40, 32)):
    """A small RGB Pillow image: cats are warm with horizontal stripes, dogs cool with vertical
    ones."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    # sizes vary, as in Kaggle
    width, height = size[0] + int(rng.integers(0, 9)), size[1] + int(rng.integers(0, 9))
    stripes = (
        (np.arange(height)[:, None] // 4 % 2)
        if label == 0
        else (np.arange(width)[None, :] // 4 % 2)
    )
    base = np.array([200, 120, 60]) if label == 0 else np.array([60, 120, 200])
    pixels = base * (0.6 + 0.4 * np.broadcast_to(stripes, (height, width))[..., None]) + rng.normal(
        0, 15, (height, width, 3)
    )
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def write_cats_dogs_filtered(
    folder: Path, n_train: int = 30, n_validation: int = 20, seed: int = 0
) -> dict:
    """Google's ``cats_and_dogs_filtered`` layout with tiny JPEGs, plus one corrupt and one
    non-image file.

    Returns the names of the two bad files, which a split must skip and report.
    """
    number = 0
    for split, n in (("train", n_train), ("validation", n_validation)):
        for label, (cls, prefix) in enumerate((("cats", "cat"), ("dogs", "dog"))):
            out = folder / split / cls
            out.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                cat_dog_photo(label, seed + number + i).save(
                    out / f"{prefix}.{number + i}.jpg", quality=85
                )
            number += 1000
    good = (folder / "train" / "cats" / "cat.0.jpg").read_bytes()
    # truncated mid-image
    (folder / "train" / "cats" / "cat.900.jpg").write_bytes(good[: len(good) // 2])
    # a text file named like a JPEG
    (folder / "train" / "dogs" / "dog.901.jpg").write_text("not a photo\n")
    return {"corrupt": "cat.900.jpg", "not_image": "dog.901.jpg"}


def write_photo(path: Path, size: tuple[int, int] = (300, 200), seed: int = 0) -> Path:
    """A JPEG standing in for the chapters' photo (smooth colour blobs, not a real scene)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width] / max(size)
    image = np.stack([np.sin(6 * xx + c) * np.cos(5 * yy - c) for c in rng.random(3) * 6], axis=-1)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(((image + 1) * 127.5).astype(np.uint8)).save(path, quality=90)
    return path


def make_data_dir(root: Path) -> Path:
    """A ``COMPANION_DATA_DIR`` with every dataset the chapters need, in official layouts."""
    write_mnist_idx(root / "mnist", n_train=2000, n_test=500)
    write_cifar10_binary(root / "cifar10", per_batch=400, n_test=500)
    write_cats_dogs_filtered(root / "cats_and_dogs_filtered")
    write_photo(root / "images" / "creative_commons_elephant.jpg")
    return root
