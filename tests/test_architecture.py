"""Architecture pictures: plot_model diagrams and the VGG16 feature-map figure."""

import shutil

import pytest

from book.architecture import plot_feature_map_sizes, save_model_diagram
from companion.models import build_convnet, build_vgg16
from companion.models.vgg import feature_map_sizes


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_diagram_is_a_png(tmp_path):
    path = save_model_diagram(build_convnet(), tmp_path / "cnn.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name != "cnn.png"]  # nothing half-written left


def test_feature_map_figure_has_one_bar_per_block_and_refuses_unknown_languages():
    model = build_vgg16(input_shape=(32, 32, 3), classes=10)
    rows = feature_map_sizes(model)
    fig = plot_feature_map_sizes(rows, (32, 32, 3), lang="en")
    sides, channels = fig.axes
    assert [p.get_height() for p in sides.patches] == [32, 16, 8, 4, 2, 1]
    assert [p.get_height() for p in channels.patches] == [3, 64, 128, 256, 512, 512]
    with pytest.raises(ValueError, match="lang"):
        plot_feature_map_sizes(rows, (32, 32, 3), lang="fr")
