"""The API reference (docs/*/api.md): every public module of companion has its section, in both
languages, and the built pages show each one (mkdocstrings renders them from the docstrings)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "companion"
LANGS = ("zh", "en")
DIRECTIVE = re.compile(r"^::: (companion(?:\.\w+)*)\s*$", re.M)

# The book's build, on its way out of the package (issue 25): no section for these.
NOT_IN_THE_REFERENCE = {
    "companion.architecture",
    "companion.export",
    "companion.machine",
    "companion.recipes",
    "companion.results",
    "companion.sprite",
    "companion.visualize_training",
}


def listed(lang: str) -> list[str]:
    return DIRECTIVE.findall((ROOT / "docs" / lang / "api.md").read_text(encoding="utf-8"))


def public_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("companion", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return names


def test_both_languages_list_the_same_modules_once_each():
    zh, en = listed("zh"), listed("en")
    assert zh == en, "docs/zh/api.md and docs/en/api.md list different modules (or orders)"
    assert len(set(en)) == len(en), f"a module is listed twice: {en}"


def test_every_listed_module_exists():
    public = set(public_modules())
    missing = [name for name in listed("en") if name not in public]
    assert not missing, f"docs/*/api.md lists modules that are not in src/companion: {missing}"


def test_every_public_module_has_a_section():
    """A module is covered when it is listed, when its package is (a package listed whole shows
    what it exports, as companion.augment does), or when modules inside it are (companion.data
    is shown module by module)."""
    shown = listed("en")

    def covered(name: str) -> bool:
        return any(
            name == other or name.startswith(other + ".") or other.startswith(name + ".")
            for other in shown
        )

    absent = [
        name
        for name in public_modules()
        if name != "companion" and name not in NOT_IN_THE_REFERENCE and not covered(name)
    ]
    assert not absent, f"public modules with no section in docs/*/api.md: {absent}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_built_page_documents_every_listed_module(built_site, lang):
    page = built_site / ("" if lang == LANGS[0] else lang) / "api" / "index.html"
    html = page.read_text(encoding="utf-8")
    absent = [name for name in listed(lang) if f'id="{name}"' not in html]
    assert not absent, f"{page} has no section for {absent}"
    # A signature, rendered apart from its heading (separate_signature in mkdocs.yml).
    assert "doc-signature" in html
