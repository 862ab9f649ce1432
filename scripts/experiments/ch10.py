"""Chapter 10: the source's seven ImageNet networks on one photo.

Source 004 §5 classified a photo of an elephant with six ``keras.applications``
models (Xception is listed but never run). We classify the Keras examples'
``creative_commons_elephant.jpg`` with all seven, where their ImageNet weights are
in the Keras cache. Where they are not (the machine that built this site had no
network), the record says so plainly: "not measured: no weights".
"""

import hashlib
import time

from PIL import Image

from companion import pretrained
from companion.results import provenance
from experiments import ch10_web

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

    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=f"{photo.name} ({size} px, md5 {md5})",
            n_train=0,
            n_test=1,
            models_measured=sorted(answers),
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
        ],
        "status": {
            s.name: "measured" if s.name in answers else NOT_MEASURED
            for s in pretrained.MODELS.values()
        },
        "top5": answers,
        "seconds": seconds,
    }
    ctx.record(record)
    ch10_web.run(ctx)  # the page's photo classifier: ONNX export, checked on photos
