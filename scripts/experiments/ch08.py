"""Chapter 08: the functional API -- the seven models of source 004 part 3 and the fixed CNN.

Nothing is trained in the source's part 3; it prints summaries and plot_model
diagrams. We build every model, check its parameter count against the source's
summary, run one forward pass on random data of the right shape (recording the
output shapes, among them the 4x4 grid of the source's CNN) and draw each diagram.
"""

import time

import numpy as np

from companion import config
from companion.architecture import save_model_diagram
from companion.models import functional
from companion.results import provenance

CHAPTER = "08-functional-api"
LABELS = {
    "multilayer_perceptron": ("多层感知机", "Multilayer perceptron"),
    "convnet_as_written": ("卷积网络（原文写法，缺 Flatten）", "Convolutional network (as written, no Flatten)"),
    "recurrent_network": ("循环网络（LSTM）", "Recurrent network (LSTM)"),
    "shared_input": ("共享输入层", "Shared input layer"),
    "shared_feature_extractor": ("共享特征提取层", "Shared feature extractor"),
    "multiple_inputs": ("多输入模型", "Multiple inputs"),
    "multiple_outputs": ("多输出模型", "Multiple outputs"),
    "convnet": ("卷积网络（改正后，本书）", "Convolutional network (corrected, this book)"),
}


def run(ctx):
    config.seed_everything(42)
    rng = np.random.default_rng(0)
    comparisons, shapes = [], {}
    start = time.perf_counter()
    for name, builder in functional.BUILDERS.items():
        model = builder()
        batch = [rng.random((2, *inp.shape[1:])).astype("float32") for inp in model.inputs]
        out = model.predict(batch if len(batch) > 1 else batch[0], verbose=0)
        shapes[name] = [list(o.shape[1:]) for o in out] if isinstance(out, list) else list(out.shape[1:])
        save_model_diagram(model, ctx.figures_dir / f"{name}.png")
        print(f"  wrote diagram {name}.png")
        zh, en = LABELS[name]
        comparisons.append({"key": f"params_{name}", "label": {"zh": zh, "en": en},
                            "source": functional.SOURCE_PARAMS.get(name), "source_ref": "004",
                            "ours": model.count_params(), "format": "int"})
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(dataset="random inputs of each model's shape (no training)", n_train=0, n_test=2,
                                 wall_time_s=round(time.perf_counter() - start, 1)),
        "comparisons": comparisons,
        "output_shapes": shapes,
    }
    ctx.record(record)
