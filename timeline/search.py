"""The static search index: Pagefind, run over the finished site before it is swapped in."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from .processes import die_with_parent


class SearchIndexError(Exception):
    pass


def index_for_search(site_dir: Path) -> None:
    """Write site_dir/pagefind/: only pages marked data-pagefind-body (the event pages) are indexed.

    The indexer is killed if the build dies (on Linux; see processes.die_with_parent): otherwise a
    killed build's indexer would go on for minutes at scale, over a folder nobody will use. The
    build has no other thread at this point, so running Python between fork and exec is safe.
    """
    try:
        result = subprocess.run(
            # Only the event pages carry data-pagefind-body: reading the others (the lists, with
            # thousands of cards at scale) would be a tenth of the indexing time for nothing.
            [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind",
             "--glob", "events/*/index.html", "--quiet"],
            check=False, capture_output=True, text=True, timeout=600,
            preexec_fn=partial(die_with_parent, os.getpid()),  # see the docstring
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"Pagefind could not run: {error}") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit status {result.returncode}"))
