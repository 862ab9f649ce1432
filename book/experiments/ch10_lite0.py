"""Chapter 10's measurements of EfficientNet-Lite0 (ImageNet weights from the package index).

Top-5 on the elephant and on the first two validation cats and dogs; zero-shot cats vs dogs on
all validation photos of ``cats_and_dogs_filtered``, grouped by species; time per image.
Used by ``ch10.py``.
"""

import statistics
import time
from collections import Counter

import numpy as np

from book.experiments.common import phrase, row, table_per_lang
from book.vocabulary import LANGS, word
from companion import config, pretrained, pretrained_lite0
from companion.data import cats_dogs
from companion.errors import CompanionError, WeightsUnavailableError
from companion.pretrained_lite0 import CAT_CLASSES, DOG_CLASSES, species

MODEL = "EfficientNetLite0"
BATCH = 50  # 1,000 photos in 20 equal batches: one traced shape
SMOKE_PHOTOS, SMOKE_BATCH = 6, 4
EXAMPLES_PER_CLASS = 2
TOP_CLASSES = 10
MISSES_SHOWN = 6  # per species
COLORS = {"cat": "#0072B2", "dog": "#D55E00", "other": "#8C8C8C"}
GROUPS = ("cat", "dog", "other")


def photos(folder):
    """The JPEGs of a folder, in the order of their numbers (cat.2000.jpg, cat.2001.jpg ...)."""
    return sorted(folder.glob("*.jpg"), key=lambda p: int(p.stem.split(".")[-1]))


def _validation_folder():
    folder = cats_dogs.locate() / "validation"
    if not (folder / "cats").is_dir() or not (folder / "dogs").is_dir():
        raise CompanionError(
            f"Chapter 10 classifies the validation photos of cats_and_dogs_filtered, but {folder} "
            "has no cats/ and dogs/. Set COMPANION_DATA_DIR to a folder holding "
            "cats_and_dogs_filtered/."
        )
    return folder


def _top5(path, weights):
    return [
        {"class_id": r.class_id, "name": r.name, "probability": float(r.probability)}
        for r in pretrained.classify(path, MODEL, top=5, weights=weights)
    ]


def _timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


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

    first, first_call_s = _timed(lambda: _top5(photo, weights))
    top5 = {photo.name: first}
    _, second_call_s = _timed(lambda: _top5(photo, weights))
    best = first[0]
    print(f"  {MODEL}: {best['name']} {best['probability']:.2%} (first call {first_call_s:.1f} s)")

    folder = _validation_folder()
    n = SMOKE_PHOTOS if smoke else None
    files = {key: photos(folder / key)[:n] for key in ("cats", "dogs")}
    examples = files["cats"][:EXAMPLES_PER_CLASS] + files["dogs"][:EXAMPLES_PER_CLASS]
    top5.update({path.name: _top5(path, weights) for path in examples})

    batch = SMOKE_BATCH if smoke else BATCH
    paths, timings = files["cats"] + files["dogs"], []
    probabilities, zero_shot_s = _timed(
        lambda: pretrained_lite0.predict_files(
            paths, batch_size=batch, weights=weights, timings=timings
        )
    )
    sizes = [len(paths[i : i + batch]) for i in range(0, len(paths), batch)]
    load_ms = [1000 * t[0] / k for t, k in zip(timings, sizes, strict=True)]
    predict_ms = [1000 * t[1] / k for t, k in zip(timings, sizes, strict=True)]

    zero_shot = {
        "folder": "cats_and_dogs_filtered/validation",
        "classes": {"cat": _class_range(CAT_CLASSES), "dog": _class_range(DOG_CLASSES)},
    }
    n_cats = len(files["cats"])
    zero_shot["cats"] = _species_summary(probabilities[:n_cats], files["cats"], "cat")
    zero_shot["dogs"] = _species_summary(probabilities[n_cats:], files["dogs"], "dog")
    zero_shot["summed_probabilities"] = _summed(probabilities, files)

    _figures(ctx, photo, examples, top5, zero_shot)
    network = pretrained_lite0.build(weights)
    return {
        "model": MODEL,
        "params": network.count_params(),
        "weights_loaded": weights is not None,
        "weights": pretrained_lite0.weights_record(),
        "input": "central 87.5% of the shorter side, bicubic to 224x224, (x - 127) / 128",
        "examples": [p.name for p in examples],
        "top5": top5,
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
    names = pretrained.decode_predictions(np.eye(1000)[[classes[0], classes[-1]]], top=1)
    return {
        "first": classes[0],
        "last": classes[-1],
        "count": len(classes),
        "first_name": names[0][0].name,
        "last_name": names[1][0].name,
    }


def _species_summary(probabilities, files, truth) -> dict:
    top1 = probabilities.argmax(axis=1)
    top5 = np.argsort(-probabilities, axis=1)[:, :5]
    groups = Counter(species(int(c)) for c in top1)
    names = [rows[0].name for rows in pretrained.decode_predictions(np.eye(1000), top=1)]
    misses = [
        {
            "file": f.name,
            "class_index": int(c),
            "name": names[c],
            "probability": round(float(p[c]), 4),
        }
        for f, c, p in zip(files, top1, probabilities, strict=True)
        if species(int(c)) != truth
    ]
    return {
        "n": len(files),
        "top1_groups": {g: groups.get(g, 0) for g in GROUPS},
        "share_right": groups.get(truth, 0) / len(files),
        "share_right_in_top5": float(
            np.mean([any(species(int(c)) == truth for c in row) for row in top5])
        ),
        "top_classes": [
            {"class_index": int(c), "name": names[c], "species": species(int(c)), "photos": k}
            for c, k in Counter(top1.tolist()).most_common(TOP_CLASSES)
        ],
        "distinct_classes": len(set(top1.tolist())),
        "misses": misses,
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


def comparisons(lite0: dict, photo_name: str) -> list:
    """Rows for the chapter's table: no source numbers (the source never ran this network)."""
    best = lite0["top5"][photo_name][0]
    zero, timing = lite0["zero_shot"], lite0["timing"]
    n = zero["cats"]["n"] + zero["dogs"]["n"]
    values = [
        ("top1_EfficientNetLite0", f"{best['name']} {100 * best['probability']:.2f}%", "",
         phrase("ch10.top1", name="EfficientNet-Lite0")),
        ("zero_shot_cats", zero["cats"]["share_right"], "percent",
         phrase("ch10.zero_shot_cats", n=zero["cats"]["n"])),
        ("zero_shot_dogs", zero["dogs"]["share_right"], "percent",
         phrase("ch10.zero_shot_dogs", n=zero["dogs"]["n"])),
        ("zero_shot_summed", zero["summed_probabilities"]["accuracy"], "percent",
         phrase("ch10.zero_shot_summed", n=n)),
        ("ms_per_image", timing["median_predict_ms_per_image"], "",
         phrase("ch10.ms_per_image", b=timing["batch_size"])),
        ("first_call_s", timing["first_call_s"], "seconds", "ch10.first_call_s"),
    ]  # fmt: skip
    return [row(key, ours, ref="004", fmt=fmt, label=text) for key, ours, fmt, text in values]


def write_tables(ctx, record: dict) -> None:
    """includes/results/10-pretrained-{zero-shot,top5}.{zh,en}.md from the record."""
    for name, table in (("zero-shot", zero_shot_table), ("top5", top5_table)):
        table_per_lang(ctx, f"{ctx.chapter}-{name}", lambda lang, t=table: t(record, lang))


def _start_lines(record, lang, header, rule):
    smoke = [word("ch10.smoke", lang), ""] if record["provenance"].get("smoke") else []
    return [*smoke, word(f"ch10.{header}", lang), rule]


def zero_shot_table(record: dict, lang: str) -> str:
    zero = record["lite0"]["zero_shot"]
    lines = _start_lines(record, lang, "group_header", "|---|---:|---:|---:|")
    for key in ("cats", "dogs"):
        s = zero[key]
        share = word("ch10.share", lang)
        cells = [
            share.format(k=s["top1_groups"][g], p=s["top1_groups"][g] / s["n"]) for g in GROUPS
        ]
        name = word("ch10.row", lang).format(a=word(f"ch10.{key}", lang), n=s["n"])
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", word("ch10.top_header", lang), "|---:|---|---:|---|---:|"]
    cats, dogs = zero["cats"]["top_classes"], zero["dogs"]["top_classes"]
    for i in range(max(len(cats), len(dogs))):
        cells = []
        for part in (cats, dogs):
            c = part[i] if i < len(part) else None
            cells += [f"`{c['name']}` ({c['class_index']})", str(c["photos"])] if c else ["", ""]
        lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines + [""])


def top5_table(record: dict, lang: str) -> str:
    lines = _start_lines(record, lang, "top5_header", "|---|---|---|---|---|---|")
    for name, rows in record["lite0"]["top5"].items():
        cells = [f"`{r['name']}` {100 * r['probability']:.1f}%" for r in rows]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines + [""])


def _show_crop(ax, path, title, fontsize):
    crop = pretrained_lite0.load_and_crop(path)[0]
    ax.imshow(np.clip(crop, 0, 255).astype("uint8"))
    ax.set_title(title, fontsize=fontsize)
    ax.axis("off")


def _figures(ctx, photo, examples, top5, zero_shot) -> None:
    from companion.visualize import _pyplot, _start, shrink_png

    plt = _pyplot()
    # What the network sees (its centre crop) and its five most probable classes.
    shown = [photo, *examples]
    fig, axes = plt.subplots(
        2, len(shown), figsize=(2.9 * len(shown), 5.4), gridspec_kw={"height_ratios": [1, 0.75]}
    )
    for column, path in enumerate(shown):
        _show_crop(axes[0, column], path, path.name, 9)
        rows, ax = top5[path.name], axes[1, column]
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

    for lang in LANGS:
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
        ctx.figure(fig, "zero_shot", lang)

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
