"""The API reference (docs/*/api.md): every public module of companion has its section, in both
languages, and the built pages show each one (mkdocstrings renders them from the docstrings);
every public function, method and class documents its arguments, what it returns and what it
raises, as Keras documents its own (Args / Returns / Raises)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "companion"
LANGS = ("zh", "en")
DIRECTIVE = re.compile(r"^::: (companion(?:\.\w+)*)\s*$", re.M)


def listed(lang: str) -> list[str]:
    return DIRECTIVE.findall((ROOT / "docs" / lang / "api.md").read_text(encoding="utf-8"))


def public_files() -> dict[str, Path]:
    """Each public module of companion (no part of its name starts with ``_``) and its file."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("companion", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            modules[".".join(parts)] = path
    return modules


def public_modules() -> list[str]:
    return list(public_files())


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

    absent = [name for name in public_modules() if name != "companion" and not covered(name)]
    assert not absent, f"public modules with no section in docs/*/api.md: {absent}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_built_page_documents_every_listed_module(built_site, lang):
    page = built_site / ("" if lang == LANGS[0] else lang) / "api" / "index.html"
    html = page.read_text(encoding="utf-8")
    absent = [name for name in listed(lang) if f'id="{name}"' not in html]
    assert not absent, f"{page} has no section for {absent}"
    # A signature, rendered apart from its heading (separate_signature in mkdocs.yml).
    assert "doc-signature" in html


# --- docstrings: Args / Returns / Raises ------------------------------------------------------


#: Methods that Keras calls on its layers, optimizers and schedules: Keras documents them on its
#: base classes, and the reference shows them under those.
KERAS_HOOKS = {"build", "call", "compute_output_shape", "get_config", "from_config", "update_step"}


def _own_nodes(function):
    """The nodes of ``function``'s body, without those of the functions and classes inside it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _is_property(function) -> bool:
    names = {getattr(d, "id", None) or getattr(d, "attr", None) for d in function.decorator_list}
    return bool(names & {"property", "cached_property", "setter"})


def _missing_sections(function, extra_doc: str = "") -> list[str]:
    """The sections ``function``'s docstring lacks: Args where it takes arguments, Returns where
    it returns a value (not for properties, whose docstring says what they are), Raises where
    it raises."""
    doc = (ast.get_docstring(function) or "") + extra_doc
    if not doc:
        return ["docstring"]
    arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
    arguments += [a for a in (function.args.vararg, function.args.kwarg) if a]
    needs = {
        "Args:": any(a.arg not in ("self", "cls") for a in arguments),
        "Returns:": not _is_property(function)
        and function.name != "__init__"
        and any(isinstance(n, ast.Return) and n.value is not None for n in _own_nodes(function)),
        "Raises:": any(isinstance(n, ast.Raise) and n.exc for n in _own_nodes(function)),
    }
    return [section for section, needed in needs.items() if needed and section not in doc]


ITEM = re.compile(r"^\*{0,2}[\w.]+(\s*\(.*\))?:(\s|$)")  # "name: ...", "name (type): ..."
SECTIONS = ("Args:", "Raises:", "Returns:", "Yields:")


def _misread_lines(doc: str) -> list[str]:
    """Lines of ``doc`` that mkdocstrings would misread: in Args / Raises, a line at an item's
    indent that is no ``name: description``; in Returns / Yields, a second line at the first
    one's indent (it would show as a second returned value; continue a line indented deeper)."""
    misread, section, base = [], None, None
    for line in doc.splitlines():
        indent, text = len(line) - len(line.lstrip()), line.strip()
        if not text or indent == 0:
            section, base = (text, None) if text in SECTIONS else (None, None)
            continue
        if section is None:
            continue
        first, base = base is None, indent if base is None else base
        one_value = section in ("Returns:", "Yields:")
        if indent == base and (not first if one_value else not ITEM.match(text)):
            misread.append(f"{section} {text[:60]}")
    return misread


def _problems(where: str, node, missing: list[str]) -> list[str]:
    """``missing`` sections and ``node``'s misread docstring lines, named at ``where``."""
    misread = _misread_lines(ast.get_docstring(node) or "")
    return [f"{where}: no {s}" for s in missing] + [f"{where}: misread line: {m}" for m in misread]


def undocumented() -> list[str]:
    """Every public function, method and class of companion that lacks a section it needs."""
    found = []
    for path in public_files().values():
        file = path.relative_to(ROOT)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name[0] == "_":
                continue
            where = f"{file}:{node.lineno} {node.name}"
            if isinstance(node, ast.FunctionDef):
                found += _problems(where, node, _missing_sections(node))
                continue
            class_doc = ast.get_docstring(node) or ""
            found += _problems(where, node, [] if class_doc else ["docstring"])
            for method in node.body:
                if not isinstance(method, ast.FunctionDef):
                    continue
                if method.name == "__init__":  # its arguments: in the class's docstring or its own
                    missing = _missing_sections(method, class_doc)
                elif method.name[0] != "_" and method.name not in KERAS_HOOKS:
                    missing = _missing_sections(method)
                else:
                    continue
                found += _problems(
                    f"{file}:{method.lineno} {node.name}.{method.name}", method, missing
                )
    return found


def test_every_public_object_says_its_args_returns_and_raises():
    missing = undocumented()
    assert not missing, (
        "public functions, methods and classes of companion without the docstring sections "
        "the API reference shows (write them as the others in the package do):\n"
        + "\n".join(missing)
    )


def test_the_docstring_check_finds_a_missing_section():
    """The check above, on small examples: each missing section is named, none is invented."""
    source = """
def plain(x):
    \"\"\"Args:
        x: a number.\"\"\"
    if x < 0:
        raise ValueError(x)
    return x
"""
    function = ast.parse(source).body[0]
    assert _missing_sections(function) == ["Returns:", "Raises:"]
    nested = ast.parse("def f():\n    'Nothing.'\n    def g():\n        return 1\n").body[0]
    assert _missing_sections(nested) == []

    # a wrapped Returns line indented as deep as the first reads as a second returned value
    wrapped = "Sum.\n\nReturns:\n    The sum of ``a``\n    and ``b``.\n"
    assert _misread_lines(wrapped) == ["Returns: and ``b``."]
    assert _misread_lines(wrapped.replace("    and", "        and")) == []
    assert _misread_lines("Raises:\n    KeyError, ValueError: bad.\n") == [
        "Raises: KeyError, ValueError: bad."
    ]
