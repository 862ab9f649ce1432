"""The ``--8<--`` lines of the pages: one reader for the notebooks and the tests.

A page includes a file with a line ``--8<-- "results/05-resnet.zh.md"`` (looked up under
``includes/``) and shows a part of the package's source with ``--8<-- "companion/module.py:name"``
(looked up under ``src/``): the lines between the module's ``# --8<-- [start:name]`` and
``# --8<-- [end:name]`` markers, dedented. That is what pymdownx.snippets does on the site
(mkdocs.yml: ``base_path``, ``dedent_subsections``); the notebooks (:mod:`book.hooks.notebooks`)
and the tests read the lines with the functions here, so that all three agree.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

#: A whole line ``--8<-- "spec"``, at any indentation (inside an admonition, say).
SNIPPET = re.compile(r'^([ \t]*)--8<-- "([^"]+)"[ \t]*$', re.M)
#: A section marker in a module, as pymdownx.snippets reads it: ``# --8<-- [start:name]``.
SECTION_MARKER = re.compile(
    r"-{1,}8<-{1,}[ \t]+\[[ \t]*(start|end)[ \t]*:[ \t]*([a-z][-_0-9a-z]*)[ \t]*\]", re.I
)
SECTION_SUFFIX = re.compile(r"^(.+):([a-z][-_0-9a-z]*)$", re.I)


def snippet_bases(includes: Path) -> list[Path]:
    """Where ``--8<--`` paths are looked up, in order: as mkdocs.yml's snippets ``base_path``.

    Args:
        includes: the repository's ``includes/`` folder.

    Returns:
        ``includes/`` and the ``src/`` beside it.
    """
    return [includes, includes.parent / "src"]


def specs(text: str) -> list[str]:
    """The spec of every ``--8<--`` line of ``text``, in order (``"companion/x.py:name"``)."""
    return [match.group(2) for match in SNIPPET.finditer(text)]


def split_spec(spec: str) -> tuple[str, str | None]:
    """A spec's file and section: ``("companion/x.py", "name")``, or ``(path, None)``."""
    section = SECTION_SUFFIX.match(spec)
    return (section.group(1), section.group(2)) if section else (spec, None)


def section_lines(lines: list[str], name: str) -> list[str]:
    """The lines between ``[start:name]`` and ``[end:name]`` markers, other markers dropped.

    Raises:
        LookupError: when the section is missing or never ends.
    """
    found, inside = [], None
    for line in lines:
        marker = SECTION_MARKER.search(line)
        if marker and marker.group(2) == name:
            if marker.group(1).lower() == "start" and inside is None:
                inside = True
            elif marker.group(1).lower() == "end" and inside:
                return found
            continue
        if marker:
            continue  # another section's marker, inside or around ours
        if inside:
            found.append(line)
    raise LookupError(f"section {name!r} {'has no end marker' if inside else 'not found'}")


def read_snippet(spec: str, bases: list[Path]) -> str:
    """The text that ``--8<-- "spec"`` stands for: a whole file, or ``file:section`` of it.

    Sections are dedented (mkdocs.yml: ``dedent_subsections``), as the site shows them.

    Args:
        spec: what the quotes hold, e.g. ``"companion/filters/ascent.py:ascent"``.
        bases: the folders to look in, in order (:func:`snippet_bases`).

    Raises:
        FileNotFoundError: when no base holds the file.
        LookupError: when the file has no such section (or it never ends).
    """
    path, name = split_spec(spec)
    for base in bases:
        if (base / path).is_file():
            text = (base / path).read_text(encoding="utf-8")
            break
    else:
        raise FileNotFoundError(
            f"--8<-- {spec!r}: no file {path} under {', '.join(map(str, bases))}"
        )
    if name is None:
        return text
    try:
        lines = section_lines(text.splitlines(), name)
    except LookupError as error:
        raise LookupError(f"--8<-- {spec!r}: in {path}, {error}") from None
    return textwrap.dedent("\n".join(lines)).strip("\n") + "\n"


def _indented(text: str, indent: str) -> str:
    """An included text at the indentation of its ``--8<--`` line (e.g. inside an admonition)."""
    return "\n".join(
        indent + line if line.strip() else line for line in text.rstrip("\n").split("\n")
    )


def expand(text: str, bases: list[Path], *, nested: bool = False, missing: str | None = None):
    """``text`` with every ``--8<--`` line replaced by what it includes, at its indentation.

    Args:
        text: a page, or an included file.
        bases: the folders to look in (:func:`snippet_bases`).
        nested: expand the ``--8<--`` lines of the included texts too, as the site does.
        missing: what stands for a file that no base holds; ``None`` raises.

    Returns:
        The expanded text.

    Raises:
        FileNotFoundError, LookupError: as :func:`read_snippet` (``missing=None``).
    """

    def include(match):
        try:
            found = read_snippet(match.group(2), bases)
        except FileNotFoundError:
            if missing is None:
                raise
            return missing
        if nested:
            found = expand(found, bases, nested=True, missing=missing)
        return _indented(found, match.group(1))

    return SNIPPET.sub(include, text)
