"""Chapter 07: image augmentation option by option, on MNIST digits and CIFAR-10 colour images.

Draws each ImageDataGenerator option of source 004 (part 2) with ``ImageAugmenter``, records
the statistics that standardization and ZCA whitening fit, and times the augmenter against
the legacy generator (``benchmarks/augment_throughput.py``).
"""

from __future__ import annotations

import runpy
import time
from pathlib import Path

import numpy as np
from PIL import Image

from book.experiments.common import note, phrase, save
from book.results import provenance
from book.vocabulary import LANGS, label
from companion import config
from companion._io import atomic_path
from companion.augment import ImageAugmenter, augmentation_grid
from companion.data import cifar10, mnist

CHAPTER = "07-augmentation"
ROOT = Path(__file__).resolve().parents[2]

#: one figure per option; each value lists the rows drawn under the originals
OPTIONS = {
    "rotation": [dict(rotation_range=90)] * 2,
    "shift": [dict(width_shift_range=0.2, height_shift_range=0.2)] * 2,
    "shear": [dict(shear_range=1.25), dict(shear_range=40)],  # the source's degrees, a visible one
    "zoom": [dict(zoom_range=0.3)] * 2,
    "flip": [dict(horizontal_flip=True, vertical_flip=True)] * 2,
}
FILL_MODES = ("nearest", "constant", "reflect", "wrap")
#: the pictures of the page's live playground: the first test image of each class named
PLAYGROUND = {"cifar10": ("cat", "ship", "horse"), "mnist": ("7",)}
CIFAR_ZCA_IMAGES = 5_000  # > 3,072 values per image; a 3,072² covariance a CPU affords
NAMES = {"mnist": "MNIST", "cifar10": "CIFAR-10"}


def _grid(ctx, name, x, rows, titles):
    ctx.figure(augmentation_grid(x, *rows, row_titles=["", *titles]), name)


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


def playground_samples(ctx, mnist_test, cifar_test):
    """The playground's pictures as they are: lossless PNGs (no gamma or colour profile), which
    the page's script and the browser tests read."""
    sets = {"mnist": (mnist_test, mnist.CLASS_NAMES), "cifar10": (cifar_test, cifar10.CLASS_NAMES)}
    for name, classes in PLAYGROUND.items():
        (x, y), names = sets[name]
        for cls in classes:
            image = x[int(np.flatnonzero(np.ravel(y) == names.index(cls))[0])]
            path = ctx.figures_dir / f"playground_{name}_{cls}.png"
            with atomic_path(path) as tmp:
                Image.fromarray(np.asarray(image, dtype="uint8").squeeze()).save(tmp, format="PNG")
            print(f"  wrote {path.relative_to(ctx.out)}")


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    (mx, my), mnist_test = mnist.load_data()
    (cx, cy), cifar_test = cifar10.load_data()
    playground_samples(ctx, mnist_test, cifar_test)
    mx = mx.reshape(-1, 28, 28, 1).astype("float32")  # as the source: grey levels 0–255 as floats
    cx = cx.astype("float32") / 255.0
    sets = {"mnist": (mx, 6), "cifar10": (cx, 8)}

    ctx.figure(augmentation_grid(mx[:6], titles=my[:6]), "mnist_first6")
    for name, (x, cols) in sets.items():
        for option, settings in OPTIONS.items():
            rows = [
                ImageAugmenter(**o, seed=1 + k).augment(x[:cols], seed=1 + k)
                for k, o in enumerate(settings)
            ]
            titles = ["\n".join(f"{k}={v!r}" for k, v in o.items()) for o in settings]
            _grid(ctx, f"{name}_{option}", x[:cols], rows, titles)
    rows = [
        ImageAugmenter(rotation_range=45, width_shift_range=0.25, fill_mode=m, seed=3).augment(
            cx[:8], seed=3
        )
        for m in FILL_MODES
    ]
    _grid(ctx, "cifar10_fill_modes", cx[:8], rows, [f"fill_mode={m!r}" for m in FILL_MODES])

    # Feature-wise standardization: one mean and one std per channel, fitted on the training set.
    stats = {}
    for name, (x, cols) in sets.items():
        aug = ImageAugmenter(featurewise_center=True, featurewise_std_normalization=True).fit(x)
        out = aug.augment(x[:2000])
        stats[name] = {
            "mean": aug.feature_mean.numpy().tolist(),
            "std": aug.feature_std.numpy().tolist(),
            "after_mean": out.mean(axis=(0, 1, 2), dtype="float64").tolist(),
            "after_std": out.std(axis=(0, 1, 2), dtype="float64").tolist(),
        }
        title = "featurewise_center=True\nfeaturewise_std_\nnormalization=True"
        _grid(ctx, f"{name}_featurewise", x[:cols], [out[:cols]], [title])

    # ZCA whitening: MNIST on all its training images, CIFAR-10 on the first CIFAR_ZCA_IMAGES.
    m_aug = ImageAugmenter(zca_whitening=True).fit(mx)
    zca = {"mnist": {"fit_images": len(mx), **_zca_summary(m_aug, mx)}}
    _grid(ctx, "mnist_zca", mx[:6], [m_aug.augment(mx[:6])], ["zca_whitening=True"])
    n_cifar = min(len(cx), CIFAR_ZCA_IMAGES)
    if n_cifar > 32 * 32 * 3:
        c_aug = ImageAugmenter(zca_whitening=True).fit(cx[:n_cifar])
        zca["cifar10"] = {"fit_images": n_cifar, **_zca_summary(c_aug, cx[:n_cifar])}
        # epsilon 1e-6 suits 0-255 grey levels; on 0-1 colours a larger one damps the noise
        c_soft = ImageAugmenter(zca_whitening=True, zca_epsilon=0.1).fit(cx[:n_cifar])
        rows = [c_aug.augment(cx[:8]), c_soft.augment(cx[:8])]
        titles = ["zca_whitening=True", "zca_whitening=True\nzca_epsilon=0.1"]
        _grid(ctx, "cifar10_zca", cx[:8], rows, titles)
    else:
        print(f"  CIFAR-10 ZCA skipped: {n_cifar} images cannot whiten 3,072 values per image")
    # The source's shear_range=1.25 read as degrees (today) against a visible 40°: how much moves?
    shear_change = {
        str(a): float(
            np.abs(ImageAugmenter(shear_range=a).augment(mx[:1000], seed=2) - mx[:1000]).mean()
        )
        for a in (1.25, 40)
    }

    rows = []

    def add(key, value, text):
        rows.append(note(key, value, fmt="float", label=text))

    for k in ("mean", "std", "after_mean", "after_std"):
        add(f"mnist_{k}", stats["mnist"][k][0], f"ch07.mnist_{k}")
    for a, v in shear_change.items():
        add(f"mnist_shear_{a}", v, phrase("ch07.mnist_shear", angle=a))
    for s in ("mean", "std"):
        for i, ch in enumerate(("red", "green", "blue")):
            text = phrase("ch07.cifar_stat", ch=label(f"ch07.{ch}"), stat=label(f"ch07.{s}"))
            add(f"cifar_{s}_{ch}", stats["cifar10"][s][i], text)
    for n in zca:
        for k in ("near_one", "near_zero", "largest"):
            text = phrase("ch07.zca", name=NAMES[n], what=label(f"ch07.zca_{k}"))
            add(f"{n}_zca_{k}", zca[n][k], text)
    prov = provenance(
        dataset=f"MNIST + {cifar10.locate().description}",
        n_train=len(mx) + len(cx),
        n_test=0,
        wall_time_s=round(time.perf_counter() - start, 1),
        note="statistics fitted on the training sets; no model is trained in this chapter",
    )
    stem = f"{CHAPTER}-statistics"
    save(ctx, prov, rows, stem, featurewise=stats, zca=zca, shear_mean_abs_change=shear_change)
    _throughput(ctx)


def _throughput(ctx):
    """A short run of benchmarks/augment_throughput.py (the ``bench`` extra: tf_keras, scipy)."""
    try:
        import scipy  # noqa: F401
        import tf_keras  # noqa: F401
    except ImportError as error:
        print(f"  throughput skipped ({error}); install the bench extra: pip install -e '.[bench]'")
        return
    bench = runpy.run_path(str(ROOT / "benchmarks" / "augment_throughput.py"))  # its globals
    images, legacy_images, repeats = (256, 256, 3) if config.smoke() else (4096, 1024, 5)
    results = bench["measure"](
        images=images, legacy_images=legacy_images, batch_size=128, repeats=repeats
    )
    rows = []
    for shape, rates in results["rates"].items():
        for way, rate in rates.items():
            r = rate / rates["legacy"]
            ratio = dict.fromkeys(LANGS, "") if way == "legacy" else phrase("ch07.ratio", r=r)
            text = phrase("ch07.rate", shape=shape, way=label(f"ch07.{way}"), ratio=ratio)
            rows.append(note(f"{shape}_{way}", rate, fmt="int", label=text))
    prov = provenance(
        dataset="random images (28×28×1 and 32×32×3)",
        n_train=images,
        n_test=0,
        batch_size=128,
        note=f"median of {repeats} interleaved passes, same machine, one run",
        options=bench["OPTIONS"],
    )
    save(ctx, prov, rows, f"{CHAPTER}-throughput", throughput=results)
