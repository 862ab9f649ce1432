"""Labels under result tables are computed from the recipe and what ran, never typed by hand."""

import pytest

from book import results
from book.recipes import Budget, Recipe, run_label, what_ran

RECIPE = Recipe(
    source_ref="000", train_images=50_000, epochs=200, batch_size=32, optimizer="Adam 1e-3"
)


def prov(**ran):
    base = dict(train_images=50_000, epochs=200, batch_size=32)
    base.update(ran)
    return what_ran(RECIPE, "cpu", **base)


def test_only_the_whole_recipe_is_called_the_sources_recipe():
    assert run_label(prov(), "en").startswith("the source's recipe (cpu budget)")
    assert run_label(prov(), "zh").startswith("原文的配方（cpu 预算）")
    reduced = prov(epochs=40)
    assert run_label(reduced, "en") == "reduced (cpu budget): 40 of 200 epochs"
    assert run_label(reduced, "zh") == "缩减运行（cpu 预算）：200 轮中的 40 轮"


def test_every_cut_is_named_in_both_languages():
    p = prov(
        train_images=45_000,
        validation_images=5_000,
        epochs=40,
        batch_size=64,
        lossy_data=True,
        resumed_at_epoch=7,
    )
    en, zh = run_label(p, "en"), run_label(p, "zh")
    assert en.startswith("reduced")
    for phrase in [
        "40 of 200 epochs",
        "45,000 of 50,000 training images (5,000 more held out for validation)",
        "batch 64 (source: 32)",
        "decoded from JPEG copies",
        "resumed at epoch 7",
    ]:
        assert phrase in en
    for phrase in [
        "200 轮中的 40 轮",
        "50,000 张训练图像中的 45,000 张",
        "批大小 64（原文 32）",
        "JPEG",
        "从第 7 轮续训",
    ]:
        assert phrase in zh
    assert "recipe" not in en and "配方" not in zh


def test_smoke_and_recipe_less_records_make_no_claim():
    assert "not results" in run_label({"smoke": True, **prov()}, "en")
    assert run_label({"dataset": "MNIST"}, "en") == run_label({"dataset": "MNIST"}, "zh") == ""


def test_the_table_foot_never_says_full_run(monkeypatch):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    record = {
        "chapter": "x",
        "comparisons": [],
        "provenance": {
            **results.provenance(
                dataset="CIFAR-10", n_train=45_000, n_test=10_000, epochs=40, batch_size=32
            ),
            **prov(epochs=40),
        },
    }
    for lang in ("zh", "en"):
        table = results.comparison_table(record, lang)
        assert "full run" not in table and "完整运行" not in table
    assert "reduced (cpu budget): 40 of 200 epochs" in results.comparison_table(record, "en")
    assert "缩减运行" in results.comparison_table(record, "zh")


def test_budgets_cap_the_recipe_and_reject_unknown_names():
    assert Budget("cpu", train_images=8_000).images(RECIPE) == 8_000
    assert Budget("full").images(RECIPE) == 50_000 and Budget("full").epochs_for(RECIPE) == 200
    assert Budget("cpu", epochs=40).epochs_for(RECIPE) == 40
    with pytest.raises(ValueError, match="smoke, cpu, full"):
        Budget("gpu")
    with pytest.raises(ValueError, match="budget"):
        what_ran(RECIPE, "huge", train_images=1, epochs=1, batch_size=1)


def test_run_provenance_keeps_recipe_budget_and_cuts():
    from companion.train import TrainingRun

    run = TrainingRun(
        history={"loss": [1.0]},
        epochs=1,
        batch_size=32,
        train_samples=45_000,
        epoch_seconds=[30.0],
        wall_time_s=31.0,
        resumed_at_epoch=None,
    )
    p = results.run_provenance(
        run,
        dataset="CIFAR-10",
        n_test=10_000,
        recipe=RECIPE,
        budget="cpu",
        validation_images=5_000,
        lossy_data=True,
    )
    assert p["budget"] == "cpu" and p["recipe"]["epochs"] == 200 and p["ran"]["epochs"] == 1
    assert "1 of 200 epochs" in p["cuts"]["en"]
    assert set(p["load_average"]) == {"start", "end"}
    with pytest.raises(ValueError, match="budget"):
        results.run_provenance(run, dataset="CIFAR-10", n_test=1, recipe=RECIPE)


def test_a_smaller_image_size_is_a_cut():
    recipe = Recipe(
        source_ref="004",
        train_images=2_000,
        epochs=30,
        batch_size=20,
        optimizer="RMSprop",
        image_size="150x150",
    )
    p = what_ran(recipe, "cpu", train_images=2_000, epochs=40, batch_size=20, image_size="64x64")
    assert run_label(p, "en") == "reduced (cpu budget): 64x64 images (source: 150x150)"
    assert "图像 64x64（原文 150x150）" in run_label(p, "zh")
