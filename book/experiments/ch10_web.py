"""Chapter 10's photo classifier for the browser: EfficientNet-Lite0 as an ONNX file.

The ImageNet network with its preprocessing inside (it takes pixels 0..255), exported with
:func:`book.export.export_onnx` and, with no ImageNet test set here, checked against Keras on
the first validation photos of each class of the cats-vs-dogs set: same top-1, same top-5 in
order, largest probability difference, per precision (float16 kept within
``book.export.FLOAT16_TOLERANCE``). Also writes the class names and the page's example photos
(shorter side 256: the authors' 224-of-256 crop is then the central 224 x 224 pixels).
Record: ``10-pretrained-web``.
"""

import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from book import export
from book.experiments.common import note, phrase, save
from book.results import provenance
from book.vocabulary import label
from companion import config, pretrained, pretrained_lite0
from companion._io import write_json
from companion.pretrained_lite0 import load_and_crop, species

STEM = "10-pretrained-web"
MODEL_FILE = "10-efficientnet-lite0.onnx"
N_PER_CLASS = {"smoke": 3}  # photos per class for the check; 100 for a real run
SHORT_SIDE = 256  # the example photos' shorter side: the crop is 224 of 256
PRECISIONS = ("float32", "float16")
# The photos the page offers: the elephant and the first two validation photos of each class
# (their descriptions: the vocabulary's ``ch10.photo_<name>``).
EXAMPLES = ["images/creative_commons_elephant.jpg"] + [
    f"cats_and_dogs_filtered/validation/{c}s/{c}.{n}.jpg"
    for c in ("cat", "dog")
    for n in (2000, 2001)
]
DOGS_VS_CATS = "Kaggle Dogs vs. Cats (Asirra), as in cats_and_dogs_filtered; education use"
CREDIT = {
    "elephant": "the Keras examples' creative_commons_elephant.jpg (Creative Commons)",
    "cat": DOGS_VS_CATS,
    "dog": DOGS_VS_CATS,
}


def numbered(folder):
    """The JPEGs of a folder, in the order of their numbers (cat.2000.jpg, cat.2001.jpg ...)."""
    return sorted(folder.glob("*.jpg"), key=lambda p: int(p.stem.split(".")[-1]))


def check_photos(data: Path, per_class: int) -> tuple[list[Path], list[str]]:
    """The first ``per_class`` validation photos of each class, and their species."""
    folder = data / "cats_and_dogs_filtered" / "validation"
    found = {kind: numbered(folder / f"{kind}s")[:per_class] for kind in ("cat", "dog")}
    return found["cat"] + found["dog"], ["cat"] * len(found["cat"]) + ["dog"] * len(found["dog"])


def _span(photos: list[Path]) -> str:
    """``cat.2000-2099.jpg`` for the photos cat.2000.jpg ... cat.2099.jpg."""
    first, last = photos[0].name, photos[-1].name
    return first if first == last else f"{first[:-4]}–{last.split('.')[-2]}.jpg"


def _best5(probabilities: np.ndarray) -> np.ndarray:
    """The five most probable classes of each row (of a vector: its five), most probable first."""
    return np.argsort(-probabilities, axis=-1, kind="stable")[..., :5]


def compare(reference: np.ndarray, other: np.ndarray) -> dict:
    """How ``other`` (an ONNX file's probabilities) agrees with ``reference`` (Keras')."""
    top5, top5_other = _best5(reference), _best5(other)
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
                "keras_top5": _best5(keras_p).tolist(),
                "onnx_top5": _best5(onnx_p).tolist(),
                "onnx_top1_probability": float(onnx_p.max()),
            }
        )
        print(f"  wrote {path.relative_to(ctx.out)} ({path.stat().st_size / 1e3:.0f} kB)")
    return examples


def write_class_names(ctx) -> None:
    """The 1,000 ImageNet class names, in the order of the network's outputs."""
    index = pretrained.class_index()
    source = "Keras' imagenet_class_index.json (WordNet names of ILSVRC-2012)"
    names = {"source": source, "names": [index[i][1] for i in range(1000)]}
    path = write_json(ctx.out / "docs" / "assets" / "widgets" / "imagenet-classes.json", names)
    print(f"  wrote {path.relative_to(ctx.out)}")


def run(ctx) -> dict:
    import onnxruntime as ort

    data = config.data_dir()
    if data is None:
        raise FileNotFoundError("set COMPANION_DATA_DIR to the folder with cats_and_dogs_filtered")
    start = time.perf_counter()
    per_class = N_PER_CLASS.get(ctx.budget, 100)
    photos, truth = check_photos(data, per_class)
    model = pretrained_lite0.build(include_preprocessing=True)
    x = np.concatenate([load_and_crop(p) for p in photos])
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
    ports = {"input": session.get_inputs()[0], "output": session.get_outputs()[0]}
    examples = write_examples(
        ctx, data, model, lambda crop: session.run(None, {ports["input"].name: crop})[0]
    )
    write_class_names(ctx)

    graph = {
        key: {"name": port.name, "shape": [d if isinstance(d, int) else None for d in port.shape]}
        for key, port in ports.items()
    }
    graph["input"]["pixels"] = "0..255, a 224x224 RGB crop; (x - 127) / 128 is in the model"
    right = {"keras": keras_p} | {f"onnx_{k}": v for k, v in onnx_p.items()}
    web_model = {
        "file": target.relative_to(docs).as_posix(),
        "sha256": export.sha256(target),
        "bytes": target.stat().st_size,
        "precision": precision,
        **graph,
        "check_photos": f"cats_and_dogs_filtered/validation: the first {per_class} cats "
        f"and the first {per_class} dogs",
        "n_photos": n,
        "agreement_with_keras": checks,
        "right_species": {
            key: float(
                np.mean([species(int(c)) == s for c, s in zip(p.argmax(1), truth, strict=True)])
            )
            for key, p in right.items()
        },
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
