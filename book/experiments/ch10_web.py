"""Chapter 10's photo classifier for the browser: EfficientNet-Lite0 as an ONNX file.

The ImageNet network with its preprocessing inside (it takes pixels 0..255), exported with
:func:`book.export.export_onnx` and, with no ImageNet test set here, checked against Keras on
the first validation photos of each class of the cats-vs-dogs set: same top-1, same top-5 in
order, largest probability difference, per precision (float16 kept within
``book.export.FLOAT16_TOLERANCE``). Also writes the class names and the page's example photos
(shorter side 256: the authors' 224-of-256 crop is then the central 224 x 224 pixels).
Record: ``10-pretrained-web``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from book.experiments.common import note, phrase, save
from companion.pretrained_lite0 import CAT_CLASSES, DOG_CLASSES

STEM = "10-pretrained-web"
MODEL_FILE = "10-efficientnet-lite0.onnx"
N_PER_CLASS = {"smoke": 3}  # photos per class for the check; 100 for a real run
SHORT_SIDE = 256  # the example photos' shorter side: the crop is 224 of 256
PRECISIONS = ("float32", "float16")
# The photos the page offers: the elephant and the first two validation photos of each class
# (their descriptions: the vocabulary's ``ch10.photo_<name>``).
EXAMPLES = [
    "images/creative_commons_elephant.jpg",
    *(
        f"cats_and_dogs_filtered/validation/{c}s/{c}.{n}.jpg"
        for c in ("cat", "dog")
        for n in (2000, 2001)
    ),
]
DOGS_VS_CATS = "Kaggle Dogs vs. Cats (Asirra), as in cats_and_dogs_filtered; education use"
CREDIT = {
    "elephant": "the Keras examples' creative_commons_elephant.jpg (Creative Commons)",
    "cat": DOGS_VS_CATS,
    "dog": DOGS_VS_CATS,
}


def photos(folder):
    """The JPEGs of a folder, in the order of their numbers (cat.2000.jpg, cat.2001.jpg ...)."""
    return sorted(folder.glob("*.jpg"), key=lambda p: int(p.stem.split(".")[-1]))


def check_photos(data: Path, per_class: int) -> tuple[list[Path], np.ndarray]:
    """The first ``per_class`` validation photos of each class; 0 for a cat, 1 for a dog."""
    folder = data / "cats_and_dogs_filtered" / "validation"
    found = [photos(folder / name)[:per_class] for name in ("cats", "dogs")]
    return found[0] + found[1], np.array([0] * len(found[0]) + [1] * len(found[1]))


def _span(photos: list[Path]) -> str:
    """``cat.2000-2099.jpg`` for the photos cat.2000.jpg ... cat.2099.jpg."""
    first, last = photos[0].name, photos[-1].name
    return first if first == last else f"{first[:-4]}–{last.split('.')[-2]}.jpg"


def species(probabilities: np.ndarray) -> np.ndarray:
    """0 where the top-1 class is a cat class, 1 where a dog breed, -1 otherwise."""
    top = probabilities.argmax(axis=1)
    return np.where(np.isin(top, CAT_CLASSES), 0, np.where(np.isin(top, DOG_CLASSES), 1, -1))


def compare(reference: np.ndarray, other: np.ndarray) -> dict:
    """How ``other`` (an ONNX file's probabilities) agrees with ``reference`` (Keras')."""
    top5 = np.argsort(-reference, axis=1, kind="stable")[:, :5]
    top5_other = np.argsort(-other, axis=1, kind="stable")[:, :5]
    rows = np.arange(len(reference))[:, None]
    # on the top-5 classes a difference of log-probabilities is one of logits, up to a constant
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

    from book.vocabulary import label
    from companion.pretrained_lite0 import load_and_crop

    folder = ctx.out / "docs" / "assets" / "widgets" / "10-photos"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    examples = []
    for source in EXAMPLES:
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
        kind = "elephant" if "elephant" in source else path.name.split(".")[0]
        examples.append(
            {
                "file": f"assets/widgets/10-photos/{path.name}",
                "source": source,
                "credit": CREDIT[kind],
                "size": list(small.size),
                "alt": label(f"ch10.photo_{path.stem}"),
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
    n = len(photos)
    with tempfile.TemporaryDirectory(prefix="ch10-onnx-") as tmp:
        files = {p: Path(tmp) / f"{p}.onnx" for p in PRECISIONS}
        export.export_onnx(model, files["float32"])
        with warnings.catch_warnings():  # one line for each tiny weight rounded to 1e-7
            warnings.simplefilter("ignore", UserWarning)
            export.float16_copy(files["float32"], files["float16"])
        size = {p: path.stat().st_size for p, path in files.items()}
        onnx_p = {p: export.onnx_probabilities(path, x, batch_size=25) for p, path in files.items()}
        checks = {p: compare(keras_p, probabilities) for p, probabilities in onnx_p.items()}
        lost = checks["float32"]["same_top1"] - checks["float16"]["same_top1"]
        precision = "float16" if lost <= export.FLOAT16_TOLERANCE * n else "float32"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files[precision], target)
    for name, c in checks.items():
        print(f"  ONNX {name} ({size[name] / 1e6:.1f} MB) vs Keras on {n} photos: {c}")

    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    graph_input, graph_output = session.get_inputs()[0], session.get_outputs()[0]
    examples = write_examples(
        ctx, data, model, lambda crop: session.run(None, {graph_input.name: crop})[0]
    )
    write_class_names(ctx)

    right = {"keras": float((species(keras_p) == labels).mean())}
    right.update({f"onnx_{k}": float((species(v) == labels).mean()) for k, v in onnx_p.items()})
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
    print(f"  wrote {target.relative_to(ctx.out)} ({precision}, {web_model['bytes'] / 1e6:.2f} MB)")

    rows = [
        note(f"{key}_{p}", ours(checks[p]), label=phrase(f"ch10.{key}", p=p))
        for key, ours in (
            ("same_top1", lambda c: f"{c['same_top1']} / {n}"),
            ("same_top5", lambda c: f"{c['same_top5_in_order']} / {n}"),
            ("max_probability_difference", lambda c: c["max_abs_probability_difference"]),
        )
        for p in PRECISIONS
    ]
    mb = f"{web_model['bytes'] / 1e6:.1f} ({precision})"
    rows.append(note("web_model_size", mb, label="ch10.web_model_size"))
    prov = provenance(
        # names only, no English words: the Chinese table shows it as it is
        dataset=f"cats_and_dogs_filtered/validation: {_span(photos[:per_class])} + "
        f"{_span(photos[per_class:])}",
        n_train=0,
        n_test=n,
        wall_time_s=round(time.perf_counter() - start, 1),
        weights=pretrained_lite0.weights_record(),
    )
    return save(ctx, prov, rows, STEM, chapter=STEM, web_model=web_model)
