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

from .vocabulary import LANGS, label, word

BUDGETS = ("smoke", "cpu", "full")


@dataclass(frozen=True)
class Recipe:
    """A source's training recipe, stated once."""

    source_ref: str  # "000", "002" ... (book.vocabulary: source_000 ...)
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
    found = {lang: [] for lang in LANGS}

    def cut(key: str, **values) -> None:
        for lang in LANGS:
            found[lang].append(word(key, lang).format(**values))

    if ran["epochs"] < recipe["epochs"]:
        cut("cut_epochs", ran=ran["epochs"], total=recipe["epochs"])
    if ran["train_images"] < recipe["train_images"]:
        held = ran.get("validation_images") or 0
        for lang in LANGS:
            found[lang].append(
                word("cut_train_images", lang).format(
                    ran=ran["train_images"],
                    total=recipe["train_images"],
                    held=word("cut_held_out", lang).format(held=held) if held else "",
                )
            )
    size = ran.get("image_size", recipe["image_size"])
    if size != recipe["image_size"]:
        cut("cut_image_size", size=size, source=recipe["image_size"])
    if ran["batch_size"] != recipe["batch_size"]:
        cut("cut_batch", ran=ran["batch_size"], source=recipe["batch_size"])
    return found


def run_label(prov: dict, lang: str) -> str:
    """The name of a run for the foot of its table, computed from its record.

    A smoke run says so; a run with a recipe is "the source's recipe" only when
    :func:`is_source_recipe` holds, otherwise "reduced" with every cut listed; a record
    without a recipe (a measurement, not a training run) gets no claim at all (empty).
    """
    if prov.get("smoke"):
        return word("run_smoke", lang)
    if "recipe" not in prov or "ran" not in prov:
        return ""
    recipe, ran = prov["recipe"], prov["ran"]
    head = "run_recipe" if is_source_recipe(recipe, ran) else "run_reduced"
    details = list(cuts(recipe, ran)[lang])
    if ran.get("lossy_data"):
        details.append(word("run_lossy", lang))
    if ran.get("resumed_at_epoch"):
        details.append(word("run_resumed", lang).format(n=ran["resumed_at_epoch"]))
    budget = prov.get("budget", "")  # a name this module does not know is shown as it is
    budget = f"budget_{budget}" if budget in BUDGETS else dict.fromkeys(LANGS, budget)
    head = label(head, run=budget)[lang]
    return head + (word("colon", lang) + word("semicolon", lang).join(details) if details else "")
