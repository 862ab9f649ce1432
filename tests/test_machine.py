"""One experiment at a time: the machine lock of scripts/build_figures.py."""

import subprocess
import sys
import textwrap

import pytest

from companion import machine


def hold_lock(path, seconds):
    code = textwrap.dedent(f"""
        import sys, time
        from companion.machine import ExperimentLock
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
            machine.MachineBusy, match=r"chapter 05 --budget cpu \(process \d+"
        ) as error:
            with machine.ExperimentLock("chapter 03", path=path):
                pass
        assert "--wait" in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    # The operating system frees the lock of a killed holder: the next experiment starts.
    with machine.ExperimentLock("chapter 03", path=path) as lock:
        assert lock.holder()["what"] == "chapter 03"
    assert lock.holder() is None


def test_waiting_takes_the_lock_once_it_is_free(tmp_path):
    path = tmp_path / "experiment.lock"
    holder = hold_lock(path, 1)
    assert holder.stdout.readline().strip() == "held"
    with machine.ExperimentLock("chapter 03", wait=True, path=path):
        assert holder.wait(timeout=30) == 0


def test_records_carry_the_load_average_at_start_and_end():
    machine.mark_start()
    span = machine.load_average_span()
    assert span is None or (span["start"] >= 0 and span["end"] >= 0)
