#!/usr/bin/env python3
"""Run the chapters' experiments and write their figures and result records.

    python scripts/build_figures.py --chapter 03 --budget cpu    # what 2 CPU cores finish
    python scripts/build_figures.py --chapter 03 --budget full   # the source's recipe (GPU)
    python scripts/build_figures.py --chapter 03 --smoke         # a tiny run anywhere
    python scripts/build_figures.py --all
    python scripts/build_figures.py --render    # rewrite the tables from the records only
    python scripts/build_figures.py --chapter 11 --part lite0   # one part of a chapter only

Budgets: each trained chapter states its source's recipe once (``RECIPE`` or ``RECIPES``
in its module) and what each budget runs of it (``BUDGETS``); ``smoke`` is what the tests
run. Before training, a chapter prints what its budget cuts and an estimate of the time.
One experiment at a time: a real (non-smoke) run holds a machine-wide lock while it
trains; a second one stops with a message (or waits, with ``--wait``). Long runs resume:
run the same command again after an interruption and training goes on from the last
finished epoch (finished runs are kept in the cache and reused; ``--fresh`` retrains).

A full run writes into the book: ``docs/assets/figures/<chapter>/``,
``docs/assets/results/<chapter>.json`` and the tables ``includes/results/<chapter>.{zh,en}.md``
that the chapter pages include. A smoke run (``--smoke``, i.e. ``COMPANION_SMOKE=1``)
writes to ``build/smoke/`` instead unless ``--out`` says otherwise, so that it never
replaces a real result; its records say ``"smoke": true`` and its tables say so.

Each chapter's experiment lives in ``book/experiments/chNN.py`` and defines
``CHAPTER`` (the page's file stem) and ``run(ctx)``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the book's build: book/ (results, recipes, experiments ...)


@dataclass
class Context:
    """Where one chapter's outputs go, and helpers to write them atomically."""

    chapter: str
    out: Path  # holds assets/figures, assets/results and includes/results
    budget: str = "cpu"  # smoke, cpu or full

    def runs_dir(self, name: str) -> Path | None:
        """Where the training run ``name`` keeps its backups and, once finished, its weights.

        None for a smoke run: it takes seconds, and a stale one must never be reused.
        """
        if self.budget == "smoke":
            return None
        return self.runs_root / name

    @property
    def runs_root(self) -> Path:
        from companion import config

        return config.cache_dir() / "runs" / self.chapter / self.budget

    def plan(
        self,
        recipe,
        *,
        train_images: int,
        epochs: int,
        batch_size: int,
        validation_images: int = 0,
        what: str = "",
    ) -> None:
        """Print what this budget runs of the recipe, before training starts."""
        from book.recipes import what_ran

        cut = what_ran(
            recipe,
            self.budget,
            train_images=train_images,
            epochs=epochs,
            batch_size=batch_size,
            validation_images=validation_images,
        )["cuts"]["en"]
        print(
            f"  {what or self.chapter}, budget {self.budget}: "
            + ("the source's recipe" if not cut else "cuts " + "; ".join(cut))
        )

    @property
    def figures_dir(self) -> Path:
        return self.out / "docs" / "assets" / "figures" / self.chapter

    def figure(self, fig, name: str, lang: str | None = None) -> Path:
        from companion.visualize import save_figure

        path = self.figures_dir / (f"{name}.{lang}.png" if lang else f"{name}.png")
        save_figure(fig, path)
        print(f"  wrote {path.relative_to(self.out)}")
        return path

    def web_model(self, model, name: str, x_test, y_test, *, reference_accuracy: float) -> dict:
        """Export ``model`` (taking pixels) for the chapter's page: ``assets/models/<name>.onnx``.

        Returns the record's entry (``book.export.export_for_the_browser``), its file
        named as the site serves it, relative to ``docs/``.
        """
        from book.export import export_for_the_browser

        docs = self.out / "docs"
        path = docs / "assets" / "models" / f"{name}.onnx"
        entry = export_for_the_browser(
            model, path, x_test, y_test, reference_accuracy=reference_accuracy
        )
        entry["file"] = path.relative_to(docs).as_posix()
        accuracy = ", ".join(
            f"{k} {v:.2%}" for k, v in entry["test_accuracy"].items() if v is not None
        )
        print(
            f"  wrote {path.relative_to(self.out)} "
            f"({entry['precision']}, {entry['bytes'] / 1e6:.2f} MB; "
            f"test accuracy: {accuracy})"
        )
        return entry

    def sample_images(
        self, name: str, images, labels, indices, class_names: dict, dataset: str
    ) -> dict:
        """A sprite of test images for a page to classify, and a JSON of their true labels.

        Writes ``assets/widgets/<name>.png`` and ``.json`` (tile size, columns, each tile's
        test-set index and label, the class names in both languages); returns the JSON.
        """
        import numpy as np

        from book.sprite import write_sprite
        from companion._io import write_json

        labels = np.asarray(labels).reshape(-1)
        folder = self.out / "docs" / "assets" / "widgets"
        columns = len(class_names["en"])
        png = write_sprite(images[indices], folder / f"{name}.png", columns=columns)
        info = {
            "sprite": png.name,
            "dataset": dataset,
            "tile": list(images.shape[1:3]),
            "columns": columns,
            "images": [{"test_index": int(i), "label": int(labels[i])} for i in indices],
            "classes": class_names,
        }
        json_path = write_json(folder / f"{name}.json", info)
        for path in (png, json_path):
            print(f"  wrote {path.relative_to(self.out)}")
        return info

    def record(self, record: dict, stem: str | None = None) -> None:
        from book.results import save_record, write_tables

        stem = stem or self.chapter
        # Every record names the budget it ran under, trained or not (smoke records say so too).
        record["provenance"].setdefault("budget", self.budget)
        json_path = save_record(record, self.out / "docs" / "assets" / "results" / f"{stem}.json")
        tables = write_tables(record, self.out / "includes" / "results", stem)
        for path in [json_path, *tables]:
            print(f"  wrote {path.relative_to(self.out)}")


def render_tables(out: Path) -> int:
    """Rewrite includes/results/<stem>.{zh,en}.md from each docs/assets/results/<stem>.json.

    Chapter-specific tables (chapter 11's approaches) are written by their experiments only.
    """
    import json

    from book.results import write_tables

    for record in sorted((out / "docs" / "assets" / "results").glob("*.json")):
        tables = write_tables(
            json.loads(record.read_text(encoding="utf-8")),
            out / "includes" / "results",
            record.stem,
        )
        for path in tables:
            print(f"  wrote {path.relative_to(out)}")
    return 0


def available() -> dict[str, str]:
    """Chapter number -> experiment module name, for every book/experiments/chNN.py."""
    return {
        p.stem[2:]: f"book.experiments.{p.stem}"
        for p in sorted((ROOT / "book" / "experiments").glob("ch[0-9][0-9].py"))
    }


def main(argv=None) -> int:
    experiments = available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chapter",
        action="append",
        choices=sorted(experiments),
        help="chapter number, e.g. 02 (repeatable)",
    )
    parser.add_argument("--all", action="store_true", help="every chapter that has an experiment")
    parser.add_argument(
        "--budget",
        choices=["smoke", "cpu", "full"],
        default="cpu",
        help="how much of the source's recipe to run (default: cpu)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="same as --budget smoke (COMPANION_SMOKE=1)"
    )
    parser.add_argument(
        "--wait", action="store_true", help="wait for another experiment instead of stopping"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="retrain: forget this budget's saved runs first"
    )
    parser.add_argument(
        "--part",
        help="run only this part of the chapter (a name in its module's PARTS, e.g. lite0 for "
        "chapter 11): its own records, without retraining the chapter's other runs",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="root folder to write into (default: the repository, or build/smoke)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite every result table from its committed record (no training): after "
        "a change to how tables are worded",
    )
    args = parser.parse_args(argv)
    if args.render:
        return render_tables(args.out or ROOT)
    chapters = sorted(experiments) if args.all else args.chapter
    if not chapters:
        parser.error("name a chapter with --chapter NN, or use --all, or --render")
    if args.part is not None:
        if len(chapters) != 1:
            parser.error("--part needs exactly one --chapter")
        if args.fresh:
            parser.error(
                "--fresh forgets all the chapter's saved runs; to retrain one part, delete its "
                "folders under the chapter's runs cache instead"
            )
        parts = getattr(importlib.import_module(experiments[chapters[0]]), "PARTS", {})
        if args.part not in parts:
            parser.error(
                f"chapter {chapters[0]} has no part {args.part!r}; it has: "
                + (", ".join(sorted(parts)) or "none")
            )
    if args.smoke:
        args.budget = "smoke"
    if args.budget == "smoke":
        os.environ["COMPANION_SMOKE"] = "1"
    from book import results
    from book.lock import ExperimentLock
    from companion import config, errors

    results.pin_commit()  # the code this process runs is the code at its start

    budget = "smoke" if config.smoke() else args.budget
    out = args.out or (ROOT / "build" / "smoke" if budget == "smoke" else ROOT)
    for number in chapters:
        module = importlib.import_module(experiments[number])
        ctx = Context(chapter=module.CHAPTER, out=out, budget=budget)
        if args.fresh:
            shutil.rmtree(ctx.runs_root, ignore_errors=True)
        print(f"chapter {number} ({module.CHAPTER}), budget {budget} -> {out}")
        start = time.perf_counter()
        try:
            # Smoke runs are seconds long and run beside anything; real runs hold the machine.
            lock = (
                contextlib.nullcontext()
                if budget == "smoke"
                else ExperimentLock(
                    f"build_figures.py --chapter {number}"
                    + (f" --part {args.part}" if args.part else "")
                    + f" --budget {budget}",
                    wait=args.wait,
                )
            )
            with lock:
                (module.PARTS[args.part] if args.part else module.run)(ctx)
        except errors.CompanionError as exc:
            print(f"build_figures.py: {exc}", file=sys.stderr)
            return 2
        print(f"chapter {number} done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
