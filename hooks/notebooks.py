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
neither. The conversion itself is :func:`chapter_to_notebook`, which the tests import.

It also mends what a reader would otherwise see go wrong in the rendered pages: wrapped
Chinese lines showing as spaces (:func:`join_cjk_lines`), a rendered notebook's table of
contents missing its Chinese headings, and two failed requests per page for a sitemap that
Material looks for beside each language alternate (:func:`on_post_page`).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority

CHAPTER = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
# A part of a page that only works on the site (a live widget and its script), between
# <!-- web-only --> and <!-- /web-only -->: a notebook leaves it out.
WEB_ONLY = re.compile(r"<!-- web-only -->.*?<!-- /web-only -->\n?", re.S)
SNIPPET = re.compile(r'^([ \t]*)--8<-- "([^"]+)"[ \t]*$', re.M)
# A section marker in a module, as pymdownx.snippets reads it: # --8<-- [start:name]
SECTION_MARKER = re.compile(
    r"-{1,}8<-{1,}[ \t]+\[[ \t]*(start|end)[ \t]*:[ \t]*([a-z][-_0-9a-z]*)[ \t]*\]", re.I
)
SECTION_SUFFIX = re.compile(r"^(.+):([a-z][-_0-9a-z]*)$", re.I)
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
LANGS = ("zh", "en")

LINKS = {
    "zh": '<a href="{nb}" download>:material-download: 下载 Notebook</a> · '
    "[:material-notebook: 在线阅读 Notebook]({page}) · "
    "[:simple-googlecolab: 在 Colab 中打开]({colab})",
    "en": '<a href="{nb}" download>:material-download: Download the notebook</a> · '
    "[:material-notebook: Read it as a notebook]({page}) · "
    "[:simple-googlecolab: Open in Colab]({colab})",
}
# The notebook's first two cells: what to install and why (Markdown), then the install itself
# (a code cell tagged "install", which Jupyter and Colab run with the rest). The distribution
# is named in pyproject.toml; the version (or commit) is the one the site was built from.
INSTALL_NOTE = {
    "zh": "运行本 notebook 之前，先安装本书的配套包（见“安装”一章）。它在 PyPI 上叫 `{dist}`，"
    "导入时的名字是 `companion`。下面的单元格安装构建这本 notebook 的那个版本（{what}）：",
    "en": "Before running this notebook, install the book's package (see the Install page). "
    "On PyPI it is called `{dist}`; you import it as `companion`. The cell below installs the "
    "very version this notebook was built with ({what}):",
}
INSTALL_WHAT = {
    "zh": {
        "release": "发布版 {version}",
        "commit": "代码仓库的提交 {commit}",
        "unpinned": "最新发布版",
    },
    "en": {
        "release": "release {version}",
        "commit": "repository commit {commit}",
        "unpinned": "the latest release",
    },
}


INSTALL_TAG = "install"
# A code cell that needs a download the reader must make (a block the tests skip, with its reason):
# tagged, and announced by a Markdown cell just before it. tests/test_journey.py skips such cells.
DOWNLOAD_TAG = "needs-download"
DOWNLOAD_NOTE = {
    "zh": "> **需要下载。** 本书的测试跳过下一个单元格（“{reason}”）：它第一次运行时要从网上下载"
    "文件。notebook 的其余部分不依赖它。",
    "en": '> **Needs a download.** The book\'s tests skip the next cell ("{reason}"): it '
    "fetches files from the internet the first time it runs. The rest of the notebook does not "
    "depend on it.",
}
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


def snippet_bases(includes: Path) -> list[Path]:
    """Where ``--8<--`` paths are looked up, in order: as mkdocs.yml's snippets ``base_path``."""
    return [includes, includes.parent / "src"]


def section_lines(lines: list[str], name: str) -> list[str]:
    """The lines between ``[start:name]`` and ``[end:name]`` markers, other markers dropped.

    A ``LookupError`` when the section is missing or never ends.
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
    """
    import textwrap

    section = SECTION_SUFFIX.match(spec)
    path, name = (section.group(1), section.group(2)) if section else (spec, None)
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
    bases = snippet_bases(includes)  # includes first: one may sit inside an admonition
    body = SNIPPET.sub(lambda m: _indented(read_snippet(m.group(2), bases), m.group(1)), body)
    body = ADMONITION.sub(admonition_to_quote, body)
    prefix = site_url.rstrip("/") + "/" if site_url else "../"
    body = RELATIVE_ASSET.sub(f"]({prefix}assets/", body)
    # Links to other pages point at the published site, so they work in Jupyter and Colab.
    lang_prefix = "" if lang == LANGS[0] else f"{lang}/"
    body = PAGE_LINK.sub(lambda m: f"]({prefix}{lang_prefix}{m.group(1)}/{m.group(2) or ''})", body)
    body = body.replace(REPO_URL_PLACEHOLDER, repo_url.rstrip("/"))
    notebook = jupytext.reads(body, fmt="md")
    release = release or {"kind": "unpinned", "spec": distribution_name(includes.parent) + "[tf]"}
    what = INSTALL_WHAT[lang][release["kind"]].format(**release)
    note = INSTALL_NOTE[lang].format(dist=distribution_name(includes.parent), what=what)
    install = nbformat.v4.new_code_cell(
        f'%pip install "{release["spec"]}"', metadata={"tags": [INSTALL_TAG]}
    )
    cells, pending = [], iter(reasons)
    for cell in notebook.cells:
        if DOWNLOAD_TAG in cell.metadata.get("tags", []):
            reason = next(pending, None)
            if reason is None:
                raise ValueError(f"a cell tagged {DOWNLOAD_TAG!r} with no skip marker")
            cells.append(nbformat.v4.new_markdown_cell(DOWNLOAD_NOTE[lang].format(reason=reason)))
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


HEADING_ID = re.compile(r'(<h([1-6]) id=")([^"]*)(")')


CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two Chinese characters (tags such as <a> or <strong> may stand between).
CJK_LINE_BREAK = re.compile(rf"([{CJK}](?:</?[a-z][^>]*>)*)\n[ \t]*((?:<[a-z][^>]*>)*[{CJK}])")
PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.S)


def join_cjk_lines(html: str) -> str:
    """Remove the line breaks that a wrapped Chinese paragraph carries into the HTML.

    Browsers show a line break in running text as a space, which splits Chinese words
    ("数据增强、 预训练"); Chinese has no spaces between words. Code (<pre>) is left alone.
    """
    parts = PRE_BLOCK.split(html)
    return "".join(
        part if part.startswith("<pre") else CJK_LINE_BREAK.sub(r"\1\2", part) for part in parts
    )


def on_page_content(html, page, config, files, **kwargs):
    html = join_cjk_lines(html)
    if page.file.src_uri.endswith(".ipynb"):
        html = _notebook_toc_ids(html, page)
        # The notebook links figures at the published site (so they show in Jupyter and Colab);
        # on the site itself link them relatively, so that previews and `mkdocs serve` show them.
        site_url = (config.get("site_url") or "").rstrip("/") + "/"
        if site_url != "/":
            html = html.replace(
                f'"{site_url}assets/', '"' + "../" * page.url.count("/") + "assets/"
            )
    return html


def _notebook_toc_ids(html, page):
    """Make the table of contents of a rendered notebook land on its headings.

    mkdocs-jupyter ids a notebook's headings with an ASCII-only slug (empty for a Chinese
    heading, so every one reads ``id=""``) while its table of contents uses Markdown's
    (``_1``, ``_2`` ...). Give the headings, in order, the ids the contents point at.
    """
    wanted = []

    def walk(items):
        for item in items:
            wanted.append((item.level, item.id))
            walk(item.children)

    walk(page.toc)
    pending = iter(wanted)
    current = next(pending, None)

    def relabel(match):
        nonlocal current
        if current is None or int(match.group(2)) != current[0]:
            return match.group(0)
        level_id, current = current[1], next(pending, None)
        return match.group(1) + level_id + match.group(4)

    html = HEADING_ID.sub(relabel, html)
    # The heading's own permalink follows it as href="#old-id"; point it at the new id.
    return re.sub(
        r'(<h[1-6] id="([^"]*)">(?:(?!</h[1-6]>).)*?<a class="anchor-link" href="#)[^"]*(")',
        r"\1\2\3",
        html,
        flags=re.S,
    )


def on_page_markdown(markdown, page, config, files, **kwargs):
    markdown = markdown.replace(REPO_URL_PLACEHOLDER, (config.get("repo_url") or "").rstrip("/"))
    src = Path(page.file.src_uri)
    if not CHAPTER.match(src.name) or page.meta.get("notebook") is False:
        return markdown
    lang = src.parts[0] if src.parts[0] in LANGS else "zh"
    links = LINKS[lang].format(
        # mkdocs-jupyter renders the notebook as a page and copies the file beside it.
        nb=f"../notebooks/{src.stem}/{src.stem}.ipynb",
        page=f"notebooks/{src.stem}.ipynb",
        colab=colab_url(config.get("repo_url") or "", notebook_path(lang, src.stem)),
    )
    # After the first heading, so the page still opens with its title.
    return re.sub(
        r"^(# .+\n)", lambda m: m.group(1) + "\n" + links + "\n", markdown, count=1, flags=re.M
    )


HEAD_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def on_post_page(output, page, config, **kwargs):
    """Drop the ``<link rel="alternate" hreflang>`` lines from each page's head.

    With mkdocs-static-i18n they point at the same page in each language, and Material fetches
    ``<that page>/sitemap.xml`` for each of them on every page view: two failed requests (404)
    per page for every reader. The sitemap (sitemap.xml, written by the i18n plugin) already
    declares every page's languages to search engines, and the language switcher keeps its links.
    """
    output = HEAD_ALTERNATE.sub("", output)
    if page.file.src_uri.endswith(".ipynb") and "/notebooks/" in page.file.src_uri:
        output = _notebook_switcher(output, page, config)
    return output


def _notebook_switcher(output, page, config):
    """Point a rendered notebook's language switcher at the same notebook in each language.

    The i18n plugin pairs the languages' files before this hook makes the notebooks pages, and
    the English notebook's switcher sent readers to the Chinese home page instead.
    """
    stem = Path(page.file.src_uri).stem
    up = "../" * page.url.count("/")

    def relink(match):
        lang = match.group(2)
        if (
            lang not in LANGS
            or not (Path(config["docs_dir"]) / lang / "notebooks" / f"{stem}.ipynb").exists()
        ):
            return match.group(0)
        return match.group(1) + up + ("" if lang == LANGS[0] else f"{lang}/") + f"notebooks/{stem}/"

    return re.sub(
        r'(<a href=")[^"]*(?=" hreflang="([a-z]+)" class="md-select__link">)', relink, output
    )
