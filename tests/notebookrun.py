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


# What one notebook leaves in a kernel that a fresh kernel would not have, undone before the
# next notebook runs in it: Keras's session and global settings, open figures, the working
# folder; then ``%reset -f`` clears every name (a missing import still fails).
RESET = """def _fresh_start(folder):
    import os

    import keras
    import matplotlib.pyplot as plt

    keras.backend.clear_session()
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy("float32")
    keras.config.set_image_data_format("channels_last")
    plt.close("all")
    os.chdir(folder)


_fresh_start({folder!r})
"""


def execute(nb, kernel_name: str, env: dict, cwd: Path, skip_tag=None, kernel=None, keep=False):
    """Run every code cell of ``nb`` top to bottom (cells tagged ``skip_tag`` left out).

    In a fresh kernel, or in ``kernel`` (what an earlier call with ``keep=True`` returned),
    reset first (``RESET``, then ``%reset -f``). With ``keep``, the kernel is left running
    and returned, for one more notebook; call :func:`shut_down` on it when done.

    Raises nbclient's ``CellExecutionError`` at the first cell that fails (the kernel is shut
    down then).
    """
    import nbformat
    from nbclient import NotebookClient

    options = {"skip_cells_with_tag": skip_tag} if skip_tag else {}
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        km=None if kernel is None else kernel.km,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(cwd)}},
        # A graceful shutdown waits about 3 s for a kernel that has loaded TensorFlow.
        shutdown_kernel="immediate",
        **options,
    )
    reset = []
    if kernel is not None:
        reset = [nbformat.v4.new_code_cell(RESET.format(folder=str(cwd)))]
        reset.append(nbformat.v4.new_code_cell("%reset -f"))
        nb.cells[:0] = reset
    owner = kernel or client  # the client that started the kernel
    try:
        client.execute(env=env, cleanup_kc=False)
    except BaseException:
        keep = False
        raise
    finally:
        del nb.cells[: len(reset)]
        if client is not owner:
            shut_down(client)  # its channels; the kernel is the owner's
        if not keep:
            shut_down(owner)
    return owner if keep else None


def shut_down(client) -> None:
    """Stop a client's channels, and its kernel if the client started it."""
    if client.owns_km and client.km is not None:
        client._cleanup_kernel()
    elif client.kc is not None:
        client.kc.stop_channels()
        client.kc = None


def stream_text(cells) -> str:
    """What the cells printed (stdout and stderr)."""
    return "".join(
        out.get("text", "") for cell in cells for out in cell.outputs if out.output_type == "stream"
    )
