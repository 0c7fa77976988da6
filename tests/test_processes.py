"""fork_call (timeline/processes.py): a function run in a forked process while the build goes on,
its result or its exception brought back (the search indexer runs this way)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from timeline.processes import fork_call
from timeline.search import SearchIndexError


def _pid_and_sum(*numbers: int) -> tuple[int, int]:
    return os.getpid(), sum(numbers)


def _fail() -> None:
    raise SearchIndexError("Pagefind failed: the disk is full")


def _kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _sleep() -> None:
    time.sleep(60)


def test_the_result_comes_back_from_another_process():
    pid, total = fork_call(_pid_and_sum, 1, 2, 3).result()
    assert total == 6 and pid != os.getpid()


def test_its_exception_is_raised_here_as_it_was():
    with pytest.raises(SearchIndexError, match="the disk is full"):
        fork_call(_fail).result()


def test_a_child_that_dies_without_a_word_is_an_error_not_a_hang():
    with pytest.raises(ChildProcessError, match=f"status {-signal.SIGKILL}"):
        fork_call(_kill_myself).result()


def test_cancel_stops_a_child_that_still_runs():
    forked = fork_call(_sleep)
    forked.cancel()
    with pytest.raises(ChildProcessError, match=f"status {-signal.SIGKILL}"):  # killed, not ended
        forked.result()
