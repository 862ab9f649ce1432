"""Building and locating the site for the tests of the built site (see tests/conftest.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]


def site_path() -> str:
    """The path the site is published under (site_url's path, e.g. ``/image-classification-book/``).

    The language switcher links to it absolutely, so the local server serves the site there too.
    """
    match = re.search(
        r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M
    )
    path = urlsplit(match.group(1)).path.strip("/") if match else ""
    return f"/{path}/" if path else "/"


def build_site(root: Path) -> Path:
    """``mkdocs build --strict`` below ``root`` at ``site_path()``; fails on any warning."""
    out = root / site_path().strip("/")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "WARNING" not in log, log
    return out
