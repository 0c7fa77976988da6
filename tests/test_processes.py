"""fork_call (timeline/processes.py): a function run in a forked process while the build goes on,
its result or its exception brought back (the search indexer runs this way)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from timeline import processes
from timeline.processes import fork_call, fork_map
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


def _who(chunk: list[int], forked: bool) -> tuple[int, bool, list[int]]:
    time.sleep(0.002 * len(chunk))  # long enough for the worker to take its share
    return os.getpid(), forked, [item * 2 for item in chunk]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: fork_map forks no workers")
def test_fork_map_shares_the_chunks_between_this_process_and_its_workers_each_once(monkeypatch):
    monkeypatch.setattr(processes, "PARALLEL_FROM", 10)
    items = list(range(500))
    results = list(fork_map(_who, items, None))
    assert sorted(item for _, _, done in results for item in done) == [2 * item for item in items]
    here = {forked for pid, forked, _ in results if pid == os.getpid()}
    elsewhere = {forked for pid, forked, _ in results if pid != os.getpid()}
    assert here == {False} and elsewhere == {True}  # both took chunks, each told where it runs
