"""Work shared out to the processor's cores, by fork: each worker inherits what the parent has
built (compiled templates, the validated sources) instead of being sent it.

A child process dies with the build that started it, even one killed with SIGKILL (which no
handler or `finally` sees): on Linux each worker, and the search indexer, asks the kernel for
SIGKILL when its parent ends (`die_with_parent`). Elsewhere nothing is done, and the workers of a
killed build may outlive it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_FROM = 150  # items before it pays to start a second process
_shared = None  # what the parent set for the workers, just before they fork
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl(), looked up once in the parent: the child, just forked, only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_prctl = _load_prctl()


def die_with_parent(parent: int) -> None:
    """In a child just forked from process `parent`: be killed (SIGKILL) when the parent ends.

    Linux only; elsewhere it does nothing. The kernel sends the signal when the *thread* that
    forked the child ends, so fork from a thread that outlives the child: fork_map's pool and
    search's subprocess are both waited for by the thread that starts them. The setting outlives
    exec (not of a set-user-ID program). If the parent ended before the call, exit at once.
    """
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent was gone before the kernel was asked: nobody will signal
        os._exit(1)


def shared() -> Any:
    """In `function` below: the `state` the parent passed to fork_map."""
    return _shared


def fork_map(function: Callable[..., T], items: list[Any], state: Any) -> Iterator[T]:
    """function(chunk, forked) over interleaved chunks of `items` (even work per chunk), shared
    between this process and worker processes when there are enough items to repay starting
    them; here alone otherwise.

    This process takes a chunk whenever the workers have theirs: one process per core, not one
    more that waits, so the memory of one worker is saved. Yields each chunk's result as soon as
    it is there (not in the order of the chunks), so that the caller can let go of it. Consume it
    on one thread: the workers are forked by the thread that first asks for a result.
    """
    global _shared
    cores = min(os.cpu_count() or 1, 4)
    _shared = state
    switch = sys.getswitchinterval()
    try:
        if len(items) < PARALLEL_FROM or cores < 2 or sys.platform == "win32":
            if items:
                yield function(items, forked=False)
            return
        count = cores * 32
        todo = deque(items[i::count] for i in range(count))
        helpers = cores - 1
        # The pool's own thread here feeds the workers and reads their results, a pipe's worth at
        # a time: each time it must wait for this thread to let go of the interpreter lock, by
        # default up to 5 ms. With this thread busy with its own chunks, the workers would wait.
        sys.setswitchinterval(0.0002)
        with ProcessPoolExecutor(helpers, mp_context=get_context("fork"), initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            running: deque[tuple[Future[T], list[Any]]] = deque()
            given_out = False  # every chunk has gone to a worker or been taken here
            while todo or running:
                while todo and not given_out and len(running) < 4 * helpers:  # a few queued: this
                    chunk = todo.popleft()                                     # process is slower
                    running.append((pool.submit(function, chunk, forked=True), chunk))
                given_out = given_out or not todo
                while given_out and running and running[-1][0].cancel():  # at the end: take back
                    todo.append(running.pop()[1])                         # what no worker started
                if todo:
                    yield function(todo.popleft(), forked=False)
                else:
                    yield running.popleft()[0].result()
                while running and running[0][0].done():
                    yield running.popleft()[0].result()
    finally:
        _shared = None
        sys.setswitchinterval(switch)

