#!/usr/bin/env python3
"""Run the chapters' experiments and write their figures and result records.

    python scripts/build_figures.py --chapter 02            # the full recipe
    python scripts/build_figures.py --chapter 02 --smoke    # a tiny run anywhere
    python scripts/build_figures.py --all

A full run writes into the book: ``docs/assets/figures/<chapter>/``,
``docs/assets/results/<chapter>.json`` and the tables ``includes/results/<chapter>.{zh,en}.md``
that the chapter pages include. A smoke run (``--smoke``, i.e. ``COMPANION_SMOKE=1``)
writes to ``build/smoke/`` instead unless ``--out`` says otherwise, so that it never
replaces a real result; its records say ``"smoke": true`` and its tables say so.

Each chapter's experiment lives in ``scripts/experiments/chNN.py`` and defines
``CHAPTER`` (the page's file stem) and ``run(ctx)``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass
class Context:
    """Where one chapter's outputs go, and helpers to write them atomically."""

    chapter: str
    out: Path  # holds assets/figures, assets/results and includes/results

    @property
    def figures_dir(self) -> Path:
        return self.out / "docs" / "assets" / "figures" / self.chapter

    def figure(self, fig, name: str, lang: str | None = None) -> Path:
        from companion.visualize import save_figure

        path = self.figures_dir / (f"{name}.{lang}.png" if lang else f"{name}.png")
        save_figure(fig, path)
        print(f"  wrote {path.relative_to(self.out)}")
        return path

    def record(self, record: dict, stem: str | None = None) -> None:
        from companion.results import save_record, write_tables

        stem = stem or self.chapter
        json_path = save_record(record, self.out / "docs" / "assets" / "results" / f"{stem}.json")
        tables = write_tables(record, self.out / "includes" / "results", stem)
        for path in [json_path, *tables]:
            print(f"  wrote {path.relative_to(self.out)}")


def available() -> dict[str, str]:
    """Chapter number -> experiment module name, for every scripts/experiments/chNN.py."""
    return {p.stem[2:]: f"experiments.{p.stem}" for p in sorted((ROOT / "scripts" / "experiments").glob("ch[0-9][0-9].py"))}


def main(argv=None) -> int:
    experiments = available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", action="append", choices=sorted(experiments), help="chapter number, e.g. 02 (repeatable)")
    parser.add_argument("--all", action="store_true", help="every chapter that has an experiment")
    parser.add_argument("--smoke", action="store_true", help="tiny data and epochs (COMPANION_SMOKE=1)")
    parser.add_argument("--out", type=Path, help="root folder to write into (default: the repository, or build/smoke)")
    args = parser.parse_args(argv)
    chapters = sorted(experiments) if args.all else args.chapter
    if not chapters:
        parser.error("name a chapter with --chapter NN, or use --all")
    if args.smoke:
        os.environ["COMPANION_SMOKE"] = "1"
    from companion import config

    out = args.out or (ROOT / "build" / "smoke" if config.smoke() else ROOT)
    for number in chapters:
        module = importlib.import_module(experiments[number])
        print(f"chapter {number} ({module.CHAPTER}) -> {out}")
        start = time.perf_counter()
        module.run(Context(chapter=module.CHAPTER, out=out))
        print(f"chapter {number} done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
