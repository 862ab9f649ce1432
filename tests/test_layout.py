"""Two products, two homes (issue 25): ``companion`` is what a reader imports, ``book/`` builds.

* ``companion`` (src/companion, the wheel) never imports ``book`` (the build, never installed);
* every module of ``companion`` is used by the chapters: reached from the imports of the pages'
  code blocks and from their listings (``--8<-- "companion/..."``), both languages, following
  ``companion``'s own imports (a package's ``__init__`` runs when anything in it is imported;
  imports inside functions count); and no chapter code block imports ``book``;
* no module of ``companion`` is over ``MAX_LINES`` lines, except today's, which may not grow.

The analysis as a table (each module, its lines, the page or module that reaches it)::

    python tests/test_layout.py
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "companion"
#: Where the chapters' code lies: the pages of both languages and the parts they include.
PAGES = (ROOT / "docs" / "zh", ROOT / "docs" / "en", ROOT / "includes")
FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})\s*([^\s`]*)")

#: Modules that no chapter's code reaches, on purpose, and why. An entry that a chapter
#: reaches after all fails the test (take it off the list).
NOT_FROM_THE_CHAPTERS = {
    # The `companion` command (pyproject.toml, [project.scripts]) and `python -m companion`:
    # readers type `companion info` / `companion fetch mnist` in a shell, not in Python.
    "companion.__main__": "python -m companion",
    "companion.cli": "the companion command (companion info, companion fetch)",
}

#: One idea per module, short enough to read in one sitting.
MAX_LINES = 300
#: The modules over MAX_LINES when the limit came (issue 25), at their line counts then. They
#: may not grow, and they are to be split: when one shrinks, lower its number here to what it
#: has now (the test says so); when it is within MAX_LINES, take it off the list.
OVERSIZE = {}


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (``companion.data`` for an
    ``__init__.py``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(tree: ast.AST, module: str = "", is_package: bool = False) -> set[str]:
    """Every dotted name an import of ``tree`` names (``from a import b`` names ``a`` and
    ``a.b``: ``b`` may be a submodule), relative imports resolved against ``module``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base.pop()
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def loaded(name: str, known: dict[str, Path]) -> list[str]:
    """The package's modules that importing ``name`` runs: each package on the way, itself."""
    parts = name.split(".")
    return [m for m in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if m in known]


def python_blocks(path: Path):
    """(line number, code) of each fenced ``python`` block of a Markdown file, dedented."""
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if current is None:
            match = FENCE_OPEN.match(stripped)
            if match:
                current = (match.group(1), match.group(2), number, [])
        elif stripped == current[0]:
            if current[1] in ("python", "py"):
                yield current[2], textwrap.dedent("\n".join(current[3]))
            current = None
        else:
            current[3].append(line)


def chapter_imports() -> tuple[dict[str, set[str]], list[str]]:
    """What the pages import or show: dotted name -> pages; and the problems found (a code
    block that does not parse, a code block that imports ``book``)."""
    from book.hooks.snippets import specs, split_spec  # the build's one --8<-- reader

    names: dict[str, set[str]] = {}
    problems = []
    for folder in PAGES:
        for page in sorted(folder.rglob("*.md")):
            where = page.relative_to(ROOT).as_posix()
            for spec in specs(page.read_text(encoding="utf-8")):  # the package's listings
                path = split_spec(spec)[0]
                if path.startswith("companion/") and path.endswith(".py"):
                    name = path.removesuffix(".py").replace("/", ".")
                    names.setdefault(name.removesuffix(".__init__"), set()).add(where)
            for number, code in python_blocks(page):
                try:
                    tree = ast.parse(code)
                except SyntaxError as exc:
                    problems.append(f"{where}:{number}: the block does not parse: {exc}")
                    continue
                for name in imported(tree):
                    if name.split(".")[0] == "companion":
                        names.setdefault(name, set()).add(where)
                    elif name.split(".")[0] == "book":
                        problems.append(f"{where}:{number}: imports {name} (not in the wheel)")
    return names, problems


def reached() -> dict[str, str]:
    """Each module the chapters reach -> how: the first page that imports or shows it, or
    ``via <module>`` that imports it."""
    known = modules()
    how: dict[str, str] = {}
    queue = []
    for name, pages in sorted(chapter_imports()[0].items()):
        for module in loaded(name, known):
            if module not in how:
                how[module] = sorted(pages)[0]
                queue.append(module)
    while queue:
        module = queue.pop(0)
        path = known[module]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in sorted(imported(tree, module, path.name == "__init__.py")):
            for other in loaded(name, known):
                if other not in how:
                    how[other] = f"via {module}"
                    queue.append(other)
    return how


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_companion_never_imports_the_book():
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{name}: import {n}" for n in imported(tree) if n.split(".")[0] == "book"]
        # importlib.import_module("book...") / __import__("book...")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                function = getattr(node.func, "attr", getattr(node.func, "id", ""))
                target = str(node.args[0].value)
                if function in ("import_module", "__import__") and target.split(".")[0] == "book":
                    found.append(f"{name}:{node.lineno}: {function}({target!r})")
    assert not found, f"companion (the wheel) imports the book's build: {found}"


def test_the_chapters_code_parses_and_never_imports_the_book():
    names, problems = chapter_imports()
    assert not problems, problems
    # the analysis sees the chapters: a broken parser would find nothing and pass everything
    assert "companion.data" in names and any(n.startswith("companion.models") for n in names)


def test_every_module_of_companion_is_used_by_the_chapters():
    how = reached()
    unused = sorted(set(modules()) - set(how) - set(NOT_FROM_THE_CHAPTERS))
    assert not unused, (
        f"modules of companion that no chapter's code reaches: {unused}. Move what only the "
        "build uses into book/, or list the module in NOT_FROM_THE_CHAPTERS with the reason."
    )
    stale = {name: how[name] for name in NOT_FROM_THE_CHAPTERS if name in how}
    assert not stale, f"listed as unused but the chapters reach them (take them off): {stale}"
    missing = sorted(set(NOT_FROM_THE_CHAPTERS) - set(modules()))
    assert not missing, f"NOT_FROM_THE_CHAPTERS names modules that do not exist: {missing}"


def test_no_module_of_companion_is_long():
    problems = []
    for path in modules().values():
        name = path.relative_to(PACKAGE).as_posix()
        lines, allowed = line_count(path), OVERSIZE.get(name)
        if allowed is None:
            if lines > MAX_LINES:
                problems.append(f"{name}: {lines} lines, over {MAX_LINES}: split it")
        elif lines > allowed:
            problems.append(f"{name}: {lines} lines, grew from {allowed}: split it, not grow it")
        elif lines <= MAX_LINES:
            problems.append(f"{name}: {lines} lines, within {MAX_LINES}: take it off OVERSIZE")
        elif lines < allowed:
            problems.append(f"{name}: {lines} lines: lower its OVERSIZE entry from {allowed}")
    missing = sorted(name for name in OVERSIZE if not (PACKAGE / name).exists())
    problems += [f"OVERSIZE names {name}, which does not exist" for name in missing]
    assert not problems, problems


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # for book.hooks.snippets, as pytest's rootdir gives it
    how = reached()
    for name, path in modules().items():
        note = how.get(name) or f"NOT REACHED ({NOT_FROM_THE_CHAPTERS.get(name, 'unlisted')})"
        print(f"{line_count(path):5}  {name:35} {note}")
    sys.exit(0)
