"""Test-session set-up shared by the unit tests and the chapters' code blocks.

* Figures draw off-screen (Agg) and TensorFlow keeps its start-up chatter to itself.
* Chapter code blocks (``--codeblocks``) run as a smoke run (``COMPANION_SMOKE=1``).
  Where ``COMPANION_DATA_DIR`` is not set (a fresh machine, no ``../shared/data``),
  they read small datasets that ``tests/fakedata.py`` writes in the official formats,
  so that the real loaders run without any network.
* After collection the session moves into a temporary folder, so that a block which
  saves a model or a figure writes there, not into the checkout.
* Downloads, the cats-vs-dogs split (``COMPANION_CACHE_DIR``) and Keras' own files
  (``KERAS_HOME``: keras.json, weights) go to that temporary folder too, never to the
  reader's ``~/.cache/companion`` or ``~/.keras``; each pytest-xdist worker has its own,
  so that two workers never prepare into one folder at once.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(ROOT / "tests"))

_workdir = tempfile.TemporaryDirectory(prefix="companion-tests-")
# Set before anything imports keras, which reads KERAS_HOME once, at import.
os.environ["COMPANION_CACHE_DIR"] = str(Path(_workdir.name) / "cache")
os.environ["KERAS_HOME"] = str(Path(_workdir.name) / "keras")


def pytest_configure(config):
    if config.getoption("codeblocks", default=False):
        os.environ.setdefault("COMPANION_SMOKE", "1")
        if not os.environ.get("COMPANION_DATA_DIR"):
            import fakedata

            os.environ["COMPANION_DATA_DIR"] = str(
                fakedata.make_data_dir(Path(_workdir.name) / "data")
            )
            print(
                "[conftest] no COMPANION_DATA_DIR: code blocks read test-made data in "
                f"{os.environ['COMPANION_DATA_DIR']}"
            )


def pytest_collection_finish(session):
    work = Path(_workdir.name) / "cwd"
    work.mkdir(exist_ok=True)
    os.chdir(work)
