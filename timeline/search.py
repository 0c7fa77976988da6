"""The static search index: Pagefind, run over the finished site before it is swapped in."""

from __future__ import annotations

import gzip
import json
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
    write_topic_index(site_dir / "pagefind")


_FRAGMENT_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the JSON of each page's fragment


def write_topic_index(index_dir: Path) -> None:
    """index_dir/topics.json: {topic: [Pagefind's id of each page on it]}, for search.js.

    Pagefind's own filters would do this, but they make its index differ from one build of the
    same site to the next (its filter files are written in hash-map order), and builds here are
    byte for byte reproducible. Each page's id is the name of its fragment file, which Pagefind
    makes from the page's content; the topics come from the page's `topics` metadata.
    """
    topics: dict[str, list[str]] = {}
    for fragment in sorted((index_dir / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(_FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"Pagefind wrote a page fragment this build cannot read: {fragment.name}")
        meta = json.loads(data[len(_FRAGMENT_SIGNATURE):]).get("meta", {})
        for topic in meta.get("topics", "").split():
            topics.setdefault(topic, []).append(fragment.name.removesuffix(".pf_fragment"))
    text = json.dumps(dict(sorted(topics.items())), separators=(",", ":"))
    (index_dir / "topics.json").write_text(text + "\n", encoding="utf-8")
