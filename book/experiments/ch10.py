"""Chapter 10: the source's seven ImageNet networks on one photo, and EfficientNet-Lite0.

Source 004 §5 classified a photo of an elephant with six ``keras.applications`` models
(Xception is listed, never run). We classify the Keras examples' elephant with each whose
ImageNet weights are in the Keras cache (the record says "not measured: no weights" for the
others), measure EfficientNet-Lite0 (``ch10_lite0``) and export it for the page
(``ch10_web``; alone: ``build_figures.py --chapter 10 --part web``).
"""

import hashlib
import time

from PIL import Image

from book.experiments import ch10_lite0, ch10_web
from book.experiments.common import phrase, row, save
from book.results import provenance
from companion import pretrained

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
PARTS = {"web": ch10_web.run}  # the page's photo classifier: ONNX export, checked on photos


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
        answers[spec.name] = [r._asdict() for r in pretrained.classify(photo, spec.name, top=5)]
        seconds[spec.name] = round(time.perf_counter() - start, 2)
        best = answers[spec.name][0]
        print(f"  {spec.name}: {best['name']} {best['probability']:.2%}")

    def ours(name):
        best = answers[name][0] if name in answers else None
        return best and f"{best['name']} {100 * best['probability']:.2f}%"

    zero = lite0["zero_shot"]
    n_photos = zero["cats"]["n"] + zero["dogs"]["n"]
    names = [spec.name for spec in pretrained.MODELS.values()]
    prov = provenance(
        dataset=f"{photo.name} ({size} px, md5 {md5}); cats_and_dogs_filtered: "
        f"{n_photos:,} validation photos ({zero['cats']['n']} cats, {zero['dogs']['n']} dogs)",
        n_train=0,
        n_test=1 + n_photos,
        models_measured=sorted([*answers, "EfficientNetLite0"]),
        models_without_weights=sorted(name for name in names if name not in answers),
    )
    rows = [
        row(f"top1_{name}", ours(name), source=SOURCE[name], ref="004", fmt="",
            label=phrase("ch10.top1", name=name))
        for name in names
    ]  # fmt: skip
    rows += ch10_lite0.comparisons(lite0, photo.name)
    status = {name: "measured" if name in answers else NOT_MEASURED for name in names}
    status["EfficientNetLite0"] = "measured"
    weights = lite0.pop("weights")
    extra = dict(status=status, top5=answers, seconds=seconds, weights=weights, lite0=lite0)
    record = save(ctx, prov, rows, **extra)
    ch10_lite0.write_tables(ctx, record)
    ch10_web.run(ctx)
