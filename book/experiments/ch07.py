"""Chapter 07: image augmentation option by option, on MNIST digits and CIFAR-10 colour images.

Source 004 part 2 shows each ImageDataGenerator option on the first MNIST training digits:
rotation (90°), shifts (0.2), shear (1.25), horizontal and vertical flips, feature-wise
standardization, ZCA whitening, and saving augmented images. We draw the same grids with
companion.augment.ImageAugmenter (originals on top, two random draws below), add zoom and
the fill modes, repeat everything on colour CIFAR-10 images, record the statistics that
standardization and ZCA fit, and time the augmenter against the legacy generator.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np

from book.results import provenance
from companion import config
from companion.augment import ImageAugmenter, augmentation_grid
from companion.data import cifar10, mnist

CHAPTER = "07-augmentation"
ROOT = Path(__file__).resolve().parents[2]

#: one figure per option; each value lists the rows drawn under the originals
OPTIONS = {
    "rotation": [dict(rotation_range=90)] * 2,
    "shift": [dict(width_shift_range=0.2, height_shift_range=0.2)] * 2,
    # the source's number as degrees, then a visible one
    "shear": [dict(shear_range=1.25), dict(shear_range=40)],
    "zoom": [dict(zoom_range=0.3)] * 2,
    "flip": [dict(horizontal_flip=True, vertical_flip=True)] * 2,
}
FILL_MODES = ("nearest", "constant", "reflect", "wrap")
#: the pictures of the page's live playground: the first test image of each class named
PLAYGROUND = {"cifar10": ("cat", "ship", "horse"), "mnist": ("7",)}
#: the images the CIFAR-10 ZCA is fitted on (3,072 values per image need more than 3,072;
#: 5,000 keeps the 3,072×3,072 covariance affordable on a shared CPU)
CIFAR_ZCA_IMAGES = 5_000


def _rows(x, settings, seed0=1):
    rows = []
    for k, options in enumerate(settings):
        augmenter = ImageAugmenter(**options, seed=seed0 + k)
        rows.append(augmenter.augment(x, seed=seed0 + k))
    return rows


def _label(options: dict) -> str:
    """The options as code, e.g. ``rotation_range=90`` (the same in both languages)."""
    return "\n".join(f"{key}={value!r}" for key, value in options.items())


def _zca_summary(augmenter, x):
    """The variances of the whitened fit data along its principal directions (ideally all 1)."""
    flat = augmenter.augment(x).reshape(len(x), -1)
    flat = flat - flat.mean(axis=0)
    variances = np.linalg.eigvalsh(flat.T @ flat / len(flat))
    return {
        "near_one": float(np.mean(np.abs(variances - 1) < 0.01)),
        "near_zero": float(np.mean(variances < 0.01)),
        "largest": float(variances.max()),
    }


def playground_samples(ctx, mnist_test, cifar_test) -> list[Path]:
    """Write the playground's pictures as they are: lossless PNGs, one per image.

    The page's script reads their pixels and transforms them in the browser; the browser
    tests read the same files with Pillow and compare the script with ``apply_transform``.
    """
    from PIL import Image

    from companion._io import atomic_path

    sets = {"mnist": (mnist_test, mnist.CLASS_NAMES), "cifar10": (cifar_test, cifar10.CLASS_NAMES)}
    written = []
    for name, classes in PLAYGROUND.items():
        (x, y), names = sets[name]
        for label in classes:
            image = x[int(np.flatnonzero(np.ravel(y) == names.index(label))[0])]
            path = ctx.figures_dir / f"playground_{name}_{label}.png"
            with atomic_path(path) as tmp:  # plain PNG: no gamma or colour profile to convert
                Image.fromarray(np.asarray(image, dtype="uint8").squeeze()).save(tmp, format="PNG")
            print(f"  wrote {path.relative_to(ctx.out)}")
            written.append(path)
    return written


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    (mx, my), mnist_test = mnist.load_data()
    (cx, cy), cifar_test = cifar10.load_data()
    playground_samples(ctx, mnist_test, cifar_test)
    mx = mx.reshape(-1, 28, 28, 1).astype("float32")  # as the source: grey levels 0–255 as floats
    cx = cx.astype("float32") / 255.0
    cy = cy.ravel()
    sets = {"mnist": (mx, my, 6), "cifar10": (cx, cy, 8)}

    ctx.figure(augmentation_grid(mx[:6], titles=my[:6]), "mnist_first6")
    for name, (x, _y, cols) in sets.items():
        for option, settings in OPTIONS.items():
            ctx.figure(
                augmentation_grid(
                    x[:cols], *_rows(x[:cols], settings), row_titles=["", *map(_label, settings)]
                ),
                f"{name}_{option}",
            )
    fill_rows = [
        ImageAugmenter(rotation_range=45, width_shift_range=0.25, fill_mode=mode, seed=3).augment(
            cx[:8], seed=3
        )
        for mode in FILL_MODES
    ]
    ctx.figure(
        augmentation_grid(
            cx[:8], *fill_rows, row_titles=["", *(f"fill_mode={m!r}" for m in FILL_MODES)]
        ),
        "cifar10_fill_modes",
    )

    # Feature-wise standardization: one mean and one std per channel, fitted on the training set.
    stats = {}
    for name, (x, _y, cols) in sets.items():
        aug = ImageAugmenter(featurewise_center=True, featurewise_std_normalization=True).fit(x)
        out = aug.augment(x[:2000])
        stats[name] = {
            "mean": aug.feature_mean.numpy().tolist(),
            "std": aug.feature_std.numpy().tolist(),
            "after_mean": out.mean(axis=(0, 1, 2), dtype="float64").tolist(),
            "after_std": out.std(axis=(0, 1, 2), dtype="float64").tolist(),
        }
        ctx.figure(
            augmentation_grid(
                x[:cols],
                out[:cols],
                row_titles=["", "featurewise_center=True\nfeaturewise_std_\nnormalization=True"],
            ),
            f"{name}_featurewise",
        )

    # ZCA whitening: MNIST on all its training images; CIFAR-10 on the first 10,000.
    zca = {}
    m_aug = ImageAugmenter(zca_whitening=True).fit(mx)
    zca["mnist"] = {"fit_images": len(mx), **_zca_summary(m_aug, mx)}
    ctx.figure(
        augmentation_grid(mx[:6], m_aug.augment(mx[:6]), row_titles=["", "zca_whitening=True"]),
        "mnist_zca",
    )
    n_cifar = min(len(cx), CIFAR_ZCA_IMAGES)
    if n_cifar > 32 * 32 * 3:
        c_aug = ImageAugmenter(zca_whitening=True).fit(cx[:n_cifar])
        zca["cifar10"] = {"fit_images": n_cifar, **_zca_summary(c_aug, cx[:n_cifar])}
        # epsilon 1e-6 suits 0-255 grey levels; on 0-1 colours a larger one damps the
        # fine-grain noise
        c_soft = ImageAugmenter(zca_whitening=True, zca_epsilon=0.1).fit(cx[:n_cifar])
        ctx.figure(
            augmentation_grid(
                cx[:8],
                c_aug.augment(cx[:8]),
                c_soft.augment(cx[:8]),
                row_titles=["", "zca_whitening=True", "zca_whitening=True\nzca_epsilon=0.1"],
            ),
            "cifar10_zca",
        )
    else:
        print(f"  CIFAR-10 ZCA skipped: {n_cifar} images cannot whiten 3,072 values per image")
    # The source's shear_range=1.25 read as degrees (today) against a visible 40°: how much moves?
    shear_change = {
        str(angle): float(
            np.abs(ImageAugmenter(shear_range=angle).augment(mx[:1000], seed=2) - mx[:1000]).mean()
        )
        for angle in (1.25, 40)
    }
    wall = time.perf_counter() - start

    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"MNIST + {cifar10.locate().description}",
            n_train=len(mx) + len(cx),
            n_test=0,
            wall_time_s=round(wall, 1),
            note="statistics fitted on the training sets; no model is trained in this chapter",
        ),
        "comparisons": [
            {
                "key": "mnist_mean",
                "label": {"zh": "MNIST 像素均值（0–255）", "en": "MNIST pixel mean (0–255)"},
                "source": None,
                "ours": stats["mnist"]["mean"][0],
                "format": "float",
            },
            {
                "key": "mnist_std",
                "label": {"zh": "MNIST 像素标准差（0–255）", "en": "MNIST pixel std (0–255)"},
                "source": None,
                "ours": stats["mnist"]["std"][0],
                "format": "float",
            },
            {
                "key": "mnist_after_mean",
                "label": {
                    "zh": "标准化后的均值（前 2,000 张）",
                    "en": "Mean after standardization (first 2,000)",
                },
                "source": None,
                "ours": stats["mnist"]["after_mean"][0],
                "format": "float",
            },
            {
                "key": "mnist_after_std",
                "label": {
                    "zh": "标准化后的标准差（前 2,000 张）",
                    "en": "Std after standardization (first 2,000)",
                },
                "source": None,
                "ours": stats["mnist"]["after_std"][0],
                "format": "float",
            },
        ]
        + [
            {
                "key": f"mnist_shear_{angle}",
                "label": {
                    "zh": f"MNIST shear_range={angle}：像素平均绝对变化（0–255）",
                    "en": f"MNIST shear_range={angle}: mean absolute pixel change (0–255)",
                },
                "source": None,
                "ours": change,
                "format": "float",
            }
            for angle, change in shear_change.items()
        ]
        + [
            {
                "key": f"cifar_{stat}_{ch}",
                "label": {
                    "zh": f"CIFAR-10 {ch_zh}通道{stat_zh}（0–1）",
                    "en": f"CIFAR-10 {ch} channel {stat} (0–1)",
                },
                "source": None,
                "ours": stats["cifar10"][stat][i],
                "format": "float",
            }
            for stat, stat_zh in (("mean", "均值"), ("std", "标准差"))
            for i, (ch, ch_zh) in enumerate((("red", "红"), ("green", "绿"), ("blue", "蓝")))
        ]
        + [
            {
                "key": f"{name}_zca_{key}",
                "label": {
                    "zh": f"{name_zh} ZCA 后{key_zh}",
                    "en": f"{name_en} after ZCA: {key_en}",
                },
                "source": None,
                "ours": zca[name][key],
                "format": "float",
            }
            for name, name_zh, name_en in (
                ("mnist", "MNIST", "MNIST"),
                ("cifar10", "CIFAR-10", "CIFAR-10"),
            )
            if name in zca
            for key, key_zh, key_en in (
                (
                    "near_one",
                    "方差为 1±0.01 的主方向占比",
                    "share of directions with variance 1±0.01",
                ),
                (
                    "near_zero",
                    "方差低于 0.01 的主方向占比",
                    "share of directions with variance below 0.01",
                ),
                ("largest", "最大方差", "largest variance"),
            )
        ],
        "featurewise": stats,
        "zca": zca,
        "shear_mean_abs_change": shear_change,
    }
    ctx.record(record, f"{CHAPTER}-statistics")
    _throughput(ctx)


def _throughput(ctx):
    """A short run of benchmarks/augment_throughput.py (needs the ``bench`` extra: tf_keras,
    scipy)."""
    try:
        import scipy  # noqa: F401
        import tf_keras  # noqa: F401
    except ImportError as error:
        print(f"  throughput skipped ({error}); install the bench extra: pip install -e '.[bench]'")
        return
    spec = importlib.util.spec_from_file_location(
        "augment_throughput", ROOT / "benchmarks" / "augment_throughput.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    images, legacy_images = (256, 256) if config.smoke() else (4096, 1024)
    repeats = 3 if config.smoke() else 5
    results = bench.measure(
        images=images, legacy_images=legacy_images, batch_size=128, repeats=repeats
    )
    comparisons = []
    labels = {
        "legacy": ("旧 ImageDataGenerator（tf_keras）", "legacy ImageDataGenerator (tf_keras)"),
        "flow": ("ImageAugmenter.flow（流水线步骤）", "ImageAugmenter.flow (pipeline step)"),
        "layer": ("ImageAugmenter 作为层（编译后）", "ImageAugmenter as a layer (compiled)"),
        "tf.data": ("ImageAugmenter 放进 tf.data", "ImageAugmenter in tf.data"),
    }
    for shape, rates in results["rates"].items():
        for way, rate in rates.items():
            zh, en = labels[way]
            ratio = "" if way == "legacy" else f"（{rate / rates['legacy']:.1f}×）"
            ratio_en = "" if way == "legacy" else f" ({rate / rates['legacy']:.1f}×)"
            comparisons.append(
                {
                    "key": f"{shape}_{way}",
                    "label": {
                        "zh": f"{shape} · {zh}{ratio} 图像/秒",
                        "en": f"{shape} · {en}{ratio_en}, images/s",
                    },
                    "source": None,
                    "ours": rate,
                    "format": "int",
                }
            )
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset="random images (28×28×1 and 32×32×3)",
            n_train=images,
            n_test=0,
            batch_size=128,
            note=f"median of {repeats} interleaved passes, same machine, one run",
            options=bench.OPTIONS,
        ),
        "comparisons": comparisons,
        "throughput": results,
    }
    ctx.record(record, f"{CHAPTER}-throughput")
