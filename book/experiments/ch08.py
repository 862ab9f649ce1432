"""Chapter 08: the functional API -- the seven models of source 004 part 3 and the fixed CNN.

Builds every model (parameter counts against the source's summaries, output shapes of one
forward pass on random data, diagrams), times the multiple-outputs model with a
TimeDistributed(Dense) and a plain Dense head, and trains the corrected CNN briefly on MNIST.
"""

import time

import numpy as np

from book.architecture import save_model_diagram
from book.experiments.common import params_row, phrase, row, save, timed
from book.results import provenance
from book.vocabulary import label
from companion import config
from companion.data import mnist
from companion.models import functional
from companion.train import fit

CHAPTER = "08-functional-api"
TRAIN_SUBSET = 10_000  # two epochs on a sixth of MNIST already show that it trains


def run(ctx):
    config.seed_everything(42)
    rng = np.random.default_rng(0)
    rows, shapes = [], {}
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
        source = functional.SOURCE_PARAMS.get(name)
        rows.append(params_row(name, model, source=source, ref="004", label=f"ch08.{name}"))
    build_s = round(time.perf_counter() - start, 1)

    # One forward pass (2 sequences) with each kind of per-step head: the first call traces.
    sequences = rng.random((2, 784, 1)).astype("float32")
    for wrapped, head in ((True, "TimeDistributed(Dense)"), (False, "Dense")):
        model = functional.build_multiple_outputs(time_distributed=wrapped)
        for call in (1, 2):
            _, seconds = timed(model.predict, sequences, verbose=0)
            key = f"forward_{'time_distributed' if wrapped else 'dense'}_{call}"
            text = phrase("ch08.forward", head=head, call=label(f"ch08.call_{call}"))
            rows.append(row(key, seconds, ref="004", fmt="seconds", label=text))

    # The corrected CNN on MNIST: 2 epochs, Adam, batch 128, the first TRAIN_SUBSET images.
    config.seed_everything(42)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, y_train = x_train[:TRAIN_SUBSET], y_train[:TRAIN_SUBSET]
    x_train, x_test = (x[..., None].astype("float32") / 255 for x in (x_train, x_test))
    cnn = functional.build_convnet()
    cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    run = fit(cnn, x_train, y_train, epochs=2, batch_size=128, verbose=2)
    test_loss, test_accuracy = cnn.evaluate(x_test, y_test, verbose=0)
    text = phrase("ch08.convnet_test_accuracy", n=len(x_train))
    rows.append(
        row("convnet_test_accuracy", float(test_accuracy), ref="004", fmt="percent", label=text)
    )
    prov = provenance(
        dataset=f"MNIST, first {len(x_train):,} training images (CNN); random inputs for the "
        "forward passes",
        n_train=run.train_samples,
        n_test=len(x_test),
        epochs=run.epochs,
        batch_size=run.batch_size,
        wall_time_s=run.wall_time_s,
        images_per_s=round(run.images_per_s, 1),
        build_and_diagrams_s=build_s,
    )
    history, loss = run.history, float(test_loss)
    save(ctx, prov, rows, output_shapes=shapes, cnn_history=history, cnn_test_loss=loss)
