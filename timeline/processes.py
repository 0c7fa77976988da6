"""Work shared out to the processor's cores, by fork: each worker inherits what the parent has
built (compiled templates, the validated sources) instead of being sent it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context

PARALLEL_FROM = 150  # items before it pays to start a second process
_shared = None  # what the parent set for the workers, just before they fork


def shared():
    """In `function` below: the `state` the parent passed to fork_map."""
    return _shared


def fork_map(function: Callable, items: list, state) -> Iterator:
    """function(chunk, forked) over interleaved chunks of `items` (even work per chunk), in
    worker processes when there are enough items to repay starting them; here otherwise.

    Yields each chunk's result as it comes, in order, so that the caller can let go of it.
    """
    global _shared
    workers = min(os.cpu_count() or 1, 4)
    _shared = state
    try:
        if len(items) < PARALLEL_FROM or workers < 2 or sys.platform == "win32":
            if items:
                yield function(items, forked=False)
            return
        count = workers * 8
        chunks = [items[i::count] for i in range(count)]
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            yield from pool.map(partial(function, forked=True), chunks)
    finally:
        _shared = None
