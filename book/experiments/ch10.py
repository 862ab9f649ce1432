"""Chapter 10: the source's seven ImageNet networks on one photo, and EfficientNet-Lite0.

Source 004 §5 classified a photo of an elephant with six ``keras.applications`` models
(Xception is listed, never run). We classify the Keras examples' elephant with each whose
ImageNet weights are in the Keras cache (the record says "not measured: no weights" for the
others). EfficientNet-Lite0 (weights from the package index) also gives its top-5 for the first
two validation cats and dogs, tells cats from dogs zero-shot on all validation photos of
``cats_and_dogs_filtered`` (grouped by species) and is timed; ``ch10_web`` exports it for the
page (alone: ``build_figures.py --chapter 10 --part web``).
"""

import hashlib
import statistics
import time
from collections import Counter
from itertools import zip_longest

import numpy as np
from PIL import Image

from book.experiments import ch10_web
from book.experiments.ch10_web import numbered
from book.experiments.common import (
    figure_per_lang,
    markdown_table,
    phrase,
    row,
    save,
    table_per_lang,
    timed,
)
from book.results import provenance
from book.vocabulary import word
from companion import config, pretrained, pretrained_lite0
from companion.data import cats_dogs
from companion.errors import CompanionError, WeightsUnavailableError
from companion.pretrained_lite0 import CAT_CLASSES, DOG_CLASSES, species

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

MODEL = "EfficientNetLite0"
BATCH = 50  # 1,000 photos in 20 equal batches: one traced shape
SMOKE_PHOTOS, SMOKE_BATCH = 6, 4
EXAMPLES_PER_CLASS = 2
TOP_CLASSES = 10
MISSES_SHOWN = 6  # per species
COLORS = {"cat": "#0072B2", "dog": "#D55E00", "other": "#8C8C8C"}
GROUPS = ("cat", "dog", "other")


def _validation_folder():
    folder = cats_dogs.locate() / "validation"
    if not (folder / "cats").is_dir() or not (folder / "dogs").is_dir():
        raise CompanionError(
            f"Chapter 10 classifies the validation photos of cats_and_dogs_filtered, but {folder} "
            "has no cats/ and dogs/. Set COMPANION_DATA_DIR to a folder holding "
            "cats_and_dogs_filtered/."
        )
    return folder


def top5(path, model, weights="imagenet") -> list[dict]:
    """A network's five most probable classes for a photo, as dicts (``Prediction``'s fields)."""
    return [r._asdict() for r in pretrained.classify(path, model, top=5, weights=weights)]


def _name(class_index: int) -> str:
    return pretrained.class_index()[class_index][1]


def measure(ctx, photo) -> dict:
    """Everything chapter 10 measures of EfficientNet-Lite0, as a JSON-ready dict."""
    import keras  # imported before the clock starts: the first call times the network only

    smoke = config.smoke()
    weights, start = "imagenet", time.perf_counter()
    try:
        pretrained.ensure_weights(pretrained.LITE0)
    except WeightsUnavailableError:
        if not smoke:
            raise
        weights = None  # a smoke run only checks the code
        print("  EfficientNet-Lite0: no weights installed, smoke run with an untrained network")
    convert_s = time.perf_counter() - start

    first, first_call_s = timed(top5, photo, MODEL, weights)
    _, second_call_s = timed(top5, photo, MODEL, weights)
    best = first[0]
    print(f"  {MODEL}: {best['name']} {best['probability']:.2%} (first call {first_call_s:.1f} s)")

    folder = _validation_folder()
    n = SMOKE_PHOTOS if smoke else None
    files = {key: numbered(folder / key)[:n] for key in ("cats", "dogs")}
    examples = files["cats"][:EXAMPLES_PER_CLASS] + files["dogs"][:EXAMPLES_PER_CLASS]
    answers = {photo.name: first} | {path.name: top5(path, MODEL, weights) for path in examples}

    batch = SMOKE_BATCH if smoke else BATCH
    paths, timings = files["cats"] + files["dogs"], []
    probabilities, zero_shot_s = timed(
        pretrained_lite0.predict_files, paths, batch_size=batch, weights=weights, timings=timings
    )
    sizes = [len(paths[i : i + batch]) for i in range(0, len(paths), batch)]
    load_ms = [1000 * t[0] / k for t, k in zip(timings, sizes, strict=True)]
    predict_ms = [1000 * t[1] / k for t, k in zip(timings, sizes, strict=True)]

    n_cats = len(files["cats"])
    zero_shot = {
        "folder": "cats_and_dogs_filtered/validation",
        "classes": {"cat": _class_range(CAT_CLASSES), "dog": _class_range(DOG_CLASSES)},
        "cats": _species_summary(probabilities[:n_cats], files["cats"], "cat"),
        "dogs": _species_summary(probabilities[n_cats:], files["dogs"], "dog"),
        "summed_probabilities": _summed(probabilities, files),
    }
    _figures(ctx, photo, examples, answers, zero_shot)
    network = pretrained_lite0.build(weights)
    return {
        "model": MODEL,
        "params": network.count_params(),
        "weights_loaded": weights is not None,
        "input": "central 87.5% of the shorter side, bicubic to 224x224, (x - 127) / 128",
        "examples": [p.name for p in examples],
        "top5": answers,
        "zero_shot": zero_shot,
        "timing": {
            "keras_version": keras.__version__,
            "ensure_weights_s": round(convert_s, 2),
            "first_call_s": round(first_call_s, 2),
            "second_call_s": round(second_call_s, 3),
            "batch_size": batch,
            "batches": len(timings),
            "zero_shot_s": round(zero_shot_s, 1),
            "first_batch_predict_ms_per_image": round(predict_ms[0], 1),
            "median_predict_ms_per_image": round(statistics.median(predict_ms), 1),
            "median_load_ms_per_image": round(statistics.median(load_ms), 1),
            "predict_ms_per_image_by_batch": [round(v, 1) for v in predict_ms],
            "load_ms_per_image_by_batch": [round(v, 1) for v in load_ms],
            "what": "predict: predict_on_batch on preprocessed batches; load: decode, "
            "crop and resize; first call: classify() of one photo in a fresh process after "
            "keras is imported (builds the network, reads the weights, traces)",
        },
    }


def _class_range(classes) -> dict:
    a, b = classes[0], classes[-1]
    return dict(first=a, last=b, count=len(classes), first_name=_name(a), last_name=_name(b))


def _species_summary(probabilities, files, truth) -> dict:
    top1 = probabilities.argmax(axis=1).tolist()
    groups = Counter(species(c) for c in top1)
    top5s = np.argsort(-probabilities, axis=1)[:, :5]
    return {
        "n": len(files),
        "top1_groups": {g: groups[g] for g in GROUPS},
        "share_right": groups[truth] / len(files),
        "share_right_in_top5": float(
            np.mean([any(species(int(c)) == truth for c in classes) for classes in top5s])
        ),
        "top_classes": [
            {"class_index": c, "name": _name(c), "species": species(c), "photos": k}
            for c, k in Counter(top1).most_common(TOP_CLASSES)
        ],
        "distinct_classes": len(set(top1)),
        "misses": [
            dict(file=f.name, class_index=c, name=_name(c), probability=round(float(p[c]), 4))
            for f, c, p in zip(files, top1, probabilities, strict=True)
            if species(c) != truth
        ],
    }


def _summed(probabilities, files) -> dict:
    """Cat or dog by the summed probabilities of each species' classes: a two-class classifier
    with nothing trained. ``test_half``: the last half of each class, chapter 11's test photos."""
    p_cat = probabilities[:, list(CAT_CLASSES)].sum(axis=1)
    p_dog = probabilities[:, list(DOG_CLASSES)].sum(axis=1)
    n_cats, n_dogs = len(files["cats"]), len(files["dogs"])
    right = (p_dog > p_cat).astype(int) == np.array([0] * n_cats + [1] * n_dogs)
    test = np.r_[np.arange(n_cats // 2, n_cats), n_cats + np.arange(n_dogs // 2, n_dogs)]
    return {
        "rule": "dog where the dog classes' probabilities sum higher than the cat classes'",
        "accuracy": float(right.mean()),
        "n": int(len(right)),
        "test_half_accuracy": float(right[test].mean()),
        "test_half_n": int(len(test)),
        "test_half": f"the last {n_cats - n_cats // 2} cats and {n_dogs - n_dogs // 2} dogs "
        f"({files['cats'][n_cats // 2].name}-, {files['dogs'][n_dogs // 2].name}-), "
        "chapter 11's test photos",
    }


def write_tables(ctx, record: dict) -> None:
    """includes/results/10-pretrained-{zero-shot,top5}.{zh,en}.md from the record."""
    zero, smoke = record["lite0"]["zero_shot"], record["provenance"].get("smoke")

    def table(lang, header, rule, rows, smoke=smoke):
        return markdown_table(lang, f"ch10.{header}", rule, rows, smoke=smoke, banner="ch10.smoke")

    def zero_shot(lang):
        share = word("ch10.share", lang)
        groups = [
            [word("ch10.row", lang).format(a=word(f"ch10.{key}", lang), n=zero[key]["n"])]
            + [share.format(k=k, p=k / zero[key]["n"]) for k in zero[key]["top1_groups"].values()]
            for key in ("cats", "dogs")
        ]
        ranks = zip_longest(zero["cats"]["top_classes"], zero["dogs"]["top_classes"])
        ranks = [[i, *_top_class(cat), *_top_class(dog)] for i, (cat, dog) in enumerate(ranks, 1)]
        # the groups, a blank line, then the most frequent classes (no second banner)
        return (
            table(lang, "group_header", "|---|---:|---:|---:|", groups)
            + "\n"
            + table(lang, "top_header", "|---:|---|---:|---|---:|", ranks, smoke=False)
        )

    def top5s(lang):
        rows = [
            [f"`{name}`", *(f"`{r['name']}` {100 * r['probability']:.1f}%" for r in answer)]
            for name, answer in record["lite0"]["top5"].items()
        ]
        return table(lang, "top5_header", "|---|---|---|---|---|---|", rows)

    table_per_lang(ctx, f"{ctx.chapter}-zero-shot", zero_shot)
    table_per_lang(ctx, f"{ctx.chapter}-top5", top5s)


def _top_class(c) -> list:
    """A rank's two cells for one species: its class and how many photos (none: empty cells)."""
    return [f"`{c['name']}` ({c['class_index']})", c["photos"]] if c else ["", ""]


def _show_crop(ax, path, title, fontsize):
    crop = pretrained_lite0.load_and_crop(path)[0]
    ax.imshow(np.clip(crop, 0, 255).astype("uint8"))
    ax.set_title(title, fontsize=fontsize)
    ax.axis("off")


def _figures(ctx, photo, examples, top5s, zero_shot) -> None:
    from companion.visualize import _pyplot, _start, shrink_png

    plt = _pyplot()
    # What the network sees (its centre crop) and its five most probable classes.
    shown = [photo, *examples]
    fig, axes = plt.subplots(
        2, len(shown), figsize=(2.9 * len(shown), 5.4), gridspec_kw={"height_ratios": [1, 0.75]}
    )
    for column, path in enumerate(shown):
        _show_crop(axes[0, column], path, path.name, 9)
        rows, ax = top5s[path.name], axes[1, column]
        # light bars, the class and probability written over them: no tick labels to widen it
        ax.barh(range(5), [r["probability"] for r in rows], color="#A6CEE3", height=0.8)
        for i, r in enumerate(rows):
            ax.text(0.02, i, f"{r['name']}  {r['probability']:.1%}", va="center", fontsize=8)
        ax.set_yticks([])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1], ["0", "50%", "100%"], fontsize=7)
    fig.tight_layout(h_pad=0.3, w_pad=0.8)
    shrink_png(ctx.figure(fig, "top5"))  # photos: a palette keeps the file small

    def most_frequent(lang):
        plt, _ = _start(lang)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for ax, key in zip(axes, ("cats", "dogs"), strict=True):
            s = zero_shot[key]
            classes = s["top_classes"]
            counts = [c["photos"] for c in classes]
            ax.barh(range(len(classes)), counts, color=[COLORS[c["species"]] for c in classes])
            names = [f"{c['name']} ({c['class_index']})" for c in classes]
            ax.set_yticks(range(len(classes)), names, fontsize=8)
            ax.invert_yaxis()
            for i, k in enumerate(counts):
                ax.text(k, i, f" {k}", va="center", fontsize=7)
            animal = word(f"ch10.animal_{key}", lang)
            ax.set_title(word("ch10.title", lang).format(n=s["n"], a=animal), fontsize=10)
            ax.set_xlabel(word("ch10.xlabel", lang))
            ax.set_xlim(0, 1.12 * max(counts))
        handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[g]) for g in GROUPS]
        legend = [word(f"ch10.legend_{g}", lang) for g in GROUPS]
        fig.legend(handles, legend, loc="lower center", ncol=3, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        return fig

    figure_per_lang(ctx, "zero_shot", most_frequent)
    misses = [(key, m) for key in ("cats", "dogs") for m in zero_shot[key]["misses"][:MISSES_SHOWN]]
    if not misses:
        return
    cols = min(6, len(misses))
    rows = -(-len(misses) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.5 * rows), squeeze=False)
    folder = _validation_folder()
    for ax in axes.flat:
        ax.axis("off")
    for ax, (key, m) in zip(axes.flat, misses, strict=False):
        _show_crop(
            ax, folder / key / m["file"], f"{m['file']}\n{m['name']} {m['probability']:.0%}", 8
        )
    fig.tight_layout()
    shrink_png(ctx.figure(fig, "misses"), scale=0.8)


def run(ctx):
    photo = pretrained.example_image()
    lite0 = measure(ctx, photo)
    with Image.open(photo) as image:
        size = f"{image.width}x{image.height}"
    md5 = hashlib.md5(photo.read_bytes()).hexdigest()

    answers, seconds = {}, {}
    for spec in pretrained.MODELS.values():
        if not pretrained.weights_path(spec).exists():
            print(f"  {spec.name}: not measured, no weights at {pretrained.weights_path(spec)}")
            continue
        answers[spec.name], took = timed(top5, photo, spec.name)
        seconds[spec.name] = round(took, 2)
        best = answers[spec.name][0]
        print(f"  {spec.name}: {best['name']} {best['probability']:.2%}")

    zero = lite0["zero_shot"]
    n_photos = zero["cats"]["n"] + zero["dogs"]["n"]
    names = [spec.name for spec in pretrained.MODELS.values()]
    measured = {*answers, MODEL}
    prov = provenance(
        dataset=f"{photo.name} ({size} px, md5 {md5}); cats_and_dogs_filtered: "
        f"{n_photos:,} validation photos ({zero['cats']['n']} cats, {zero['dogs']['n']} dogs)",
        n_train=0,
        n_test=1 + n_photos,
        models_measured=sorted(measured),
        models_without_weights=sorted(name for name in names if name not in answers),
    )
    firsts = {name: answers.get(name) for name in names} | {MODEL: lite0["top5"][photo.name]}
    rows = [
        row(f"top1_{name}", _top1(answer), source=SOURCE.get(name), ref="004", fmt="",
            label=phrase("ch10.top1", name="EfficientNet-Lite0" if name == MODEL else name))
        for name, answer in firsts.items()
    ]  # fmt: skip
    # EfficientNet-Lite0's own numbers: no source to compare (the source never ran it)
    timing = lite0["timing"]
    values = [
        ("zero_shot_cats", zero["cats"]["share_right"], "percent",
         phrase("ch10.zero_shot_cats", n=zero["cats"]["n"])),
        ("zero_shot_dogs", zero["dogs"]["share_right"], "percent",
         phrase("ch10.zero_shot_dogs", n=zero["dogs"]["n"])),
        ("zero_shot_summed", zero["summed_probabilities"]["accuracy"], "percent",
         phrase("ch10.zero_shot_summed", n=n_photos)),
        ("ms_per_image", timing["median_predict_ms_per_image"], "",
         phrase("ch10.ms_per_image", b=timing["batch_size"])),
        ("first_call_s", timing["first_call_s"], "seconds", "ch10.first_call_s"),
    ]  # fmt: skip
    rows += [row(key, ours, ref="004", fmt=fmt, label=text) for key, ours, fmt, text in values]
    status = {name: "measured" if name in measured else NOT_MEASURED for name in [*names, MODEL]}
    weights = pretrained_lite0.weights_record()
    extra = dict(status=status, top5=answers, seconds=seconds, weights=weights, lite0=lite0)
    record = save(ctx, prov, rows, **extra)
    write_tables(ctx, record)
    ch10_web.run(ctx)


def _top1(answer):
    """A network's top-1 answer as the table prints it (None: not measured)."""
    return answer and f"{answer[0]['name']} {100 * answer[0]['probability']:.2f}%"
