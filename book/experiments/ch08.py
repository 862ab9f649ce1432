"""Chapter 08: the functional API -- the seven models of source 004 part 3 and the fixed CNN.

Nothing is trained in the source's part 3; it prints summaries and plot_model
diagrams. We build every model, check its parameter count against the source's
summary, run one forward pass on random data of the right shape (recording the
output shapes, among them the 4x4 grid of the source's CNN) and draw each diagram.
Then we time one forward pass of the multiple-outputs model with the source's
TimeDistributed(Dense) head and with a plain Dense head, and train the corrected
CNN briefly on MNIST (the source's version cannot be trained on one label per image).
"""

import time

import numpy as np

from book.architecture import save_model_diagram
from book.results import provenance
from companion import config
from companion.data import mnist
from companion.models import functional
from companion.train import fit

CHAPTER = "08-functional-api"
TRAIN_SUBSET = 10_000
LABELS = {
    "multilayer_perceptron": ("多层感知机", "Multilayer perceptron"),
    "convnet_as_written": (
        "卷积网络（原文写法，缺 Flatten）",
        "Convolutional network (as written, no Flatten)",
    ),
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
        shapes[name] = (
            [list(o.shape[1:]) for o in out] if isinstance(out, list) else list(out.shape[1:])
        )
        save_model_diagram(model, ctx.figures_dir / f"{name}.png")
        print(f"  wrote diagram {name}.png")
        zh, en = LABELS[name]
        comparisons.append(
            {
                "key": f"params_{name}",
                "label": {"zh": zh, "en": en},
                "source": functional.SOURCE_PARAMS.get(name),
                "source_ref": "004",
                "ours": model.count_params(),
                "format": "int",
            }
        )
    build_s = round(time.perf_counter() - start, 1)

    # Forward passes (a batch of 2) with each kind of per-step head: the first call, which
    # traces and compiles the graph, then a second one.
    sequences = rng.random((2, 784, 1)).astype("float32")
    for wrapped, head in ((True, "TimeDistributed(Dense)"), (False, "Dense")):
        model = functional.build_multiple_outputs(time_distributed=wrapped)
        for call, (zh, en) in enumerate(
            [("第一次调用", "first call"), ("第二次调用", "second call")]
        ):
            t = time.perf_counter()
            model.predict(sequences, verbose=0)
            comparisons.append(
                {
                    "key": f"forward_{'time_distributed' if wrapped else 'dense'}_{call + 1}",
                    "label": {
                        "zh": f"多输出模型前向计算（2 个序列），{head}：{zh}",
                        "en": f"Multiple outputs, forward pass (2 sequences), {head}: {en}",
                    },
                    "source": None,
                    "source_ref": "004",
                    "ours": time.perf_counter() - t,
                    "format": "seconds",
                }
            )

    # The corrected CNN on MNIST: 2 epochs, Adam, batch 128, on the first TRAIN_SUBSET training
    # images (a short run: two epochs on a sixth of the data already show that it trains).
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, y_train = x_train[:TRAIN_SUBSET], y_train[:TRAIN_SUBSET]
    x_train = x_train[..., None].astype("float32") / 255
    x_test = x_test[..., None].astype("float32") / 255
    cnn = functional.build_convnet()
    cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    run = fit(cnn, x_train, y_train, epochs=2, batch_size=128, verbose=2)
    test_loss, test_accuracy = cnn.evaluate(x_test, y_test, verbose=0)
    comparisons.append(
        {
            "key": "convnet_test_accuracy",
            "label": {
                "zh": f"改正后的卷积网络：MNIST 测试准确率（{len(x_train):,} 张训练图，2 轮）",
                "en": (
                    f"Corrected CNN: MNIST test accuracy ({len(x_train):,} training images, 2 "
                    "epochs)"
                ),
            },
            "source": None,
            "source_ref": "004",
            "ours": float(test_accuracy),
            "format": "percent",
        }
    )
    record = {
        "chapter": CHAPTER,
        "provenance": provenance(
            dataset=(
                f"MNIST, first {len(x_train):,} training images (CNN); random inputs for the "
                "forward passes"
            ),
            n_train=run.train_samples,
            n_test=len(x_test),
            epochs=run.epochs,
            batch_size=run.batch_size,
            wall_time_s=run.wall_time_s,
            images_per_s=round(run.images_per_s, 1),
            build_and_diagrams_s=build_s,
        ),
        "comparisons": comparisons,
        "output_shapes": shapes,
        "cnn_history": run.history,
        "cnn_test_loss": float(test_loss),
    }
    ctx.record(record)
