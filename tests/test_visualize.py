import numpy as np
import pytest
from PIL import Image

import fakedata
from companion import visualize


def test_confusion_matrix_counts():
    counts = visualize.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    with pytest.raises(ValueError):
        visualize.confusion_matrix([0, 1], [0], 2)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_written_as_png(tmp_path, lang):
    x, y = fakedata.class_images(40, 10, (28, 28))
    probs = np.eye(10)[(y + 1) % 10] * 0.9 + 0.01
    figures = {
        "samples": visualize.sample_grid(x, y, rows=2, cols=5),
        "history": visualize.plot_history(
            {
                "loss": [1, 0.5],
                "val_loss": [1.1, 0.7],
                "accuracy": [0.5, 0.8],
                "val_accuracy": [0.4, 0.7],
            },
            lang,
        ),
        "confusion": visualize.plot_confusion_matrix(
            y, probs.argmax(1), [str(i) for i in range(10)], lang
        ),
        "mistakes": visualize.misclassified_grid(x, y, probs, [str(i) for i in range(10)], lang),
    }
    for name, fig in figures.items():
        path = visualize.save_figure(fig, tmp_path / f"{name}.png")
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in figures)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        visualize.plot_history({"loss": [1.0]}, lang="fr")


def test_a_cjk_font_missing_from_a_stale_font_cache_is_found_on_disk(monkeypatch, recwarn):
    """matplotlib's font cache was built before the CJK font was installed: the font is on
    disk but not in ``fontManager``; the figures must still find it (not draw boxes)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(f.name in visualize.CJK_FONTS for f in manager.ttflist):
        pytest.skip("no CJK font installed here (Debian: apt-get install fonts-noto-cjk)")
    stale = [f for f in manager.ttflist if f.name not in visualize.CJK_FONTS]
    monkeypatch.setattr(manager, "ttflist", stale)
    manager._findfont_cached.cache_clear()
    fig = visualize.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, "zh", ("loss",))
    assert not [w for w in recwarn if "CJK" in str(w.message)]
    names = {f.name for f in manager.ttflist}
    assert names & set(visualize.CJK_FONTS)
    import matplotlib.pyplot as plt

    assert plt.rcParams["font.sans-serif"][0] in visualize.CJK_FONTS
    found = font_manager.findfont(plt.rcParams["font.sans-serif"][0], fallback_to_default=False)
    assert "CJK" in found
    plt.close(fig)
