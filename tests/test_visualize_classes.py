"""The plots of chapters 03-04: per-class samples, several learning curves, per-class accuracy,
predictions."""

import numpy as np
import pytest

from companion import visualize


def test_per_class_accuracy_bars_are_the_share_of_each_class_predicted_right():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 0])
    fig = visualize.plot_per_class_accuracy(y_true, y_pred, ["a", "b", "c"], lang="en")
    widths = [bar.get_width() for bar in fig.axes[0].patches]
    np.testing.assert_allclose(widths, [0.5, 2 / 3, 0.0])


def test_histories_of_two_runs_share_one_figure_and_an_empty_one_is_refused():
    run = {
        "loss": [2.0, 1.5],
        "accuracy": [0.2, 0.4],
        "val_loss": [1.9, 1.6],
        "val_accuracy": [0.25, 0.35],
    }
    fig = visualize.plot_histories({"plain": run, "augmented": run}, lang="zh")
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    assert len(visualize.plot_history(run, lang="en").axes[0].lines) == 2
    with pytest.raises(ValueError, match="at least one"):
        visualize.plot_histories({})
    with pytest.raises(KeyError, match="accuracy"):
        visualize.plot_histories({"x": {"loss": [1.0]}})


def test_class_grid_and_prediction_grid_draw_every_image():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (30, 8, 8, 3), dtype=np.uint8)
    labels = np.arange(30) % 3
    fig = visualize.class_samples_grid(images, labels, ["a", "b", "c"], per_class=4)
    assert sum(len(ax.images) for ax in fig.axes) == 12
    probabilities = rng.dirichlet(np.ones(3), size=30)
    fig = visualize.prediction_grid(
        images, labels, probabilities, ["a", "b", "c"], lang="en", rows=2, cols=3
    )
    assert sum(len(ax.images) for ax in fig.axes) == 6
    # every shown image carries its three guesses, most probable first
    first = fig.axes[0].texts[0].get_text().splitlines()
    assert first[0].startswith("abc"[int(probabilities[0].argmax())])
