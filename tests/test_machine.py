"""One experiment at a time: the machine lock of scripts/build_figures.py (book/lock.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from book import lock as experiment_lock

ROOT = Path(__file__).resolve().parents[1]


def hold_lock(path, seconds):
    code = textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "src")!r}]
        from book.lock import ExperimentLock
        with ExperimentLock("chapter 05 --budget cpu", path={str(path)!r}):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_a_second_experiment_is_refused_with_the_holders_name(tmp_path):
    path = tmp_path / "experiment.lock"
    holder = hold_lock(path, 30)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            experiment_lock.MachineBusy, match=r"chapter 05 --budget cpu \(process \d+"
        ) as error:
            with experiment_lock.ExperimentLock("chapter 03", path=path):
                pass
        assert "--wait" in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    # The operating system frees the lock of a killed holder: the next experiment starts.
    with experiment_lock.ExperimentLock("chapter 03", path=path) as lock:
        assert lock.holder()["what"] == "chapter 03"
    assert lock.holder() is None


def test_waiting_takes_the_lock_once_it_is_free(tmp_path):
    path = tmp_path / "experiment.lock"
    holder = hold_lock(path, 1)
    assert holder.stdout.readline().strip() == "held"
    with experiment_lock.ExperimentLock("chapter 03", wait=True, path=path):
        assert holder.wait(timeout=30) == 0


def test_records_carry_the_load_average_at_start_and_end():
    experiment_lock.mark_start()
    span = experiment_lock.load_average_span()
    assert span is None or (span["start"] >= 0 and span["end"] >= 0)
