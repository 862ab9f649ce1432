"""The wheel a reader installs, and a fresh virtual environment that holds it (test_journey.py).

* :func:`build_wheel`: ``pip wheel --no-deps`` of this checkout, once per test session however
  many pytest-xdist workers ask (a file lock; the others wait and get the same file). The build
  is reproducible (``SOURCE_DATE_EPOCH``: the commit's time), so the same sources give the same
  bytes.
* :func:`fresh_venv`: a new virtual environment with that wheel installed (``--no-deps``), kept in
  ``build/journey/`` and reused while the wheel's bytes stay the same. Its dependencies
  (TensorFlow, Keras, nbclient's kernel ...) are not installed again: a ``.pth`` file names the
  test interpreter's site-packages as a plain path. A plain path line does not run the ``.pth``
  files inside that folder, so the editable install's path to this checkout's ``src/`` never
  reaches the fresh environment: ``companion`` comes from the wheel alone.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "journey"
# 1980-01-01, the earliest time a zip file can hold: where there is no git history.
EARLIEST_ZIP_TIME = "315532800"


def shared_dir(tmp_path_factory) -> Path:
    """A folder that every pytest-xdist worker of this session shares (without xdist: ours)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "shared"
    folder.mkdir(exist_ok=True)
    return folder


def _commit_time() -> str:
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return EARLIEST_ZIP_TIME
    found = result.stdout.strip() if result.returncode == 0 else ""
    return found or EARLIEST_ZIP_TIME


def build_wheel(folder: Path) -> Path:
    """The wheel of this checkout, built into ``folder`` by the first caller of the session."""
    wheels = folder / "wheel"
    with FileLock(str(folder / "wheel.lock")):
        found = sorted(wheels.glob("*.whl"))
        if found:
            return found[0]
        partial = folder / "wheel.partial"
        shutil.rmtree(partial, ignore_errors=True)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--wheel-dir", str(partial), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "SOURCE_DATE_EPOCH": _commit_time()},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        (wheel,) = partial.glob("image_classification_book-*.whl")
        partial.rename(wheels)
        return wheels / wheel.name


def site_packages() -> list[str]:
    """The test interpreter's site-packages (pure and platform), where the dependencies are."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fresh_venv(wheel: Path) -> Path:
    """A virtual environment holding ``wheel`` and nothing else of this checkout (its folder).

    Kept under ``build/journey/venv-<key>``, the key being the wheel's sha256 with the
    interpreter and the site-packages its ``.pth`` names; a new key replaces the old folders.
    """
    key = hashlib.sha256(wheel.read_bytes())
    key.update("\n".join([sys.version, *site_packages()]).encode())
    venv = CACHE / f"venv-{key.hexdigest()[:16]}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(CACHE / "venv.lock")):
        if (venv / ".ready").exists():
            return venv
        for old in CACHE.glob("venv-*"):
            shutil.rmtree(old, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(venv)],
            check=True,
            timeout=300,
            env=environment(),
        )
        python = venv_python(venv)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
            # --ignore-installed: whatever another copy of the package says, this one goes in.
            + ["--no-deps", "--no-index", "--ignore-installed", str(wheel)],
            capture_output=True,
            text=True,
            timeout=300,
            env=environment(),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env=environment(),
        ).stdout.strip()
        assert (Path(purelib) / "companion" / "__init__.py").exists(), result.stdout
        # Plain path lines: the folders join sys.path, their own .pth files are not run.
        (Path(purelib) / "journey-dependencies.pth").write_text(
            "\n".join(site_packages()) + "\n", encoding="utf-8"
        )
        (venv / ".ready").write_text(wheel.name + "\n", encoding="utf-8")
        return venv


def environment(**extra: str) -> dict:
    """The test session's environment for a process of the fresh venv: no PYTHONPATH (which
    may point at this checkout's src/), no proxy exceptions, and ``extra`` on top."""
    drop = {"PYTHONPATH", "PYTHONHOME", "no_proxy", "NO_PROXY"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env
