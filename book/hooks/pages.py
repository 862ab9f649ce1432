"""MkDocs hook: mends what a reader would otherwise see go wrong in the rendered pages.

* A wrapped Chinese line shows as a space in the browser (:func:`join_cjk_lines`).
* A rendered notebook's table of contents misses its Chinese headings
  (:func:`notebook_toc_ids`), and its figures point at the published site
  (:func:`on_page_content`).
* Material looks for a sitemap beside each language alternate: two failed requests per page
  (:func:`on_post_page`); and a rendered notebook's language switcher sends readers to the
  home page (:func:`notebook_switcher`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if __package__ != "book.hooks":  # loaded by MkDocs from its path (book/hooks/__init__.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from book.vocabulary import LANGS  # noqa: E402

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
        html = notebook_toc_ids(html, page)
        # The notebook links figures at the published site (so they show in Jupyter and Colab);
        # on the site itself link them relatively, so that previews and `mkdocs serve` show them.
        site_url = (config.get("site_url") or "").rstrip("/") + "/"
        if site_url != "/":
            html = html.replace(
                f'"{site_url}assets/', '"' + "../" * page.url.count("/") + "assets/"
            )
    return html


HEADING_ID = re.compile(r'(<h([1-6]) id=")([^"]*)(")')


def notebook_toc_ids(html, page):
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
        output = notebook_switcher(output, page, config)
    return output


def notebook_switcher(output, page, config):
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
