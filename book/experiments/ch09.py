"""Chapter 09: VGG16 from scratch, Sequential and functional, beside keras.applications.VGG16.

Nothing is trained (the paper's runs took weeks on four GPUs). We build the three
models one at a time, compare their layer tables and parameter counts with the
source's summary, and draw the feature-map sizes block by block.
"""

import time

import keras

from book.architecture import plot_feature_map_sizes
from book.results import provenance
from companion import config
from companion.models import build_vgg16, build_vgg16_sequential
from companion.models.vgg import SOURCE_PARAMS, feature_map_sizes

CHAPTER = "09-vgg16"


def _table(model):
    return [
        (layer.name, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    counts, tables, build_s = {}, {}, {}
    for name, build in [
        ("sequential", build_vgg16_sequential),
        ("functional", build_vgg16),
        ("applications", lambda: keras.applications.VGG16(weights=None)),
    ]:
        t = time.perf_counter()
        model = build()
        build_s[name] = round(time.perf_counter() - t, 2)
        counts[name], tables[name] = model.count_params(), _table(model)
        if name == "functional":
            sizes = feature_map_sizes(model)
            for lang in ("zh", "en"):
                ctx.figure(
                    plot_feature_map_sizes(sizes, model.input_shape[1:], lang),
                    "feature_map_sizes",
                    lang,
                )
        del model
        keras.backend.clear_session()
    same = tables["sequential"] == tables["functional"] == tables["applications"]
    label = {
        "sequential": ("参数量：Sequential 版", "Parameters: Sequential"),
        "functional": ("参数量：函数式 API 版", "Parameters: functional API"),
        "applications": (
            "参数量：keras.applications.VGG16",
            "Parameters: keras.applications.VGG16",
        ),
    }
    comparisons = [
        {
            "key": f"params_{k}",
            "label": {"zh": label[k][0], "en": label[k][1]},
            "source": SOURCE_PARAMS if k != "applications" else None,
            "source_ref": "004",
            "ours": v,
            "format": "int",
        }
        for k, v in counts.items()
    ]
    comparisons.append(
        {
            "key": "same_layers",
            "label": {
                "zh": "三者逐层名称、形状、参数量相同",
                "en": "Same layer names, shapes and counts, all three",
            },
            "source": None,
            "source_ref": "004",
            "ours": "yes" if same else "NO",
            "format": "text",
        }
    )
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset="none (architecture only, no training)",
            n_train=0,
            n_test=0,
            wall_time_s=round(time.perf_counter() - start, 1),
            build_seconds=build_s,
        ),
        "comparisons": comparisons,
        "feature_maps": sizes,
    }
    ctx.record(record)
