import json
import re
import subprocess
from pathlib import Path

import pytest

from book import results


def record(smoke=False):
    prov = results.provenance(
        dataset="MNIST",
        n_train=54000,
        n_test=10000,
        epochs=20,
        batch_size=128,
        wall_time_s=96.0,
        images_per_s=11000.0,
    )
    prov["smoke"] = smoke
    return {
        "chapter": "02-mnist-mlp",
        "provenance": prov,
        "comparisons": [
            {
                "key": "acc",
                "label": {"zh": "测试准确率", "en": "Test accuracy"},
                "source": 0.9821,
                "source_ref": "000",
                "ours": 0.9835,
                "format": "percent",
            },
            {
                "key": "params",
                "label": {"zh": "参数量", "en": "Parameters"},
                "source": 669706,
                "source_ref": "000",
                "ours": 669706,
                "format": "int",
            },
        ],
    }


def test_provenance_has_every_field():
    prov = record()["provenance"]
    for key in [
        "dataset",
        "n_train",
        "n_test",
        "epochs",
        "batch_size",
        "backend",
        "backend_version",
        "keras_version",
        "device",
        "wall_time_s",
        "images_per_s",
        "date",
        "git_commit",
        "smoke",
    ]:
        assert key in prov
    assert prov["backend"] in {"tensorflow", "jax", "torch"}


def test_table_shows_source_beside_ours():
    table = results.comparison_table(record(), "en")
    assert "| Test accuracy | 98.21% | 98.35% |" in table
    assert "| Parameters | 669,706 | 669,706 |" in table
    assert "54,000 train / 10,000 test" in table and "smoke" not in table.lower()
    assert "| 测试准确率 | 98.21% | 98.35% |" in results.comparison_table(record(), "zh")


def test_smoke_tables_say_so():
    assert "Smoke-run numbers, not results" in results.comparison_table(record(smoke=True), "en")
    assert "冒烟测试" in results.comparison_table(record(smoke=True), "zh")


def test_records_are_written_atomically(tmp_path):
    path = results.save_record(record(), tmp_path / "r" / "02.json")
    assert json.loads(path.read_text())["chapter"] == "02-mnist-mlp"
    assert [p.name for p in path.parent.iterdir()] == ["02.json"]
    paths = results.write_tables(record(), tmp_path / "t", "02")
    assert sorted(p.name for p in paths) == ["02.en.md", "02.zh.md"]


def test_run_provenance_takes_the_numbers_from_the_training_run():
    from companion.train import TrainingRun

    run = TrainingRun(
        history={"loss": [1.0, 0.5]},
        epochs=2,
        batch_size=32,
        train_samples=3200,
        epoch_seconds=[3.0, 2.0],
        wall_time_s=5.1,
    )
    prov = results.run_provenance(run, dataset="CIFAR-10", n_test=1000, model="cnn")
    assert (prov["n_train"], prov["epochs"], prov["batch_size"], prov["wall_time_s"]) == (
        3200,
        2,
        32,
        5.1,
    )
    assert prov["images_per_s"] == 1600.0 and prov["model"] == "cnn" and prov["n_test"] == 1000


def _git(folder, *args):
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.fixture()
def checkout(tmp_path):
    """A small git checkout with the package's layout and one commit."""
    (tmp_path / "repo" / "src" / "companion").mkdir(parents=True)
    (tmp_path / "repo" / "src" / "companion" / "results.py").write_text("# the code\n")
    _git(tmp_path / "repo", "init", "--quiet")
    _git(tmp_path / "repo", "add", ".")
    _git(tmp_path / "repo", "commit", "--quiet", "-m", "first")
    return tmp_path / "repo"


def test_git_commit_of_an_installed_copy_inside_another_repository_is_unknown(checkout):
    site_packages = checkout / ".venv" / "lib" / "python3.11" / "site-packages"
    (site_packages / "companion").mkdir(parents=True)
    assert results.git_commit(checkout) != "unknown"
    # a folder inside another repository, not its top: that repository's HEAD is not this code
    assert results.git_commit(site_packages.parents[1]) == "unknown"


def test_a_new_untracked_module_makes_the_commit_dirty(checkout):
    clean = results.git_commit(checkout)
    assert len(clean) == 12 and "+" not in clean
    (checkout / "docs" / "assets").mkdir(parents=True)
    (checkout / "docs" / "assets" / "figure.png").write_bytes(b"a run's own output")
    assert results.git_commit(checkout) == clean
    (checkout / "src" / "companion" / "new_module.py").write_text("x = 1\n")
    assert results.git_commit(checkout) == clean + "+dirty"


def test_chinese_run_lines_translate_the_recorded_descriptions():
    rec = record()
    rec["provenance"]["dataset"] = (
        "CIFAR-10, the first 50,000 training images and all 10,000 test images, decoded from "
        "JPEG copies (lossy, quality 75)"
    )
    rec["provenance"]["device"] = "CPU: Intel(R) Xeon(R) Processor (2 cores)"
    zh = results.comparison_table(rec, "zh").splitlines()[-1]
    assert "CIFAR-10：前 50,000 张训练图像与全部 10,000 张测试图像，由 JPEG 副本解码" in zh
    assert "CPU：Intel(R) Xeon(R) Processor（2 核）" in zh
    assert "训练 54,000 张 / 测试 10,000 张" in zh and "20 轮，批大小 128" in zh
    assert "提交 `" in zh
    # the English line keeps the words as recorded
    en = results.comparison_table(rec, "en").splitlines()[-1]
    assert "the first 50,000 training images" in en and "(2 cores)" in en
    # a description it has no phrase for stays as recorded rather than half translated
    assert results.localize("some new dataset", "zh") == "some new dataset"


def test_committed_tables_are_their_records_rendered():
    """Every includes/results table equals its record rendered now (none edited by hand).

    After a change to how tables are worded: ``python scripts/build_figures.py --render``.
    """
    root = Path(__file__).resolve().parents[1]
    stale = []
    for path in sorted((root / "docs" / "assets" / "results").glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        for lang in ("zh", "en"):
            table = root / "includes" / "results" / f"{path.stem}.{lang}.md"
            if table.read_text(encoding="utf-8") != results.comparison_table(rec, lang):
                stale.append(table.name)
    assert not stale, f"tables differ from their records: {stale}"
    # the Chinese run lines carry none of the English words the descriptions are built from
    for table in (root / "includes" / "results").glob("*.zh.md"):
        line = table.read_text(encoding="utf-8").splitlines()[-1]
        assert not re.search(r"\b(train|test|epochs|batch|commit|cores|the first)\b", line), (
            table.name,
            line,
        )
