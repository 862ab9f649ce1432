"""Chapter 09: VGG16 from scratch, Sequential and functional, beside keras.applications.VGG16.

Nothing is trained: the three models are built one at a time, their layer tables and
parameter counts compared with the source's summary, the feature-map sizes drawn.
"""

import time
from functools import partial

import keras

from book.architecture import plot_feature_map_sizes
from book.experiments.common import figure_per_lang, params_row, row, save, timed
from book.results import provenance
from companion import config
from companion.models import build_vgg16, build_vgg16_sequential
from companion.models.vgg import SOURCE_PARAMS, feature_map_sizes

CHAPTER = "09-vgg16"
BUILDERS = {
    "sequential": build_vgg16_sequential,
    "functional": build_vgg16,
    "applications": lambda: keras.applications.VGG16(weights=None),
}


def run(ctx):
    config.seed_everything(42)
    start = time.perf_counter()
    rows, tables, build_s = [], {}, {}
    for name, build in BUILDERS.items():
        model, seconds = timed(build)
        build_s[name] = round(seconds, 2)
        tables[name] = [
            (layer.name, tuple(layer.output.shape), layer.count_params())
            for layer in model.layers
            if not isinstance(layer, keras.layers.InputLayer)
        ]
        source = SOURCE_PARAMS if name != "applications" else None
        rows.append(params_row(name, model, source=source, ref="004", label=f"ch09.params_{name}"))
        if name == "functional":
            sizes = feature_map_sizes(model)
            draw = partial(plot_feature_map_sizes, sizes, model.input_shape[1:])  # (lang)
            figure_per_lang(ctx, "feature_map_sizes", draw)
        del model
        keras.backend.clear_session()
    same = tables["sequential"] == tables["functional"] == tables["applications"]
    rows.append(
        row("same_layers", "yes" if same else "NO", ref="004", fmt="text", label="ch09.same_layers")
    )
    prov = provenance(
        dataset="none (architecture only, no training)",
        n_train=0,
        n_test=0,
        wall_time_s=round(time.perf_counter() - start, 1),
        build_seconds=build_s,
    )
    save(ctx, prov, rows, feature_maps=sizes)
