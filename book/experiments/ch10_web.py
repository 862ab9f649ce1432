"""Chapter 10's photo classifier for the browser: EfficientNet-Lite0 as an ONNX file.

The ImageNet network of :mod:`companion.pretrained_lite0`, with its preprocessing
``(x - 127) / 128`` inside (it takes pixels 0..255), exported as chapters 02 and 05 export
theirs (:func:`book.export.export_onnx`, tf2onnx on TensorFlow). There is no test set
of ImageNet here, so the exported file is checked against Keras on real photos instead: the
first ``N_PER_CLASS`` validation photos of each class of the cats-vs-dogs set, cropped as the
network's authors evaluated it (:func:`companion.pretrained_lite0.load_and_crop`). For each
precision the record says on how many photos ONNX Runtime names the same top-1 class as
Keras and the same five classes in the same order, and how far the probabilities differ.
A float16 copy (half the download) replaces the float32 file only if it agrees with Keras
on the top-1 class of as many photos as the float32 file does, within
``book.export.FLOAT16_TOLERANCE``.

Also written: ``assets/widgets/imagenet-classes.json`` (the 1,000 class names the page
shows) and ``assets/widgets/10-photos/`` (the example photos the page offers, each resized
so that its shorter side is 256 pixels: the authors' crop, 224 of 256, is then exactly the
central 224 x 224 pixels, the same in the browser and in Python).

``build_figures.py --chapter 10`` runs :func:`run` after the chapter's own experiment; its
record is ``assets/results/10-pretrained-web.json``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

STEM = "10-pretrained-web"
MODEL_FILE = "10-efficientnet-lite0.onnx"
N_PER_CLASS = {"smoke": 3}  # photos per class for the check; 100 for a real run
CAT_IDS = range(281, 286)  # ImageNet's cat classes (tabby ... Egyptian cat)
DOG_IDS = range(151, 269)  # ImageNet's dog breeds (Chihuahua ... Mexican hairless)
SHORT_SIDE = 256  # the example photos' shorter side: the crop is 224 of 256
# The photos the page offers: the chapter's elephant and the first two validation photos
# of each class of the cats-vs-dogs set, not hand-picked.
EXAMPLES = [
    (
        "images/creative_commons_elephant.jpg",
        "elephant",
        {"zh": "一头非洲象和它的幼崽", "en": "An African elephant and her calf"},
    ),
    (
        "cats_and_dogs_filtered/validation/cats/cat.2000.jpg",
        "cat",
        {"zh": "一只黑白相间的猫坐在毯子上", "en": "A black-and-white cat sitting on a blanket"},
    ),
    (
        "cats_and_dogs_filtered/validation/cats/cat.2001.jpg",
        "cat",
        {
            "zh": "一只黑白相间的猫趴在纸箱里",
            "en": "A black-and-white cat lying in a cardboard box",
        },
    ),
    (
        "cats_and_dogs_filtered/validation/dogs/dog.2000.jpg",
        "dog",
        {
            "zh": "一只拴着红绳的黑色小狗站在草地上",
            "en": "A small black dog on a red lead, on grass",
        },
    ),
    (
        "cats_and_dogs_filtered/validation/dogs/dog.2001.jpg",
        "dog",
        {"zh": "一只浅棕色的狗张着嘴", "en": "A light-brown dog with its mouth open"},
    ),
]
CREDIT = {
    "elephant": "the Keras examples' creative_commons_elephant.jpg (Creative Commons)",
    "cat": "Kaggle Dogs vs. Cats (Asirra), as in cats_and_dogs_filtered; education use",
    "dog": "Kaggle Dogs vs. Cats (Asirra), as in cats_and_dogs_filtered; education use",
}


def _number(path: Path) -> int:
    return int(path.stem.split(".")[-1])


def check_photos(data: Path, per_class: int) -> tuple[list[Path], np.ndarray]:
    """The first ``per_class`` validation photos of each class; 0 for a cat, 1 for a dog."""
    folder = data / "cats_and_dogs_filtered" / "validation"
    photos, labels = [], []
    for label, name in enumerate(("cats", "dogs")):
        found = sorted(folder.joinpath(name).glob("*.jpg"), key=_number)[:per_class]
        photos += found
        labels += [label] * len(found)
    return photos, np.array(labels)


def _span(photos: list[Path]) -> str:
    """``cat.2000-2099.jpg`` for the photos cat.2000.jpg ... cat.2099.jpg."""
    first, last = photos[0].name, photos[-1].name
    return first if first == last else f"{first[:-4]}–{_number(photos[-1])}.jpg"


def species(probabilities: np.ndarray) -> np.ndarray:
    """0 where the top-1 class is a cat class, 1 where a dog breed, -1 otherwise."""
    top = probabilities.argmax(axis=1)
    return np.where(np.isin(top, CAT_IDS), 0, np.where(np.isin(top, DOG_IDS), 1, -1))


def compare(reference: np.ndarray, other: np.ndarray) -> dict:
    """How ``other`` (an ONNX file's probabilities) agrees with ``reference`` (Keras')."""
    top5 = np.argsort(-reference, axis=1, kind="stable")[:, :5]
    top5_other = np.argsort(-other, axis=1, kind="stable")[:, :5]
    rows = np.arange(len(reference))[:, None]
    # log p = logit - log(sum exp(logits)): on the top-5 classes, a difference of
    # log-probabilities is a difference of logits, up to one constant per photo.
    log_gap = np.abs(np.log(other[rows, top5]) - np.log(reference[rows, top5]))
    return {
        "same_top1": int((reference.argmax(1) == other.argmax(1)).sum()),
        "same_top5_in_order": int((top5 == top5_other).all(axis=1).sum()),
        "max_abs_probability_difference": float(np.abs(other - reference).max()),
        "max_abs_log_probability_difference_top5": float(log_gap.max()),
    }


def write_examples(ctx, data: Path, model, classify_onnx) -> list[dict]:
    """The example photos, shorter side 256 (Pillow, bicubic), JPEG quality 90, no metadata."""
    from PIL import Image

    from companion.pretrained_lite0 import load_and_crop

    folder = ctx.out / "docs" / "assets" / "widgets" / "10-photos"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    examples = []
    for source, kind, alt in EXAMPLES:
        with Image.open(data / source) as image:
            image = image.convert("RGB")
            scale = SHORT_SIDE / min(image.size)
            size = (round(image.width * scale), round(image.height * scale))
            small = image.resize(size, Image.Resampling.BICUBIC)
        path = folder / Path(source).name
        small.save(path, quality=90)  # no EXIF, no colour profile: the browser reads the pixels
        crop = load_and_crop(path)
        keras_p = np.asarray(model.predict_on_batch(crop))[0]
        onnx_p = classify_onnx(crop)[0]
        examples.append(
            {
                "file": f"assets/widgets/10-photos/{path.name}",
                "source": source,
                "credit": CREDIT[kind],
                "size": list(small.size),
                "alt": alt,
                "keras_top5": [int(c) for c in np.argsort(-keras_p, kind="stable")[:5]],
                "onnx_top5": [int(c) for c in np.argsort(-onnx_p, kind="stable")[:5]],
                "onnx_top1_probability": float(onnx_p.max()),
            }
        )
        print(f"  wrote {path.relative_to(ctx.out)} ({path.stat().st_size / 1e3:.0f} kB)")
    return examples


def write_class_names(ctx) -> Path:
    from companion._io import write_json
    from companion.pretrained import class_index

    index = class_index()
    path = write_json(
        ctx.out / "docs" / "assets" / "widgets" / "imagenet-classes.json",
        {
            "source": "Keras' imagenet_class_index.json (WordNet names of ILSVRC-2012)",
            "names": [index[i][1] for i in range(1000)],
        },
    )
    print(f"  wrote {path.relative_to(ctx.out)}")
    return path


def run(ctx) -> dict:
    import onnxruntime as ort

    from book import export
    from book.results import provenance
    from companion import config, pretrained_lite0

    data = config.data_dir()
    if data is None:
        raise FileNotFoundError("set COMPANION_DATA_DIR to the folder with cats_and_dogs_filtered")
    start = time.perf_counter()
    per_class = N_PER_CLASS.get(ctx.budget, 100)
    photos, labels = check_photos(data, per_class)
    model = pretrained_lite0.build(include_preprocessing=True)
    x = np.concatenate([pretrained_lite0.load_and_crop(p) for p in photos])
    keras_p = np.asarray(model.predict(x, batch_size=25, verbose=0))

    docs = ctx.out / "docs"
    target = docs / "assets" / "models" / MODEL_FILE
    checks, size = {}, {}
    with tempfile.TemporaryDirectory(prefix="ch10-onnx-") as tmp:
        files = {"float32": Path(tmp) / "float32.onnx", "float16": Path(tmp) / "float16.onnx"}
        export.export_onnx(model, files["float32"])
        with warnings.catch_warnings():  # one line for each tiny weight rounded to 1e-7
            warnings.simplefilter("ignore", UserWarning)
            export.float16_copy(files["float32"], files["float16"])
        onnx_p = {}
        for precision, path in files.items():
            size[precision] = path.stat().st_size
            onnx_p[precision] = export.onnx_probabilities(path, x, batch_size=25)
            checks[precision] = compare(keras_p, onnx_p[precision])
        n = len(photos)
        kept16 = (
            checks["float32"]["same_top1"] - checks["float16"]["same_top1"]
            <= export.FLOAT16_TOLERANCE * n
        )
        precision = "float16" if kept16 else "float32"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files[precision], target)
    for name, c in checks.items():
        print(f"  ONNX {name} ({size[name] / 1e6:.1f} MB) vs Keras on {n} photos: {c}")

    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    examples = write_examples(
        ctx, data, model, lambda crop: session.run(None, {session.get_inputs()[0].name: crop})[0]
    )
    write_class_names(ctx)

    right = {
        "keras": float((species(keras_p) == labels).mean()),
        **{f"onnx_{k}": float((species(v) == labels).mean()) for k, v in onnx_p.items()},
    }
    graph_input, graph_output = session.get_inputs()[0], session.get_outputs()[0]
    web_model = {
        "file": target.relative_to(docs).as_posix(),
        "sha256": export.sha256(target),
        "bytes": target.stat().st_size,
        "precision": precision,
        "input": {
            "name": graph_input.name,
            "shape": [d if isinstance(d, int) else None for d in graph_input.shape],
            "pixels": "0..255, a 224x224 RGB crop; (x - 127) / 128 is in the model",
        },
        "output": {
            "name": graph_output.name,
            "shape": [d if isinstance(d, int) else None for d in graph_output.shape],
        },
        "check_photos": f"cats_and_dogs_filtered/validation: the first {per_class} cats "
        f"and the first {per_class} dogs",
        "n_photos": n,
        "agreement_with_keras": checks,
        "right_species": right,
        "bytes_by_precision": size,
        "float16_rule": "kept if its top-1 agrees with Keras on as many photos as float32's "
        f"(within {export.FLOAT16_TOLERANCE:.1%} of the photos)",
        "versions": {"onnxruntime": ort.__version__, **export._exporter_versions()},
        "examples": examples,
        "class_names": "assets/widgets/imagenet-classes.json",
    }
    print(
        f"  wrote {target.relative_to(ctx.out)} ({precision}, {target.stat().st_size / 1e6:.2f} MB)"
    )

    def count(c):
        return f"{c} / {n}"

    record = {
        "chapter": STEM,
        "provenance": provenance(
            # names only, no English words: the Chinese table shows it as it is
            dataset=f"cats_and_dogs_filtered/validation: {_span(photos[:per_class])} + "
            f"{_span(photos[per_class:])}",
            n_train=0,
            n_test=n,
            wall_time_s=round(time.perf_counter() - start, 1),
            weights=pretrained_lite0.weights_record(),
        ),
        "comparisons": [
            {
                "key": f"same_top1_{p}",
                "label": {
                    "zh": f"ONNX {p} 与 Keras 第一名相同",
                    "en": f"ONNX {p}: same top-1 as Keras",
                },
                "source": None,
                "ours": count(checks[p]["same_top1"]),
                "format": "",
            }
            for p in ("float32", "float16")
        ]
        + [
            {
                "key": f"same_top5_{p}",
                "label": {
                    "zh": f"ONNX {p} 与 Keras 前五名（含顺序）相同",
                    "en": f"ONNX {p}: same top-5, in order",
                },
                "source": None,
                "ours": count(checks[p]["same_top5_in_order"]),
                "format": "",
            }
            for p in ("float32", "float16")
        ]
        + [
            {
                "key": f"max_probability_difference_{p}",
                "label": {
                    "zh": f"ONNX {p} 与 Keras 概率的最大差",
                    "en": f"ONNX {p}: largest probability difference",
                },
                "source": None,
                "ours": checks[p]["max_abs_probability_difference"],
                "format": "",
            }
            for p in ("float32", "float16")
        ]
        + [
            {
                "key": "web_model_size",
                "label": {"zh": "网页上的模型文件（MB）", "en": "The page's model file (MB)"},
                "source": None,
                "ours": f"{web_model['bytes'] / 1e6:.1f} ({precision})",
                "format": "",
            }
        ],
        "web_model": web_model,
    }
    ctx.record(record, stem=STEM)
    return record


if __name__ == "__main__":  # this part alone: python book/experiments/ch10_web.py [--smoke]
    import os
    import sys

    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root / "scripts"), str(root), str(root / "src")]
    smoke = "--smoke" in sys.argv
    if smoke:
        os.environ["COMPANION_SMOKE"] = "1"
    from build_figures import Context

    from book import results
    from book.lock import ExperimentLock

    results.pin_commit()
    out = root / "build" / "smoke" if smoke else root
    ctx = Context(chapter="10-pretrained", out=out, budget="smoke" if smoke else "cpu")
    if smoke:
        run(ctx)
    else:
        with ExperimentLock("ch10_web.py (chapter 10's ONNX export)", wait=True):
            run(ctx)
