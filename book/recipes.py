"""Recipes and budgets: what the source trained, what we ran, and the honest name of the run.

A :class:`Recipe` states a source's training once: how many training images, epochs, the
batch size, optimizer and schedule, augmentation and image size. A *budget* says how much
of it one machine runs: ``smoke`` (the tests), ``cpu`` (what one 2-core machine finishes in
about an hour) or ``full`` (the recipe itself, for a GPU). A run's record keeps the recipe,
the budget and what actually ran (:func:`what_ran`); the label under every result table is
computed from them (:func:`run_label`), in the page's language, so that nothing reduced is
ever called the source's recipe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

BUDGETS = ("smoke", "cpu", "full")


@dataclass(frozen=True)
class Recipe:
    """A source's training recipe, stated once."""

    source_ref: str  # "000", "002" ... (see results.SOURCES)
    train_images: int
    epochs: int
    batch_size: int
    optimizer: str
    augmentation: str = "none"
    image_size: str = "32x32"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Budget:
    """How much of a recipe one run trains: ``None`` keeps the recipe's value."""

    name: str
    train_images: int | None = None
    epochs: int | None = None
    batch_size: int | None = None

    def __post_init__(self):
        if self.name not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {self.name!r}")

    def images(self, recipe: Recipe) -> int:
        return min(self.train_images or recipe.train_images, recipe.train_images)

    def epochs_for(self, recipe: Recipe) -> int:
        return self.epochs or recipe.epochs

    def batch_for(self, recipe: Recipe) -> int:
        return self.batch_size or recipe.batch_size


def what_ran(
    recipe: Recipe,
    budget: str,
    *,
    train_images: int,
    epochs: int,
    batch_size: int,
    validation_images: int = 0,
    lossy_data: bool = False,
    resumed_at_epoch: int | None = None,
    image_size: str | None = None,
) -> dict:
    """The record's account of a run: recipe, budget, what ran, and its cuts in both languages.

    ``train_images`` counts the images the model trained on (held-out validation images
    excluded); ``epochs`` the epochs it finished (an early stop counts as what ran).
    ``lossy_data`` says the pixels are not the official bytes (CIFAR-10 decoded from JPEG
    copies). ``resumed_at_epoch`` (1-based) says that an interrupted run went on from there.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    ran = {
        "train_images": int(train_images),
        "validation_images": int(validation_images),
        "epochs": int(epochs),
        "batch_size": int(batch_size),
        "lossy_data": bool(lossy_data),
        "resumed_at_epoch": resumed_at_epoch,
        "image_size": image_size or recipe.image_size,
    }
    return {
        "budget": budget,
        "recipe": recipe.to_dict(),
        "ran": ran,
        "cuts": cuts(recipe.to_dict(), ran),
    }


def is_source_recipe(recipe: dict, ran: dict) -> bool:
    """True only when the run trained on all the recipe's images, at its size, for all its
    epochs."""
    same_size = ran.get("image_size", recipe["image_size"]) == recipe["image_size"]
    return (
        ran["train_images"] >= recipe["train_images"]
        and ran["epochs"] >= recipe["epochs"]
        and same_size
    )


def cuts(recipe: dict, ran: dict) -> dict[str, list[str]]:
    """What the run changed or cut against the recipe, as phrases in Chinese and English."""
    zh, en = [], []
    if ran["epochs"] < recipe["epochs"]:
        zh.append(f"{recipe['epochs']} 轮中的 {ran['epochs']} 轮")
        en.append(f"{ran['epochs']} of {recipe['epochs']} epochs")
    if ran["train_images"] < recipe["train_images"]:
        held = ran.get("validation_images") or 0
        zh_held = f"（另有 {held:,} 张留作验证）" if held else ""
        en_held = f" ({held:,} more held out for validation)" if held else ""
        zh.append(f"{recipe['train_images']:,} 张训练图像中的 {ran['train_images']:,} 张{zh_held}")
        en.append(f"{ran['train_images']:,} of {recipe['train_images']:,} training images{en_held}")
    size = ran.get("image_size", recipe["image_size"])
    if size != recipe["image_size"]:
        zh.append(f"图像 {size}（原文 {recipe['image_size']}）")
        en.append(f"{size} images (source: {recipe['image_size']})")
    if ran["batch_size"] != recipe["batch_size"]:
        zh.append(f"批大小 {ran['batch_size']}（原文 {recipe['batch_size']}）")
        en.append(f"batch {ran['batch_size']} (source: {recipe['batch_size']})")
    return {"zh": zh, "en": en}


_LABEL = {
    "zh": {
        "smoke": "冒烟测试（数字不是结果）",
        "recipe": "原文的配方",
        "reduced": "缩减运行",
        "budget": {"smoke": "smoke 预算", "cpu": "cpu 预算", "full": "full 预算"},
        "lossy": "训练图像由 JPEG 副本解码（有损，不是官方像素）",
        "resumed": "中断后从第 {n} 轮续训",
        "sep": "；",
        "colon": "：",
    },
    "en": {
        "smoke": "smoke run (its numbers are not results)",
        "recipe": "the source's recipe",
        "reduced": "reduced",
        "budget": {"smoke": "smoke budget", "cpu": "cpu budget", "full": "full budget"},
        "lossy": "training images decoded from JPEG copies (lossy, not the official pixels)",
        "resumed": "resumed at epoch {n} after an interruption",
        "sep": "; ",
        "colon": ": ",
    },
}


def run_label(prov: dict, lang: str) -> str:
    """The name of a run for the foot of its table, computed from its record.

    A smoke run says so; a run with a recipe is "the source's recipe" only when
    :func:`is_source_recipe` holds, otherwise "reduced" with every cut listed; a record
    without a recipe (a measurement, not a training run) gets no claim at all (empty).
    """
    words = _LABEL[lang]
    if prov.get("smoke"):
        return words["smoke"]
    if "recipe" not in prov or "ran" not in prov:
        return ""
    recipe, ran = prov["recipe"], prov["ran"]
    head = words["recipe"] if is_source_recipe(recipe, ran) else words["reduced"]
    details = list(cuts(recipe, ran)[lang])
    if ran.get("lossy_data"):
        details.append(words["lossy"])
    if ran.get("resumed_at_epoch"):
        details.append(words["resumed"].format(n=ran["resumed_at_epoch"]))
    budget = words["budget"].get(prov.get("budget", ""), prov.get("budget", ""))
    head = f"{head} ({budget})" if lang == "en" else f"{head}（{budget}）"
    return head + (words["colon"] + words["sep"].join(details) if details else "")
