"""Chapter 10: the source's seven ImageNet networks on one photo.

Source 004 §5 classified a photo of an elephant with six ``keras.applications``
models (Xception is listed but never run). We classify the Keras examples'
``creative_commons_elephant.jpg`` with all seven, where their ImageNet weights are
in the Keras cache. Where they are not (the machine that built this site had no
network), the record says so plainly: "not measured: no weights".

EfficientNet-Lite0's weights install from the package index (``companion.pretrained_lite0``),
so this network is measured here: its top-5 on the elephant and on a few cats-vs-dogs photos,
zero-shot cats vs dogs on all 1,000 validation photos of ``cats_and_dogs_filtered`` (the share
whose top-1 class is of the right species, and the most frequent classes), and its time per
image on this CPU. Nothing is trained, so the cpu budget cuts nothing; a smoke run takes a few
photos per class (and an untrained network where the weights are not installed).
"""

import hashlib
import time

from PIL import Image

from book.experiments import ch10_web
from book.results import provenance
from companion import pretrained

from . import ch10_lite0

CHAPTER = "10-pretrained"
# The source's top-1 answers for its own photo (evimg16tf.jpg); InceptionV3 was run on another file.
SOURCE = {
    "VGG16": "African_elephant 30.40%",
    "VGG19": "tusker 53.61%",
    "ResNet50": "African_elephant 47.35%",
    "InceptionV3": "giant_panda 94.42%",
    "InceptionResNetV2": "African_elephant 62.94%",
    "MobileNet": "African_elephant 90.81%",
    "Xception": None,  # listed, never run
}
NOT_MEASURED = "not measured: no weights"


def run(ctx):
    photo = pretrained.example_image()
    lite0 = ch10_lite0.measure(ctx, photo)
    with Image.open(photo) as image:
        size = f"{image.width}x{image.height}"
    md5 = hashlib.md5(photo.read_bytes()).hexdigest()

    answers, seconds = {}, {}
    for spec in pretrained.MODELS.values():
        if not pretrained.weights_path(spec).exists():
            print(f"  {spec.name}: not measured, no weights at {pretrained.weights_path(spec)}")
            continue
        start = time.perf_counter()
        answers[spec.name] = [row._asdict() for row in pretrained.classify(photo, spec.name, top=5)]
        seconds[spec.name] = round(time.perf_counter() - start, 2)
        best = answers[spec.name][0]
        print(f"  {spec.name}: {best['name']} {best['probability']:.2%}")

    def ours(name):
        if name not in answers:
            return None
        best = answers[name][0]
        return f"{best['name']} {100 * best['probability']:.2f}%"

    zero = lite0["zero_shot"]
    n_photos = zero["cats"]["n"] + zero["dogs"]["n"]
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"{photo.name} ({size} px, md5 {md5}); cats_and_dogs_filtered: "
            f"{n_photos:,} validation photos ({zero['cats']['n']} cats, {zero['dogs']['n']} dogs)",
            n_train=0,
            n_test=1 + n_photos,
            models_measured=sorted([*answers, "EfficientNetLite0"]),
            models_without_weights=sorted(
                s.name for s in pretrained.MODELS.values() if s.name not in answers
            ),
        ),
        "comparisons": [
            {
                "key": f"top1_{spec.name}",
                "label": {"zh": f"{spec.name}：第一名", "en": f"{spec.name}: top-1"},
                "source": SOURCE[spec.name],
                "source_ref": "004",
                "ours": ours(spec.name),
                "format": "",
            }
            for spec in pretrained.MODELS.values()
        ]
        + ch10_lite0.comparisons(lite0, photo.name),
        "status": {
            **{
                s.name: "measured" if s.name in answers else NOT_MEASURED
                for s in pretrained.MODELS.values()
            },
            "EfficientNetLite0": "measured",
        },
        "top5": answers,
        "seconds": seconds,
        "weights": lite0.pop("weights"),
        "lite0": lite0,
    }
    ctx.record(record)
    ch10_lite0.write_tables(ctx, record)
    ch10_web.run(ctx)  # the page's photo classifier: ONNX export, checked on photos
