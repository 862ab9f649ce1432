"""Running a chapter's notebook as a reader does: nbclient, a kernel on a chosen interpreter.

Shared by tests/test_notebooks.py (a kernel on the test interpreter, ``companion`` from this
checkout) and tests/test_journey.py (a kernel in a fresh virtual environment holding the wheel).
"""

import contextlib
import json
import os
from pathlib import Path

CELL_TIMEOUT_S = 300


@contextlib.contextmanager
def kernel(folder: Path, python: str, name: str):
    """A kernel spec named ``name`` for the interpreter ``python``, found through JUPYTER_PATH.

    Nothing is installed globally: the spec lies in ``folder``, on JUPYTER_PATH while the
    context lasts.
    """
    spec = folder / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": name,
                "language": "python",
            }
        )
    )
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), old]))
    try:
        yield name
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old


def data_dir(tmp_path_factory) -> str:
    """The datasets the chapters read: the session's (real ones if set), else test-made ones."""
    if os.environ.get("COMPANION_DATA_DIR"):
        return os.environ["COMPANION_DATA_DIR"]
    import fakedata

    return str(fakedata.make_data_dir(tmp_path_factory.mktemp("data")))


def tagged_with(cell, tag: str) -> bool:
    return tag in cell.metadata.get("tags", [])


def tagged(nb, tag: str) -> list:
    return [cell for cell in nb.cells if tagged_with(cell, tag)]


def execute(nb, kernel_name: str, env: dict, cwd: Path, skip_tag: str | None = None) -> None:
    """Run every code cell of ``nb`` top to bottom (cells tagged ``skip_tag`` left out).

    Raises nbclient's ``CellExecutionError`` at the first cell that fails.
    """
    from nbclient import NotebookClient

    options = {"skip_cells_with_tag": skip_tag} if skip_tag else {}
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(cwd)}},
        # A graceful shutdown waits about 3 s for a kernel that has loaded TensorFlow.
        shutdown_kernel="immediate",
        **options,
    )
    client.execute(env=env)


def stream_text(cells) -> str:
    """What the cells printed (stdout and stderr)."""
    return "".join(
        out.get("text", "") for cell in cells for out in cell.outputs if out.output_type == "stream"
    )
