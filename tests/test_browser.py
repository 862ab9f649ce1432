"""The book as a reader meets it: the built site, served locally, in a real (headless) Chromium.

Debian's Chromium is driven by the ``playwright`` package (``executable_path``: no browser is
ever downloaded). Set ``COMPANION_CHROMIUM`` to use another Chromium binary. Without any
Chromium these tests skip, saying so; ``make test`` installs it (``make system-deps``).

Requests: every request to the local site must succeed. The site asks one outside host for
something (``EXTERNAL``): the repository's star count. A test run is offline, so that request is
answered locally with an empty response; a page that asks any *other* outside host fails, so that
no outside dependency creeps in unnoticed. MathJax is served by the site itself
(book/hooks/vendor.py), and the formulas of chapters 02 and 05 must render from it.

Accessibility: every page is checked with axe-core (npm) against WCAG 2.0/2.1 A and AA in both
colour schemes; a serious or critical violation fails the page.

Screenshots of each chapter's first screen (both languages; home and chapter 02 also in the
dark palette) go to ``$COMPANION_SCREENSHOTS`` (default ``build/screenshots/``): CI keeps
them as an artifact.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # reported by the browser fixture when a Chromium is there to drive
    PlaywrightTimeout = TimeoutError

from book.hooks.pages import CJK_LINE_BREAK  # the hook that joins such lines
from sitebuild import ROOT, site_path
from test_docs import code_blocks

#: A tag that starts or ends a block: a line break next to one is not shown as a space.
BLOCK_EDGE = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|table|tr|td|th|figure|blockquote)\b")

DOCS = ROOT / "docs"
LANGS = ("zh", "en")
# Outside hosts the site may ask, and why; any other one fails the page.
EXTERNAL = {
    "api.github.com": "the repository's stars and forks in the header (Material's repo_url)",
}
# Chromium's flags for a quiet, headless, offline-friendly run; Playwright adds a fresh
# temporary profile (user-data-dir) and --headless itself.
# Every outside host resolves to nothing, so a request that escapes the stand-ins fails fast.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 800}
CJK = re.compile(r"[\u3400-\u9fff]")
ICON_SHORTCODE = re.compile(r":(?:material|simple|fontawesome|octicons)-[a-z0-9-]+:")


def chromium_path() -> str | None:
    candidates = [
        os.environ.get("COMPANION_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None)


def chapters(written_only: bool = False) -> list[str]:
    stems = sorted(p.stem for p in (DOCS / "zh").glob("[0-9][0-9]-*.md"))
    if written_only:
        stems = [
            s
            for s in stems
            if not re.search(
                r"^notebook:\s*false", (DOCS / "zh" / f"{s}.md").read_text(encoding="utf-8"), re.M
            )
        ]
    return stems


def other_pages() -> list[str]:
    return sorted(
        p.stem
        for p in (DOCS / "zh").glob("*.md")
        if not re.match(r"\d\d-", p.stem) and p.stem != "index"
    )


def page_url(base: str, lang: str, stem: str = "") -> str:
    return base + ("" if lang == LANGS[0] else f"{lang}/") + (f"{stem}/" if stem else "")


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("COMPANION_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test output is no place for an access log
        pass


@pytest.fixture(scope="session")
def base_url(built_site):
    """The built site on a local web server, at the path it is published under."""
    root = built_site
    for _ in site_path().strip("/").split("/") if site_path().strip("/") else []:
        root = root.parent
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{site_path()}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium installed (Debian: apt-get install chromium; or set COMPANION_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright  # the test extra; never `playwright install`

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Visit:
    """One browser tab that records what a reader would not want to see."""

    def __init__(self, browser, base_url, color_scheme="light"):
        self.base = base_url
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
        self.context = browser.new_context(
            viewport=VIEWPORT, color_scheme=color_scheme, locale="zh-CN"
        )
        for host in EXTERNAL:  # only these are intercepted: routing every request is slow
            self.context.route(f"*://{host}/**", self._stand_in)
        self.page = self.context.new_page()
        self.errors, self.failed, self.external = [], [], set()
        self.page.on(
            "console",
            lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"),
        )
        self.page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        self.page.on("request", self._seen)
        # A request the page itself cancels (net::ERR_ABORTED, e.g. on leaving it) is no failure.
        self.page.on(
            "requestfailed",
            lambda req: (
                "ERR_ABORTED" in (req.failure or "")
                or self.failed.append(f"{req.url} ({req.failure})")
            ),
        )
        self.page.on(
            "response",
            lambda res: res.status >= 400 and self.failed.append(f"{res.url} ({res.status})"),
        )

    def _seen(self, request):
        url = request.url
        if not (url.startswith(self.origin) or url.startswith("data:") or url.startswith("blob:")):
            self.external.add(urlsplit(url).hostname or url)

    @staticmethod
    def _stand_in(route):
        """Offline stand-in for an expected outside host (the GitHub API): an empty JSON answer."""
        return route.fulfill(status=200, content_type="application/json", body="{}")

    def open(self, url):
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        return self.page

    def problems(self):
        unexpected = sorted(self.external - set(EXTERNAL))
        return (
            self.errors
            + [f"failed request: {f}" for f in self.failed]
            + [f"request to an unexpected outside host: {h}" for h in unexpected]
        )

    def reset(self):
        self.errors.clear(), self.failed.clear(), self.external.clear()
        return self

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    tab = Visit(browser, base_url)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def _shared_tab(browser, base_url):
    tab = Visit(browser, base_url)
    yield tab
    tab.close()


@pytest.fixture
def shared_visit(_shared_tab):
    """One tab for the many page visits (a new browser context for each is slow)."""
    return _shared_tab.reset()


# --------------------------------------------------------------------------- every page

# What the page test reads, in one round trip: images (once loaded), the article's text and
# HTML, the page language and the language switcher's links.
PAGE_JS = """async () => {
  const images = [...document.images];
  await Promise.all(images.map(img => img.complete ? null
    : new Promise(done => { img.onload = img.onerror = done; })));
  const content = document.querySelector('.md-content');
  return {
    lang: document.documentElement.lang,
    images: images.map(img => ({src: img.getAttribute('src'), alt: img.getAttribute('alt') || '',
                                width: img.naturalWidth, content: !!img.closest('.md-content')})),
    text: content ? content.innerText : '',
    html: content ? content.innerHTML : '',
    switcher: Object.fromEntries([...document.querySelectorAll('.md-select a[hreflang]')]
      .map(a => [a.hreflang, a.href])),
  };
}"""


# axe-core (npm, package-lock.json) checks each page against WCAG 2.0/2.1 A and AA, in the light
# and the dark palette; transitions are switched off so that colours are read after the switch.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_JS = """async (scheme) => {
  if (!document.getElementById('no-transitions')) {
    const style = document.createElement('style');
    style.id = 'no-transitions';
    style.textContent = '*, *::before, *::after { transition: none !important; }';
    document.head.appendChild(style);
  }
  document.body.setAttribute('data-md-color-scheme', scheme);
  await new Promise(done => setTimeout(done, 50));
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${scheme}: ${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}; e.g. `
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""
SCHEMES = ("default", "slate")  # mkdocs.yml's palettes: light and dark


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on the open page, both palettes."""
    if not AXE.exists():
        return [f"axe-core is not installed ({AXE}): run `npm ci` (make test does)"]
    page.add_script_tag(path=str(AXE))
    return [problem for scheme in SCHEMES for problem in page.evaluate(AXE_JS, scheme)]


def alt_problem(alt: str, lang: str) -> str | None:
    if not alt.strip():
        return "no alt text"
    if lang == "zh" and not CJK.search(alt):
        return f"alt text not in Chinese: {alt!r}"
    if lang == "en" and (CJK.search(alt) or sum(c.isascii() for c in alt) < 0.9 * len(alt)):
        return f"alt text not in English: {alt!r}"
    return None


# Every page: home, chapters, the rendered notebooks of the written ones, the appendices.
PAGES = [
    (lang, stem)
    for lang in LANGS
    for stem in [
        "",
        *chapters(),
        *(f"notebooks/{s}" for s in chapters(written_only=True)),
        *other_pages(),
    ]
]


@pytest.mark.parametrize(
    "lang,stem", PAGES, ids=[f"{lang}/{stem or 'home'}" for lang, stem in PAGES]
)
def test_page_loads_cleanly_with_its_images(shared_visit, lang, stem):
    visit = shared_visit
    page = visit.open(page_url(visit.base, lang, stem))
    seen = page.evaluate(PAGE_JS)
    problems = visit.problems()
    if seen["lang"] != lang:
        problems.append(f"<html lang> is {seen['lang']!r}")
    for shortcode in sorted(set(ICON_SHORTCODE.findall(seen["text"]))):
        problems.append(f"icon shown as text: {shortcode}")
    # A line break inside Chinese text shows as a space (book/hooks/pages.py joins such lines).
    prose = re.sub(r"<pre\b.*?</pre>", "", seen["html"], flags=re.S)
    # (a break between two blocks, e.g. a paragraph and a widget's hint, shows as nothing)
    splits = [m for m in CJK_LINE_BREAK.finditer(prose) if not BLOCK_EDGE.search(m.group(0))]
    if splits:
        problems.append(
            f"a line break splits Chinese text (shown as a space): {splits[0].group(0)!r}"
        )
    for image in seen["images"]:
        if image["width"] == 0:
            problems.append(f"image does not load: {image['src']}")
        if image["content"] and (why := alt_problem(image["alt"], lang)):
            problems.append(f"image {image['src']}: {why}")
    # The language switcher offers this very page in the other language.
    other = LANGS[1] if lang == LANGS[0] else LANGS[0]
    href = seen["switcher"].get(other)
    if href != page_url(visit.base, other, stem):
        problems.append(
            f"language switcher leads to {href}, not {page_url(visit.base, other, stem)}"
        )
    if stem in chapters() or not stem:
        page.screenshot(path=str(screenshots_dir() / f"{stem or 'home'}.{lang}.png"))
    problems += accessibility_problems(page)
    assert not problems, f"{lang}/{stem or 'home'}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "lang,stem", [(lang, stem) for lang in LANGS for stem in ["", "02-mnist-mlp"]]
)
def test_dark_palette_screenshots(browser, base_url, lang, stem):
    tab = Visit(browser, base_url, color_scheme="dark")
    try:
        page = tab.open(page_url(base_url, lang, stem))
        scheme = page.locator("body").get_attribute("data-md-color-scheme")
        assert scheme == "slate", f"the dark palette did not follow the reader's setting: {scheme}"
        page.screenshot(path=str(screenshots_dir() / f"{stem or 'home'}.{lang}.dark.png"))
        assert not tab.problems(), "\n".join(tab.problems())
    finally:
        tab.close()


# --------------------------------------------------------------------------- a reader's actions


@pytest.mark.parametrize("lang", LANGS)
def test_language_switcher_lands_on_the_same_chapter(visit, lang):
    stem = chapters(written_only=True)[0]
    other = LANGS[1] if lang == LANGS[0] else LANGS[0]
    page = visit.open(page_url(visit.base, lang, stem))
    page.locator(".md-header__option .md-select").hover()  # the menu opens on hover
    page.locator(f'.md-select a[hreflang="{other}"]').click()
    page.wait_for_load_state("load")
    assert page.url == page_url(visit.base, other, stem)
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator(".md-content h1").first.inner_text().startswith(stem[:2])
    assert not visit.problems(), "\n".join(visit.problems())


SEARCHES = [
    ("zh", "多层感知机", "02-mnist-mlp"),
    ("zh", "卷积", "03-cifar10-cnn"),
    ("en", "perceptron", "02-mnist-mlp"),
    ("en", "CNN", "03-cifar10-cnn"),
]


@pytest.mark.parametrize(
    "lang,query,stem", SEARCHES, ids=[f"{lang}-{stem}" for lang, _, stem in SEARCHES]
)
def test_search_finds_the_chapter(visit, lang, query, stem):
    page = visit.open(page_url(visit.base, lang))
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box, results = page.locator("input.md-search__input"), page.locator(".md-search-result__item a")
    # The search worker builds its index (jieba-segmented Chinese) after the page loads, and a
    # query counts once a key goes up (as it does after an input method commits Chinese text):
    # type the query, press a key, and type it again if the index was not ready yet.
    deadline = time.monotonic() + 45  # generous: on a busy machine the index takes a while
    while True:
        box.fill(query)
        box.press("End")
        try:
            results.first.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                break
            box.fill("")
            box.press("End")
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    assert any(urlsplit(h).path.rstrip("/").endswith(stem) for h in hrefs), (
        f"search for {query!r} found {hrefs}"
    )
    assert not visit.problems(), "\n".join(visit.problems())


# Material's copy button goes through clipboard.js; both the asynchronous clipboard and the
# old execCommand path are recorded, so the test reads exactly what a reader would paste.
CLIPBOARD_SPY = """
window.__copied = [];
const keep = text => { window.__copied.push(String(text)); return Promise.resolve(); };
if (navigator.clipboard) { navigator.clipboard.writeText = keep; }
document.addEventListener('copy', () => { window.__copied.push(String(document.getSelection())); });
"""


@pytest.mark.parametrize("lang", LANGS)
def test_copy_button_copies_the_code_exactly(visit, lang):
    stem = chapters(written_only=True)[0]
    expected = [code for info, code in code_blocks(DOCS / lang / f"{stem}.md") if info == "python"][
        0
    ]
    visit.context.add_init_script(CLIPBOARD_SPY)
    page = visit.open(page_url(visit.base, lang, stem))
    # Material's copy button (button.md-code__button in 9.7+, button.md-clipboard before).
    button = "button[data-clipboard-target]"
    block = page.locator(".md-content .highlight").filter(has=page.locator(button)).first
    block.hover()
    block.locator(button).click()
    page.wait_for_function("window.__copied.length > 0", timeout=5_000)
    copied = page.evaluate("window.__copied")[-1]
    assert copied.rstrip("\n") == expected.rstrip("\n"), (
        f"copied:\n{copied}\n---- expected:\n{expected}"
    )


@pytest.mark.parametrize(
    "lang,stem", [(lang, stem) for lang in LANGS for stem in chapters(written_only=True)]
)
def test_notebook_download_link_gives_a_valid_notebook(visit, lang, stem):
    page = visit.open(page_url(visit.base, lang, stem))
    link = page.locator(".md-content a[download]").first
    href = link.evaluate("a => a.href")
    assert href.endswith(f"{stem}.ipynb"), href
    response = visit.context.request.get(href)
    assert response.ok, f"{href}: {response.status}"
    notebook = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(notebook)
    install = [
        cell for cell in notebook.cells if "install" in cell.get("metadata", {}).get("tags", [])
    ]
    assert len(install) == 1 and "image-classification-book[tf]" in install[0].source, (
        f"{lang}/{stem}: no install cell"
    )
    code = [
        cell.source for cell in notebook.cells if cell.cell_type == "code" and cell not in install
    ]
    blocks = [c for info, c in code_blocks(DOCS / lang / f"{stem}.md") if info == "python"]
    assert [c.strip() for c in code] == [b.strip() for b in blocks], (
        f"{lang}/{stem}: the notebook's code cells are not the chapter's python blocks"
    )
    # The download is the chapter in its own language (English text may quote a Chinese title).
    text = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    share = len(CJK.findall(text)) / max(1, sum(not c.isspace() for c in text))
    assert (share > 0.2) if lang == "zh" else (share < 0.02), (
        f"{lang}/{stem}: {share:.0%} of the notebook's text is Chinese"
    )


# What MathJax made of a page's formulas (pymdownx.arithmatex wraps each in .arithmatex).
MATH_JS = """() => {
  const math = [...document.querySelectorAll('.md-content .arithmatex')];
  return {
    count: math.length,
    rendered: math.filter(m => { const c = m.querySelector('mjx-container');
                                 return c && c.getBoundingClientRect().width > 0; }).length,
    raw: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
    version: window.MathJax && window.MathJax.version,
    fonts: [...document.fonts]
      .filter(f => f.family.startsWith('MJX') && f.status === 'loaded').length,
  };
}"""


@pytest.mark.parametrize(
    "lang,stem", [(lang, stem) for lang in LANGS for stem in ("02-mnist-mlp", "05-resnet")]
)
def test_formulas_render_with_no_network(visit, lang, stem):
    """Every formula becomes MathJax output, from the MathJax (and fonts) that the site ships."""
    page = visit.open(page_url(visit.base, lang, stem))
    page.wait_for_function(
        "window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15_000
    )
    page.evaluate("() => MathJax.startup.promise")
    page.wait_for_function("document.fonts.status === 'loaded'", timeout=15_000)
    math = page.evaluate(MATH_JS)
    assert math["count"] > 0, f"{lang}/{stem}: no formula on the page"
    assert math["rendered"] == math["count"], (
        f"{lang}/{stem}: formulas shown as raw TeX: {math['raw']}"
    )
    assert math["version"] and math["version"].startswith("3."), math["version"]
    assert math["fonts"] > 0, f"{lang}/{stem}: MathJax's web fonts did not load"
    assert not visit.problems(), "\n".join(visit.problems())


# ------------------------------------------------------------------------ chapter 07's playground
# docs/assets/js/augment-playground.js moves a picture live with ImageAugmenter's geometry. Its
# transform must be companion.augment.apply_transform's, pixel for pixel: the tests below run both
# on the page's own sample pictures, read in Python with Pillow as the build script wrote them.

PLAYGROUND = "07-augmentation"
PLAYGROUND_SAMPLES = DOCS / "assets" / "figures" / PLAYGROUND
# Parameter sets (apply_transform's names) that between them use every option, every fill mode
# and both interpolations, with points far outside the picture for wrap and reflect.
PLAYGROUND_CASES = [
    dict(rotation=30),
    dict(rotation=-75, fill_mode="constant"),
    dict(rotation=160, fill_mode="reflect", interpolation="nearest"),
    dict(rotation=90, fill_mode="wrap", interpolation="nearest"),
    dict(rotation=135, fill_mode="constant", interpolation="nearest"),
    # 1.5 pixels on 32: rounding ties, which C++ rounds away from zero (-0.5 to -1)
    dict(width_shift=3 / 64, height_shift=-3 / 64, fill_mode="constant", interpolation="nearest"),
    dict(width_shift=0.13, height_shift=-0.21, fill_mode="reflect"),
    dict(width_shift=-0.37, height_shift=0.45, fill_mode="wrap"),
    dict(shear=25, fill_mode="reflect"),
    dict(shear=-40, zoom=1.3, fill_mode="wrap", interpolation="nearest"),
    dict(zoom=0.6),
    dict(zoom=1.5, fill_mode="constant", interpolation="nearest"),
    dict(horizontal_flip=True, vertical_flip=True, rotation=10),
    *(
        dict(
            rotation=-20,
            width_shift=0.3,
            height_shift=0.1,
            shear=15,
            zoom=1.45,
            horizontal_flip=True,
            fill_mode=mode,
        )
        for mode in ("nearest", "constant", "reflect", "wrap")
    ),
]
# The two differ only in float rounding (both compute the coordinates in float32): measured, at
# most 0.0002 grey levels (0–255) on these pictures and cases.
PLAYGROUND_TOLERANCE = 0.01

# In the page: the module the page loaded, run on the pixels the browser decoded from a sample.
PLAYGROUND_JS = """async ([src, cases]) => {
  const url = document.querySelector('script[src*="augment-playground"]').src;
  const playground = await import(url);
  const img = [...document.querySelectorAll('.augment-playground__samples img')]
    .find(i => i.src.endsWith(src));
  await img.decode();
  const image = playground.readPixels(img);
  return {pixels: Array.from(image.data), height: image.height, width: image.width,
          moved: cases.map(params => Array.from(playground.applyTransform(image, params)))};
}"""


def open_playground(visit, lang):
    page = visit.open(page_url(visit.base, lang, PLAYGROUND))
    page.wait_for_function(
        "Number(document.querySelector('.augment-playground').dataset.drawn) > 0", timeout=10_000
    )
    return page


def canvas_pixels(page, index):
    """The RGB values of the playground's canvas ``index`` (0: before, 1: after), as an array."""
    import numpy as np

    shape, data = page.evaluate(
        """i => {
      const c = document.querySelectorAll('.augment-playground canvas')[i];
      const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return [[c.height, c.width], Array.from(rgba)];
    }""",
        index,
    )
    return np.array(data, dtype="uint8").reshape(*shape, 4)[..., :3]


@pytest.mark.parametrize("lang", LANGS)
def test_augment_playground_redraws_as_the_reader_moves_a_slider(visit, lang):
    import numpy as np

    page = open_playground(visit, lang)
    assert page.locator(".augment-playground__live").is_visible()
    assert not page.locator(".augment-playground__fallback").is_visible()
    original = canvas_pixels(page, 0)
    np.testing.assert_array_equal(canvas_pixels(page, 1), original)  # no transform yet
    slider = page.locator("input[name=rotation]")
    slider.focus()
    for _ in range(10):  # ten steps of 1°, as a reader moves it with the arrow keys
        slider.press("ArrowRight")
    assert page.locator("output[for=augment-rotation]").inner_text() == "10"
    code = page.locator(".augment-playground__code").inner_text()
    assert "apply_transform(image, rotation=10)" in code and "rotation_range=10" in code
    rotated = canvas_pixels(page, 1)
    assert np.abs(rotated.astype(int) - original).mean() > 5, "the picture did not change"
    # back to the start, then a flip: the exact mirror image
    page.locator(".augment-playground button[type=reset]").click()
    page.locator("input[name=horizontal_flip]").check()
    page.wait_for_function(
        "document.querySelector('.augment-playground__code').innerText.includes('horizontal_flip')"
    )
    np.testing.assert_array_equal(canvas_pixels(page, 1), original[:, ::-1])
    # another picture: the MNIST digit, still flipped
    page.locator(".augment-playground__samples img[src$='playground_mnist_7.png']").click()
    page.wait_for_function("document.querySelector('.augment-playground canvas').width === 28")
    digit = canvas_pixels(page, 0)
    np.testing.assert_array_equal(canvas_pixels(page, 1), digit[:, ::-1])
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("sample", ["playground_cifar10_horse.png", "playground_mnist_7.png"])
def test_augment_playground_transforms_as_the_package_does(visit, sample):
    """The page's JavaScript and apply_transform (TensorFlow) agree on every case, pixel by
    pixel."""
    import numpy as np
    from PIL import Image

    from companion.augment import apply_transform

    page = open_playground(visit, "en")
    seen = page.evaluate(PLAYGROUND_JS, [sample, PLAYGROUND_CASES])
    shape = (seen["height"], seen["width"], 3)
    image = np.asarray(Image.open(PLAYGROUND_SAMPLES / sample).convert("RGB"), dtype="float32")
    # the browser decodes the PNG to exactly the pixels Pillow reads (no colour conversion)
    np.testing.assert_array_equal(np.array(seen["pixels"], dtype="float32").reshape(shape), image)
    worst = []
    for params, moved in zip(PLAYGROUND_CASES, seen["moved"], strict=True):
        expected = apply_transform(image, **params)
        difference = np.abs(np.array(moved, dtype="float32").reshape(shape) - expected)
        worst.append((float(difference.max()), params))
        assert np.abs(expected - image).max() > 1, params  # else the case proves nothing
    print("\n".join(f"  max |js - python| = {d:.5f} grey levels for {p}" for d, p in worst))
    bad = [(d, p) for d, p in worst if d > PLAYGROUND_TOLERANCE]
    assert not bad, f"{sample}: the page and the package disagree:\n" + "\n".join(map(str, bad))
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("lang", LANGS)
def test_augment_playground_says_what_to_do_without_javascript(browser, base_url, lang):
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(page_url(base_url, lang, PLAYGROUND), wait_until="load")
        fallback = page.locator(".augment-playground__fallback")
        assert fallback.is_visible() and "JavaScript" in fallback.inner_text()
        assert not page.locator(".augment-playground__live").is_visible()
        samples = page.locator(".augment-playground__samples img")
        widths = samples.evaluate_all("images => images.map(i => i.naturalWidth)")
        assert widths and all(w > 0 for w in widths), widths  # the pictures are still there
    finally:
        context.close()


# ------------------------------------------------------------ the book's models in the browser
# Chapters 02 and 05 run the chapter's own trained model in the page (docs/assets/js/, ONNX
# Runtime Web from npm, copied by book/hooks/vendor.py). The model a page runs is the file its
# record names (docs/assets/models/); Python's ONNX Runtime runs the same file on the same
# pixels, and the two must agree.

import json  # noqa: E402  (this section's own imports, kept with it)

import numpy as np  # noqa: E402

from book.export import onnx_probabilities  # noqa: E402
from book.sprite import read_tile  # noqa: E402

ASSETS = DOCS / "assets"
# Strokes of a digit, as fractions of the pad (x, y), pen down at the first point of each.
DIGIT_STROKES = {
    1: [[(0.52, 0.12), (0.50, 0.50), (0.48, 0.88)]],
    7: [[(0.22, 0.18), (0.50, 0.17), (0.78, 0.18), (0.62, 0.50), (0.48, 0.88)]],
}
CLEAR = {"zh": "清除", "en": "Clear"}
CIFAR_IMAGES = ASSETS / "widgets" / "05-cifar10-test-images.json"


def _model_file(chapter: str) -> Path:
    record = json.loads((ASSETS / "results" / f"{chapter}.json").read_text(encoding="utf-8"))
    return DOCS / record["web_model"]["file"]


def _wait_for(page, name: str, condition: str, timeout: float = 30_000):
    """Wait until ``condition`` holds for the widget's data attributes (``d``)."""
    page.wait_for_function(
        f"(d => {condition})(document.querySelector('[data-widget=\"{name}\"]').dataset)",
        timeout=timeout,
    )


def _ready_widget(page, name: str):
    """The widget, scrolled to (it loads its model when near the screen) and ready to use."""
    widget = page.locator(f'[data-widget="{name}"]')
    widget.scroll_into_view_if_needed()
    _wait_for(page, name, "d.ready === 'true'", timeout=60_000)
    return widget


def _centred(element):
    """Scroll ``element`` to the middle of the screen, clear of the page's fixed header."""
    element.evaluate("e => e.scrollIntoView({block: 'center'})")
    return element.bounding_box()


def _draw(page, canvas, strokes):
    box = _centred(canvas)
    for stroke in strokes:
        points = [
            (box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke
        ]
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y, steps=12)  # pointermove events along the way, as a hand makes
        page.mouse.up()


# What the pad shows: its answer, and the 28x28 picture it gave the model (red channel).
PAD_JS = """w => ({
    prediction: Number(w.dataset.prediction),
    probabilities: JSON.parse(w.dataset.probabilities),
    pixels: Array.from(w.querySelector('canvas.digit-pad__preview').getContext('2d')
                       .getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)),
    status: w.querySelector('.book-widget__status').textContent,
})"""


@pytest.mark.parametrize("lang", LANGS)
def test_the_digit_pad_reads_drawn_digits_as_python_does(visit, lang):
    page = visit.open(page_url(visit.base, lang, "02-mnist-mlp"))
    widget = _ready_widget(page, "digit-pad")
    pad = widget.locator("canvas.digit-pad__canvas")
    clear = widget.locator("button.digit-pad__clear")
    assert clear.inner_text() == CLEAR[lang]
    assert pad.evaluate("c => getComputedStyle(c).touchAction") == "none"  # a finger draws
    for digit, strokes in DIGIT_STROKES.items():
        clear.click()
        _draw(page, pad, strokes)
        _wait_for(page, "digit-pad", "d.state === 'done'")
        seen = widget.evaluate(PAD_JS)
        assert seen["prediction"] == digit, f"drew a {digit}; the page says {seen['status']!r}"
        assert str(digit) in seen["status"]
        assert bool(CJK.search(seen["status"])) == (lang == "zh"), seen["status"]
        # The picture the page shows is what it gave the model: Python's runtime agrees on it.
        pixels = np.array(seen["pixels"], dtype="float32").reshape(1, 28, 28)
        assert pixels.max() > 200 and (pixels > 0).mean() < 0.5, "not an MNIST-like digit"
        python = onnx_probabilities(_model_file("02-mnist-mlp"), pixels)[0]
        np.testing.assert_allclose(seen["probabilities"], python, atol=1e-4)
        widget.screenshot(path=str(screenshots_dir() / f"digit-pad-{digit}.{lang}.png"))
    clear.click()
    _wait_for(page, "digit-pad", "!('prediction' in d)")
    assert not visit.problems(), "\n".join(visit.problems())


def test_the_digit_pad_draws_with_a_finger(visit):
    """On a phone: a finger's stroke draws (touch-action: none) instead of scrolling the page."""
    page = visit.open(page_url(visit.base, "en", "02-mnist-mlp"))
    page.set_viewport_size({"width": 390, "height": 844})
    widget = _ready_widget(page, "digit-pad")
    cdp = visit.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    pad = widget.locator("canvas.digit-pad__canvas")
    box = _centred(pad)
    scrolled = page.evaluate("window.scrollY")
    touch = [
        (box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        for fx, fy in DIGIT_STROKES[1][0]
    ]

    def finger(kind, *points):
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]},
        )

    finger("touchStart", touch[0])
    for (x0, y0), (x1, y1) in zip(touch, touch[1:], strict=False):
        for t in np.linspace(0, 1, 12)[1:]:
            finger("touchMove", (x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    finger("touchEnd")
    _wait_for(page, "digit-pad", "d.state === 'done' && 'prediction' in d")
    assert widget.evaluate("w => Number(w.dataset.prediction)") == 1
    assert page.evaluate("window.scrollY") == scrolled, "the finger scrolled the page"
    assert not visit.problems(), "\n".join(visit.problems())


# What the picker shows: the top three classes, all probabilities, the bars' labels.
PICKER_JS = """w => ({
    top: w.dataset.top.split(',').map(Number),
    probabilities: JSON.parse(w.dataset.probabilities),
    status: w.querySelector('.book-widget__status').textContent,
    labels: [...w.querySelectorAll('.book-bars__label')].map(l => l.textContent),
})"""


@pytest.mark.parametrize("lang", LANGS)
def test_the_cifar_picker_names_the_classes_python_does(visit, lang, tmp_path):
    page = visit.open(page_url(visit.base, lang, "05-resnet"))
    widget = _ready_widget(page, "cifar-picker")
    images = json.loads(CIFAR_IMAGES.read_text(encoding="utf-8"))
    sprite = ASSETS / "widgets" / images["sprite"]
    tile, columns = tuple(images["tile"]), images["columns"]
    names = images["classes"][lang]
    tiles = widget.locator("button.cifar-picker__tile")
    n = len(images["images"])
    assert tiles.count() == n
    for k in (0, n // 2 + 3, n - 1):  # three of the shipped test images
        tiles.nth(k).click()
        _wait_for(page, "cifar-picker", f"d.chosen === '{k}'")
        seen = widget.evaluate(PICKER_JS)
        pixels = read_tile(sprite, k, tile, columns).astype("float32")
        python = onnx_probabilities(_model_file("05-resnet"), pixels[None])[0]
        assert seen["top"][0] == int(python.argmax()), f"image {k}: {seen['top']} vs {python}"
        np.testing.assert_allclose(seen["probabilities"], python, atol=1e-4)
        # The top three in the page's language, most probable first.
        assert seen["labels"] == [names[c] for c in np.argsort(-python)[:3]]
        assert names[seen["top"][0]] in seen["status"]
    widget.screenshot(path=str(screenshots_dir() / f"cifar-picker.{lang}.png"))
    # A photo of the reader's: cropped to its central square, shrunk to 32x32, classified.
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.fromarray(read_tile(sprite, 0, tile, columns)).resize((160, 120)).save(photo)
    widget.locator("input[type=file]").set_input_files(str(photo))
    _wait_for(page, "cifar-picker", "d.chosen === 'photo'")
    assert len(widget.evaluate(PICKER_JS)["top"]) == 3
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("lang", LANGS)
def test_the_widgets_say_something_without_javascript(browser, base_url, lang):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        for stem, name in (("02-mnist-mlp", "digit-pad"), ("05-resnet", "cifar-picker")):
            page.goto(page_url(base_url, lang, stem))
            text = page.locator(f'[data-widget="{name}"]').inner_text()
            assert "JavaScript" in text and bool(CJK.search(text)) == (lang == "zh"), text
    finally:
        context.close()


# Chapter 10: EfficientNet-Lite0 (ImageNet) on a photo. The example photos are 256 pixels on
# their shorter side, so the authors' crop (224 of 256) is exactly their central 224x224
# pixels in the browser as in Python.
PHOTO_RECORD = "10-pretrained-web"
PHOTO_JS = """w => ({
    top: w.dataset.top.split(',').map(Number),
    probabilities: JSON.parse(w.dataset.probabilities),
    status: w.querySelector('.book-widget__status').textContent,
    labels: [...w.querySelectorAll('.book-bars__label')].map(l => l.textContent),
    pixels: Array.from(w.querySelector('canvas.photo-classifier__seen').getContext('2d')
                       .getImageData(0, 0, 224, 224).data.filter((_, i) => i % 4 !== 3)),
})"""


def _photo_record() -> dict:
    return json.loads((ASSETS / "results" / f"{PHOTO_RECORD}.json").read_text(encoding="utf-8"))


def _photo_seen(page, widget, chosen: str) -> dict:
    _wait_for(page, "photo-classifier", f"d.chosen === '{chosen}'", timeout=60_000)
    seen = widget.evaluate(PHOTO_JS)
    seen["pixels"] = np.array(seen["pixels"], dtype="float32").reshape(1, 224, 224, 3)
    return seen


@pytest.mark.parametrize("lang", LANGS)
def test_the_photo_classifier_names_the_classes_python_does(visit, lang, tmp_path):
    from PIL import Image

    from companion.pretrained_lite0 import load_and_crop

    info = _photo_record()["web_model"]
    names = json.loads((DOCS / info["class_names"]).read_text(encoding="utf-8"))["names"]
    page = visit.open(page_url(visit.base, lang, "10-pretrained"))
    widget = _ready_widget(page, "photo-classifier")
    examples = widget.locator("button.photo-classifier__example")
    assert examples.count() == len(info["examples"])
    for k, example in enumerate(info["examples"]):
        if k == 1:  # by keyboard: Tab to the photo, Enter
            examples.nth(k).focus()
            page.keyboard.press("Enter")
        else:
            examples.nth(k).click()
        seen = _photo_seen(page, widget, str(k))
        # The page fed the network the authors' crop of the photo, as Python makes it.
        crop = load_and_crop(DOCS / example["file"])
        assert np.abs(seen["pixels"] - crop).max() <= 2, f"{example['file']}: another crop"
        python = onnx_probabilities(DOCS / info["file"], seen["pixels"])[0]
        top = [int(c) for c in np.argsort(-python, kind="stable")[:5]]
        assert seen["top"][0] == top[0] == example["keras_top5"][0], (example, seen["top"], top)
        np.testing.assert_allclose(seen["probabilities"], python[seen["top"]], atol=1e-4)
        # The top five in order, by their ImageNet names, the best one in the status line.
        assert seen["labels"] == [names[c] for c in seen["top"]]
        assert names[top[0]] in seen["status"]
        assert bool(CJK.search(seen["status"])) == (lang == "zh"), seen["status"]
    widget.screenshot(path=str(screenshots_dir() / f"photo-classifier.{lang}.png"))
    # A photo of the reader's, another shape: cropped and resized by the browser.
    photo = tmp_path / "elephant.png"
    with Image.open(DOCS / info["examples"][0]["file"]) as image:
        image.resize((500, 300)).save(photo)
    widget.locator("input[type=file]").set_input_files(str(photo))
    seen = _photo_seen(page, widget, "photo")
    assert seen["top"][0] == info["examples"][0]["keras_top5"][0]  # the elephant still
    assert not visit.problems(), "\n".join(visit.problems())
    problems = accessibility_problems(page)  # the widget in use, both palettes
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_the_photo_classifier_says_something_without_javascript(browser, base_url, lang):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(page_url(base_url, lang, "10-pretrained"))
        text = page.locator('[data-widget="photo-classifier"]').inner_text()
        assert "JavaScript" in text and "EfficientNetLite0" in text, text
        assert bool(CJK.search(text)) == (lang == "zh"), text
    finally:
        context.close()
