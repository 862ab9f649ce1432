"""Run one function in two threads at once, for the tests of locks (downloads, splits)."""

import threading


def run_twice_at_once(work, timeout: float) -> tuple[list, list]:
    """Call ``work()`` in two threads started together; return (their results, their exceptions)."""
    results, errors = [], []

    def one():
        try:
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - collected for the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
