"""MkDocs hook: the site ships its own MathJax and ONNX Runtime Web, copied from npm at build time.

Nothing the pages run comes from another host. The packages come from the npm registry at
the exact versions that ``package-lock.json`` pins (``npm ci``, which ``make`` runs) and are
copied from ``node_modules/`` into the built site under ``assets/vendor/<package>/`` after
each build. Nothing of them is committed.

Only what the pages use is copied:

* MathJax (about 2 MB, not the package's 24 MB): formulas (``pymdownx.arithmatex``) render
  with no network. The TeX/MathML to HTML-CSS component, its web fonts and the TeX
  extensions it may load on demand; ``mkdocs.yml`` loads it (``extra_javascript``). The
  speech and explorer parts (``sre``, ``a11y``), which a reader can switch on in MathJax's
  context menu, are left out; screen readers still get MathML (the component's assistive-mml).
* ONNX Runtime Web (about 14 MB of the package's 139 MB): the book's own models run in the
  reader's browser (chapters 02 and 05, ``assets/js/onnx-model.js``). Its WebAssembly-only
  bundle and the one WebAssembly build it loads. The page runs it on one thread, which needs
  no cross-origin isolation (a plain static host serves it); the WebGPU and WebNN builds
  are left out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

# npm package -> (its folder holding the parts, the parts the site needs, where they go).
VENDORED = {
    "mathjax": (
        "es5",
        ["tex-mml-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions"],
        "assets/vendor/mathjax",
    ),
    "onnxruntime-web": (
        "dist",
        ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"],
        "assets/vendor/onnxruntime-web",
    ),
}


def _root(config) -> Path:
    return Path(config["config_file_path"]).resolve().parent


def package_source(root: Path, package: str) -> Path:
    """The package's folder in ``node_modules`` at the pinned version (package-lock.json)."""
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    wanted = lock["packages"][f"node_modules/{package}"]["version"]
    installed = root / "node_modules" / package / "package.json"
    found = (
        json.loads(installed.read_text(encoding="utf-8"))["version"] if installed.exists() else None
    )
    if found != wanted:
        state = (
            "is not installed" if found is None else f"is {found}, package-lock.json pins {wanted}"
        )
        raise PluginError(
            f"The npm package {package!r} {state} in {root / 'node_modules'}. "
            "Run `npm ci` in the repository (make build / make serve / make test do it)."
        )
    return root / "node_modules" / package


def on_config(config, **kwargs):
    for package in VENDORED:  # fail at once, not after the whole build
        package_source(_root(config), package)
    return config


def on_post_build(config, **kwargs):
    # Runs once per language build (mkdocs-static-i18n); every language shares the site root's
    # assets/, so the copy is the same each time and skipped when already there.
    for package, (folder, parts, target_dir) in VENDORED.items():
        package_dir = package_source(_root(config), package)
        target = Path(config["site_dir"]) / target_dir
        for part in parts:
            src, dest = package_dir / folder / part, target / part
            if not src.exists():
                raise PluginError(
                    f"{src} is missing: has the npm package {package!r} changed its layout?"
                )
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            elif not dest.exists() or dest.stat().st_size != src.stat().st_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
        license_file = package_dir / "LICENSE"
        if license_file.exists():
            shutil.copy2(license_file, target / "LICENSE")
