"""fork_map (timeline/processes.py): chunks of work shared between the build's process and forked
workers, each done once."""

from __future__ import annotations

import os
import sys
import time

import pytest

from timeline import processes
from timeline.processes import fork_map


def _who(chunk: list[int], forked: bool) -> tuple[int, bool, list[int]]:
    time.sleep(0.002 * len(chunk))  # long enough for the worker to take its share
    return os.getpid(), forked, [item * 2 for item in chunk]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: fork_map forks no workers")
def test_fork_map_shares_the_chunks_between_this_process_and_its_workers_each_once(monkeypatch):
    monkeypatch.setattr(processes, "PARALLEL_FROM", 10)
    items = list(range(500))
    switch = sys.getswitchinterval()
    results = list(fork_map(_who, items, None))
    assert sys.getswitchinterval() == switch  # shortened while the workers ran, then given back
    assert sorted(item for _, _, done in results for item in done) == [2 * item for item in items]
    here = {forked for pid, forked, _ in results if pid == os.getpid()}
    elsewhere = {forked for pid, forked, _ in results if pid != os.getpid()}
    assert here == {False} and elsewhere == {True}  # both took chunks, each told where it runs
