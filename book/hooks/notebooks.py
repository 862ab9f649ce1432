"""MkDocs hook: every chapter becomes a notebook, generated at build time.

Before the build (``on_pre_build``) each chapter ``docs/<lang>/NN-slug.md`` is turned
into ``docs/<lang>/notebooks/NN-slug.ipynb`` (git-ignored, rewritten only when it
changes, so ``mkdocs serve`` does not loop); mkdocs-jupyter renders it and offers it
for download. Each chapter page gets a bar of links: download the notebook, read it
rendered, open it in Colab. The built site holds the file at
``[<lang>/]notebooks/NN-slug/NN-slug.ipynb`` (:func:`notebook_path`); the download link is
relative to the page, the Colab link reads the same path from the gh-pages branch, in the
repository of mkdocs.yml's ``repo_url`` (:func:`colab_url`). A notebook opens with a cell that
installs the package release, or the exact commit, the site was built from (:func:`release_spec`).

A chapter whose front matter says ``notebook: false`` (the "coming soon" pages) gets
neither. The conversion itself is :func:`chapter_to_notebook`, which the tests import; the
included files and listings are expanded by :mod:`book.hooks.snippets`, the cells' words come
from :mod:`book.vocabulary`. Fixes to the rendered pages are :mod:`book.hooks.pages`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

if __package__ != "book.hooks":  # loaded by MkDocs from its path (book/hooks/__init__.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from book.hooks import snippets  # noqa: E402
from book.vocabulary import LANGS, word  # noqa: E402

CHAPTER = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
# A part of a page that only works on the site (a live widget and its script), between
# <!-- web-only --> and <!-- /web-only -->: a notebook leaves it out.
WEB_ONLY = re.compile(r"<!-- web-only -->.*?<!-- /web-only -->\n?", re.S)
RELATIVE_ASSET = re.compile(r"\]\((?:\.\./)+assets/")
# An admonition (!!! note "Title" / ??? note) and its indented body, which Jupyter cannot render.
ADMONITION = re.compile(
    r"^(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)"  # the marker and the kind
    r'(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?[ \t]*\n'  # an optional "title"
    r"((?:(?:[ ]{4}.*)?\n)*)",  # the indented body
    re.M,
)
# A code block the tests skip because it needs a download a reader must make (ImageNet weights),
# marked for pytest-codeblocks just above its fence: <!--pytest.mark.skip(reason="...")-->.
SKIP_MARKER = re.compile(
    r"^[ \t]*<!--[-\s]*pytest\.mark\.skip\(reason=([\"'])(.+?)\1\)[-\s]*-->\n"
    r"([ \t]*```python)[ \t]*\n",
    re.M,
)
PAGE_LINK = re.compile(r"\]\((?!https?:)([a-z0-9-]+)\.md(#[^)]*)?\)")

INSTALL_TAG = "install"
# A code cell that needs a download the reader must make (a block the tests skip, with its reason):
# tagged, and announced by a Markdown cell just before it. tests/test_journey.py skips such cells.
DOWNLOAD_TAG = "needs-download"
# Written in a page where the repository's address belongs (e.g. `git clone {{ repo_url }}`):
# mkdocs.yml's repo_url is the one place that names the repository.
REPO_URL_PLACEHOLDER = "{{ repo_url }}"


def distribution_name(root: Path) -> str:
    """The name readers `pip install`: pyproject.toml's [project] name (imported as `companion`)."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    project = text[text.index("[project]") :]
    return re.search(r'^name\s*=\s*"([^"]+)"', project, re.M).group(1)


def _git(root: Path, *args: str) -> str | None:
    import subprocess

    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def release_spec(root: Path, repo_url: str) -> dict:
    """What a notebook built from this checkout installs: the release, never a moving branch.

    A build of a version tag (``v1.2.0``, as the release workflow makes them) installs that
    release from PyPI; any other build installs the exact commit it was built from, from the
    repository; without git (a source archive), the latest release.
    """
    dist = distribution_name(root)
    tag = _git(root, "describe", "--tags", "--exact-match", "--match", "v[0-9]*", "HEAD")
    if tag:
        version = tag[1:]
        return {"kind": "release", "version": version, "spec": f"{dist}[tf]=={version}"}
    commit = _git(root, "rev-parse", "HEAD")
    if commit and repo_url:
        return {
            "kind": "commit",
            "commit": commit[:12],
            "spec": f"{dist}[tf] @ git+{repo_url.rstrip('/')}@{commit}",
        }
    return {"kind": "unpinned", "spec": f"{dist}[tf]"}


def colab_url(repo_url: str, notebook_path: str) -> str:
    """Colab's address for a notebook of the deployed site (the gh-pages branch holds the site)."""
    repo = repo_url.rstrip("/").removeprefix("https://github.com/")
    if repo == repo_url.rstrip("/"):
        raise ValueError(
            f"repo_url must be a GitHub repository for the Colab links, not {repo_url!r}"
        )
    return f"https://colab.research.google.com/github/{repo}/blob/gh-pages/{notebook_path}"


def notebook_path(lang: str, stem: str) -> str:
    """Where the built site keeps a chapter's notebook (mkdocs-jupyter puts it by its page)."""
    return ("" if lang == LANGS[0] else f"{lang}/") + f"notebooks/{stem}/{stem}.ipynb"


def front_matter(text: str) -> dict:
    import yaml

    match = FRONT_MATTER.match(text)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def wants_notebook(path: Path) -> bool:
    return bool(CHAPTER.match(path.name)) and front_matter(path.read_text(encoding="utf-8")).get(
        "notebook", True
    )


def admonition_to_quote(match) -> str:
    """An admonition as a Markdown block quote with a bold title, which notebooks show."""
    kind, title, body = match.group(1), match.group(2), match.group(3).rstrip("\n")
    if title is not None:
        title = title.replace('\\"', '"')  # MkDocs titles escape their inner quotes
    lines = [line[4:] if line.startswith("    ") else line for line in body.split("\n")]
    quoted = "\n".join("> " + line if line.strip() else ">" for line in lines)
    return f"> **{title if title is not None else kind.capitalize()}**\n>\n{quoted}\n\n"


def chapter_to_notebook(
    text: str,
    lang: str,
    includes: Path,
    site_url: str = "",
    repo_url: str = "",
    release: dict | None = None,
):
    """Convert a chapter's Markdown into an nbformat v4 notebook.

    Python fences become code cells, everything else Markdown cells; testing
    markers are dropped, included snippets expanded and asset links made absolute.
    A listing (``~~~python title=...``, a section of the package's source) stays a
    Markdown cell: it is there to be read, and the notebook imports the same code.
    A block the tests skip for a download (``<!--pytest.mark.skip(reason="...")-->``) becomes
    a code cell tagged ``needs-download``, after a Markdown cell that gives the reason.
    """
    import jupytext
    import nbformat

    body = FRONT_MATTER.sub("", text, count=1)
    body = WEB_ONLY.sub("", body)
    reasons = []  # of the blocks the tests skip, in order

    def tag_skipped(match):
        reasons.append(match.group(2))
        return f'{match.group(3)} tags=["{DOWNLOAD_TAG}"]\n'

    body = SKIP_MARKER.sub(tag_skipped, body)
    body = HTML_COMMENT.sub("", body)
    # Before the admonitions: an included file may sit inside one.
    body = snippets.expand(body, snippets.snippet_bases(includes), nested=True)
    body = ADMONITION.sub(admonition_to_quote, body)
    prefix = site_url.rstrip("/") + "/" if site_url else "../"
    body = RELATIVE_ASSET.sub(f"]({prefix}assets/", body)
    # Links to other pages point at the published site, so they work in Jupyter and Colab.
    lang_prefix = "" if lang == LANGS[0] else f"{lang}/"
    body = PAGE_LINK.sub(lambda m: f"]({prefix}{lang_prefix}{m.group(1)}/{m.group(2) or ''})", body)
    body = body.replace(REPO_URL_PLACEHOLDER, repo_url.rstrip("/"))
    notebook = jupytext.reads(body, fmt="md")
    release = release or {"kind": "unpinned", "spec": distribution_name(includes.parent) + "[tf]"}
    what = word(f"notebook_install_{release['kind']}", lang).format(**release)
    note = word("notebook_install_note", lang).format(
        dist=distribution_name(includes.parent), what=what
    )
    install = nbformat.v4.new_code_cell(
        f'%pip install "{release["spec"]}"', metadata={"tags": [INSTALL_TAG]}
    )
    cells, pending = [], iter(reasons)
    for cell in notebook.cells:
        if DOWNLOAD_TAG in cell.metadata.get("tags", []):
            reason = next(pending, None)
            if reason is None:
                raise ValueError(f"a cell tagged {DOWNLOAD_TAG!r} with no skip marker")
            needs = word("notebook_needs_download", lang).format(reason=reason)
            cells.append(nbformat.v4.new_markdown_cell(needs))
        cells.append(cell)
    if next(pending, None) is not None:
        raise ValueError("a skip marker that no code cell took: put it right above ```python")
    notebook.cells = cells
    notebook.cells[0:0] = [nbformat.v4.new_markdown_cell(note), install]
    # Ids by position, not random ones: the same chapter gives the same notebook file, so that
    # a rebuild (mkdocs serve) does not rewrite it and set off another rebuild.
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def on_pre_build(config, **kwargs):
    import nbformat

    docs = Path(config["docs_dir"])
    root = Path(config["config_file_path"]).parent
    includes = root / "includes"
    repo_url = config.get("repo_url") or ""
    release = release_spec(root, repo_url)
    for lang in LANGS:
        for md in sorted((docs / lang).glob("*.md")):
            if wants_notebook(md):
                nb = chapter_to_notebook(
                    md.read_text(encoding="utf-8"),
                    lang,
                    includes,
                    config.get("site_url") or "",
                    repo_url,
                    release,
                )
                _write_if_changed(
                    docs / lang / "notebooks" / f"{md.stem}.ipynb", nbformat.writes(nb) + "\n"
                )


@event_priority(-200)  # after mkdocs-static-i18n (-100), which re-creates every File
def on_files(files, config, **kwargs):
    """Let mkdocs-jupyter render the generated notebooks under the i18n plugin.

    The i18n plugin replaces mkdocs-jupyter's notebook files with plain ones; wrap them
    again, keeping the language-specific destination the i18n plugin chose.
    """
    from mkdocs_jupyter.plugin import NotebookFile

    for file in list(files):
        if (
            file.src_uri.endswith(".ipynb")
            and "/notebooks/" in file.src_uri
            and not isinstance(file, NotebookFile)
        ):
            dest = file.dest_uri
            if dest.endswith(".ipynb"):
                dest = dest[: -len(".ipynb")] + "/index.html"
            notebook = NotebookFile(
                file, use_directory_urls=config["use_directory_urls"], site_dir=config["site_dir"]
            )
            notebook.dest_path = dest
            notebook.abs_dest_path = str(Path(config["site_dir"]) / dest)
            notebook.url = dest[: -len("index.html")]
            files.remove(file)
            files.append(notebook)
    # The link checker (htmlproofer) keeps the files it saw before i18n re-created them;
    # hand it the final ones, so that it resolves links to where pages are really built.
    proofer = config["plugins"].get("htmlproofer")
    if proofer is not None:
        proofer.files = list(files)
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    markdown = markdown.replace(REPO_URL_PLACEHOLDER, (config.get("repo_url") or "").rstrip("/"))
    src = Path(page.file.src_uri)
    if not CHAPTER.match(src.name) or page.meta.get("notebook") is False:
        return markdown
    lang = src.parts[0] if src.parts[0] in LANGS else "zh"
    links = word("notebook_links", lang).format(
        # mkdocs-jupyter renders the notebook as a page and copies the file beside it.
        nb=f"../notebooks/{src.stem}/{src.stem}.ipynb",
        page=f"notebooks/{src.stem}.ipynb",
        colab=colab_url(config.get("repo_url") or "", notebook_path(lang, src.stem)),
    )
    # After the first heading, so the page still opens with its title.
    return re.sub(
        r"^(# .+\n)", lambda m: m.group(1) + "\n" + links + "\n", markdown, count=1, flags=re.M
    )
