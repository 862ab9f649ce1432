"""MkDocs hook: the site ships its own MathJax, copied from the npm package at build time.

Formulas (``pymdownx.arithmatex``) render with no network: MathJax comes from the npm registry
at the exact version that ``package-lock.json`` pins (``npm ci``, which ``make`` runs) and is
copied from ``node_modules/`` into the built site under ``assets/vendor/mathjax/`` after each
build. Nothing of it is committed; ``mkdocs.yml`` loads it from there (``extra_javascript``).

Only what the pages use is copied (about 2 MB, not the package's 24 MB): the TeX/MathML to
HTML-CSS component, its web fonts and the TeX extensions it may load on demand. The speech and
explorer parts (``sre``, ``a11y``), which a reader can switch on in MathJax's context menu, are
left out; screen readers still get MathML (the component's assistive-mml).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

PACKAGE = "mathjax"
# Paths inside the package's es5/ folder that the site needs.
PARTS = ["tex-mml-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions"]
TARGET = "assets/vendor/mathjax"


def _root(config) -> Path:
    return Path(config["config_file_path"]).resolve().parent


def mathjax_source(root: Path) -> Path:
    """``node_modules/mathjax/es5`` at the version package-lock.json pins, or a clear error."""
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    wanted = lock["packages"][f"node_modules/{PACKAGE}"]["version"]
    installed = root / "node_modules" / PACKAGE / "package.json"
    found = json.loads(installed.read_text(encoding="utf-8"))["version"] if installed.exists() else None
    if found != wanted:
        state = "is not installed" if found is None else f"is {found}, package-lock.json pins {wanted}"
        raise PluginError(
            f"MathJax (npm package {PACKAGE!r}) {state} in {root / 'node_modules'}. "
            "Run `npm ci` in the repository (make build / make serve / make test do it)."
        )
    return root / "node_modules" / PACKAGE / "es5"


def on_config(config, **kwargs):
    mathjax_source(_root(config))  # fail at once, not after the whole build
    return config


def on_post_build(config, **kwargs):
    # Runs once per language build (mkdocs-static-i18n); every language shares the site root's
    # assets/, so the copy is the same each time and skipped when already there.
    source = mathjax_source(_root(config))
    target = Path(config["site_dir"]) / TARGET
    for part in PARTS:
        src, dest = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        elif not dest.exists() or dest.stat().st_size != src.stat().st_size:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    license_file = source.parent / "LICENSE"
    if license_file.exists():
        shutil.copy2(license_file, target / "LICENSE")
