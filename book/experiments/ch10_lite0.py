"""Chapter 10's measurements of EfficientNet-Lite0 (ImageNet weights from the package index).

Top-5 on the elephant and on the first two validation cats and dogs; zero-shot cats vs dogs on
all validation photos of ``cats_and_dogs_filtered`` (500 + 500): which ImageNet class each
photo gets, grouped by species (cats: classes 281-285, dogs: 151-268, see
``companion.pretrained_lite0``); time per image. Used by ``ch10.py``.
"""

import statistics
import time
from collections import Counter

import numpy as np

from companion import config, pretrained, pretrained_lite0
from companion._io import write_text
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

WORDS = {
    "zh": {
        "smoke": "**冒烟测试（smoke run）的数字，不是结果。**",
        "group_header": "| 照片 | 第一名是猫的类别（281–285） | 狗的类别（151–268） | 其他类别 |",
        "cats": "验证集的猫",
        "dogs": "验证集的狗",
        "top_header": "| 名次 | 猫照片的第一名 | 张数 | 狗照片的第一名 | 张数 |",
        "top5_header": "| 照片 | 第 1 名 | 第 2 名 | 第 3 名 | 第 4 名 | 第 5 名 |",
        "legend": {
            "cat": "猫的类别（281–285）",
            "dog": "狗的类别（151–268）",
            "other": "其他类别",
        },
        "title": "{n} 张验证集{a}照片：最常见的第一名类别",
        "animal": {"cats": "猫", "dogs": "狗"},
        "xlabel": "照片数",
        "share": "{k} 张（{p:.1%}）",
        "row": "{a}（{n} 张）",
    },
    "en": {
        "smoke": "**Smoke-run numbers, not results.**",
        "group_header": (
            "| Photos | top-1 a cat class (281–285) | a dog class (151–268) | another class |"
        ),
        "cats": "validation cats",
        "dogs": "validation dogs",
        "top_header": (
            "| Rank | top-1 of the cat photos | photos | top-1 of the dog photos | photos |"
        ),
        "top5_header": "| Photo | 1st | 2nd | 3rd | 4th | 5th |",
        "legend": {
            "cat": "a cat class (281–285)",
            "dog": "a dog class (151–268)",
            "other": "another class",
        },
        "title": "{n} validation {a}: the most frequent top-1 classes",
        "animal": {"cats": "cats", "dogs": "dogs"},
        "xlabel": "photos",
        "share": "{k} ({p:.1%})",
        "row": "{a} ({n})",
    },
}


def _photos(folder):
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


def _rows(predictions):
    return [
        {"class_id": r.class_id, "name": r.name, "probability": float(r.probability)}
        for r in predictions
    ]


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

    start = time.perf_counter()
    top5 = {photo.name: _rows(pretrained.classify(photo, MODEL, top=5, weights=weights))}
    first_call_s = time.perf_counter() - start
    start = time.perf_counter()
    pretrained.classify(photo, MODEL, top=5, weights=weights)
    second_call_s = time.perf_counter() - start
    best = top5[photo.name][0]
    print(f"  {MODEL}: {best['name']} {best['probability']:.2%} (first call {first_call_s:.1f} s)")

    folder = _validation_folder()
    n = SMOKE_PHOTOS if smoke else None
    files = {"cats": _photos(folder / "cats")[:n], "dogs": _photos(folder / "dogs")[:n]}
    examples = files["cats"][:EXAMPLES_PER_CLASS] + files["dogs"][:EXAMPLES_PER_CLASS]
    for path in examples:
        top5[path.name] = _rows(pretrained.classify(path, MODEL, top=5, weights=weights))

    batch = SMOKE_BATCH if smoke else BATCH
    paths = files["cats"] + files["dogs"]
    timings = []
    start = time.perf_counter()
    probabilities = pretrained_lite0.predict_files(
        paths, batch_size=batch, weights=weights, timings=timings
    )
    zero_shot_s = time.perf_counter() - start
    sizes = [len(paths[i : i + batch]) for i in range(0, len(paths), batch)]
    load_ms = [1000 * t[0] / k for t, k in zip(timings, sizes, strict=True)]
    predict_ms = [1000 * t[1] / k for t, k in zip(timings, sizes, strict=True)]

    zero_shot = {
        "folder": "cats_and_dogs_filtered/validation",
        "classes": {
            "cat": _class_range(CAT_CLASSES),
            "dog": _class_range(DOG_CLASSES),
        },
    }
    offset = 0
    for key, truth in (("cats", "cat"), ("dogs", "dog")):
        part = probabilities[offset : offset + len(files[key])]
        zero_shot[key] = _species_summary(part, files[key], truth)
        offset += len(files[key])
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
    names = _names()
    misses = [
        {
            "file": f.name,
            "class_index": int(c),
            "name": names[int(c)],
            "probability": round(float(p[c]), 4),
        }
        for f, c, p in zip(files, top1, probabilities, strict=True)
        if species(int(c)) != truth
    ]
    n = len(files)
    return {
        "n": n,
        "top1_groups": {g: groups.get(g, 0) for g in ("cat", "dog", "other")},
        "share_right": groups.get(truth, 0) / n,
        "share_right_in_top5": float(
            np.mean([any(species(int(c)) == truth for c in row) for row in top5])
        ),
        "top_classes": [
            {"class_index": int(c), "name": names[int(c)], "species": species(int(c)), "photos": k}
            for c, k in Counter(top1.tolist()).most_common(TOP_CLASSES)
        ],
        "distinct_classes": len(set(top1.tolist())),
        "misses": misses,
    }


def _summed(probabilities, files) -> dict:
    """Cat or dog by the summed probabilities of each species' classes: a two-class classifier
    with nothing trained. ``test_half``: the last half of each class, which chapter 11 holds
    out as its test photos."""
    p_cat = probabilities[:, list(CAT_CLASSES)].sum(axis=1)
    p_dog = probabilities[:, list(DOG_CLASSES)].sum(axis=1)
    n_cats, n_dogs = len(files["cats"]), len(files["dogs"])
    truth = np.array([0] * n_cats + [1] * n_dogs)
    right = (p_dog > p_cat).astype(int) == truth
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


def _names():
    """The 1,000 ImageNet class names, by class number."""
    return [rows[0].name for rows in pretrained.decode_predictions(np.eye(1000), top=1)]


def comparisons(lite0: dict, photo_name: str) -> list:
    """Rows for the chapter's table: no source numbers (the source never ran this network)."""
    best = lite0["top5"][photo_name][0]
    zero, timing = lite0["zero_shot"], lite0["timing"]

    def row(key, zh, en, ours, kind):
        label = {"zh": f"EfficientNet-Lite0：{zh}", "en": f"EfficientNet-Lite0: {en}"}
        return {
            "key": key,
            "label": label,
            "source": None,
            "source_ref": "004",
            "ours": ours,
            "format": kind,
        }

    n = zero["cats"]["n"] + zero["dogs"]["n"]
    return [
        row(
            "top1_EfficientNetLite0",
            "第一名",
            "top-1",
            f"{best['name']} {100 * best['probability']:.2f}%",
            "",
        ),
        row(
            "zero_shot_cats",
            f"{zero['cats']['n']} 张验证集猫照片中第一名是猫的类别",
            f"validation cats ({zero['cats']['n']}) with a cat class as top-1",
            zero["cats"]["share_right"],
            "percent",
        ),
        row(
            "zero_shot_dogs",
            f"{zero['dogs']['n']} 张验证集狗照片中第一名是狗的类别",
            f"validation dogs ({zero['dogs']['n']}) with a dog class as top-1",
            zero["dogs"]["share_right"],
            "percent",
        ),
        row(
            "zero_shot_summed",
            f"猫还是狗（按两类概率之和，{n:,} 张）",
            f"cat or dog by summed class probabilities ({n:,} photos)",
            zero["summed_probabilities"]["accuracy"],
            "percent",
        ),
        row(
            "ms_per_image",
            f"每张照片的预测时间（毫秒，批大小 {timing['batch_size']} 的中位数）",
            f"ms per photo to predict (median over batches of {timing['batch_size']})",
            timing["median_predict_ms_per_image"],
            "",
        ),
        row(
            "first_call_s",
            "第一次调用 classify（建网络、读权重）",
            "first call of classify (builds the network, reads the weights)",
            timing["first_call_s"],
            "seconds",
        ),
    ]


def write_tables(ctx, record: dict) -> None:
    """includes/results/10-pretrained-{zero-shot,top5}.{zh,en}.md from the record."""
    for lang in ("zh", "en"):
        for name, text in (
            ("zero-shot", zero_shot_table(record, lang)),
            ("top5", top5_table(record, lang)),
        ):
            path = ctx.out / "includes" / "results" / f"{ctx.chapter}-{name}.{lang}.md"
            write_text(path, text)
            print(f"  wrote {path.relative_to(ctx.out)}")


def _smoke_lines(record, lang):
    return [WORDS[lang]["smoke"], ""] if record["provenance"].get("smoke") else []


def zero_shot_table(record: dict, lang: str) -> str:
    w, zero = WORDS[lang], record["lite0"]["zero_shot"]
    lines = _smoke_lines(record, lang) + [w["group_header"], "|---|---:|---:|---:|"]
    for key in ("cats", "dogs"):
        s = zero[key]
        cells = [
            w["share"].format(k=s["top1_groups"][g], p=s["top1_groups"][g] / s["n"])
            for g in ("cat", "dog", "other")
        ]
        lines.append(f"| {w['row'].format(a=w[key], n=s['n'])} | " + " | ".join(cells) + " |")
    lines += ["", w["top_header"], "|---:|---|---:|---|---:|"]
    cats, dogs = zero["cats"]["top_classes"], zero["dogs"]["top_classes"]
    for i in range(max(len(cats), len(dogs))):
        cells = []
        for part in (cats, dogs):
            if i < len(part):
                c = part[i]
                cells += [f"`{c['name']}` ({c['class_index']})", str(c["photos"])]
            else:
                cells += ["", ""]
        lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines + [""])


def top5_table(record: dict, lang: str) -> str:
    w, top5 = WORDS[lang], record["lite0"]["top5"]
    lines = _smoke_lines(record, lang) + [w["top5_header"], "|---|---|---|---|---|---|"]
    for name, rows in top5.items():
        cells = [f"`{r['name']}` {100 * r['probability']:.1f}%" for r in rows]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines + [""])


def _figures(ctx, photo, examples, top5, zero_shot) -> None:
    from companion.visualize import _pyplot, _start, shrink_png

    plt = _pyplot()
    # What the network sees (its centre crop) and its five most probable classes.
    shown = [photo, *examples]
    fig, axes = plt.subplots(
        2, len(shown), figsize=(2.9 * len(shown), 5.4), gridspec_kw={"height_ratios": [1, 0.75]}
    )
    for column, path in enumerate(shown):
        crop = pretrained_lite0.load_and_crop(path)[0]
        axes[0, column].imshow(np.clip(crop, 0, 255).astype("uint8"))
        axes[0, column].set_title(path.name, fontsize=9)
        axes[0, column].axis("off")
        rows = top5[path.name]
        ax = axes[1, column]
        # light bars with the class name and probability written over them: no tick labels
        # to widen the column
        ax.barh(range(5), [r["probability"] for r in rows], color="#A6CEE3", height=0.8)
        for i, r in enumerate(rows):
            ax.text(0.02, i, f"{r['name']}  {r['probability']:.1%}", va="center", fontsize=8)
        ax.set_yticks([])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1], ["0", "50%", "100%"], fontsize=7)
    fig.tight_layout(h_pad=0.3, w_pad=0.8)
    shrink_png(ctx.figure(fig, "top5"))  # photos: a palette keeps the file small

    for lang in ("zh", "en"):
        plt, _ = _start(lang)
        w = WORDS[lang]
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for ax, key in zip(axes, ("cats", "dogs"), strict=True):
            s = zero_shot[key]
            classes = s["top_classes"]
            ax.barh(
                range(len(classes)),
                [c["photos"] for c in classes],
                color=[COLORS[c["species"]] for c in classes],
            )
            ax.set_yticks(
                range(len(classes)),
                [f"{c['name']} ({c['class_index']})" for c in classes],
                fontsize=8,
            )
            ax.invert_yaxis()
            for i, c in enumerate(classes):
                ax.text(c["photos"], i, f" {c['photos']}", va="center", fontsize=7)
            ax.set_title(w["title"].format(n=s["n"], a=w["animal"][key]), fontsize=10)
            ax.set_xlabel(w["xlabel"])
            ax.set_xlim(0, 1.12 * max(c["photos"] for c in classes))
        handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[g]) for g in ("cat", "dog", "other")]
        fig.legend(
            handles,
            [w["legend"][g] for g in ("cat", "dog", "other")],
            loc="lower center",
            ncol=3,
            fontsize=8,
            frameon=False,
        )
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
        crop = pretrained_lite0.load_and_crop(folder / key / m["file"])[0]
        ax.imshow(np.clip(crop, 0, 255).astype("uint8"))
        ax.set_title(f"{m['file']}\n{m['name']} {m['probability']:.0%}", fontsize=8)
    fig.tight_layout()
    shrink_png(ctx.figure(fig, "misses"), scale=0.8)
