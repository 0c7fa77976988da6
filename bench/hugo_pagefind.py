"""The reference for a site with search: Hugo's cold build, then Pagefind over Hugo's output.

That is how Hugo sites get search. The Hugo layouts bench/generate.py writes mark nothing with
`data-pagefind-body`, so Pagefind would index every page whole, the index of every event included.
The glob keeps it to the event pages (Hugo writes `events/<slug>/index.html`), as our build's own
Pagefind run does, so both indexes hold one page per event; `indexed_pages()` lets the runner check
that. (Our build's event pages carry `data-pagefind-body`, so it indexes their article only; Hugo's
are indexed whole, header and back link included: a few words more per page.)

Pagefind is pip's `pagefind` package, the one our build runs. The runner calls its binary directly,
as it calls Hugo's, not through `python -m pagefind`, whose Python start-up (about 50 ms, before it
execs the same binary) would otherwise be timed as part of the reference.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

GLOB = "events/*/index.html"  # the event pages, in Hugo's output as in ours


def pagefind_binary() -> list[str]:
    """Pagefind's binary, from the pip package our build uses; pip's wrapper only if it is not found."""
    try:
        import pagefind_bin  # installed with pip's pagefind

        found = pagefind_bin.get_executable()
    except (ImportError, OSError):
        found = None
    return [str(found)] if found else [sys.executable, "-m", "pagefind"]


def pagefind_version(binary: list[str]) -> str:
    return subprocess.run([*binary, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def pagefind_command(binary: list[str], site: Path) -> list[str]:
    """Pagefind over a finished site, with the options our build gives it (timeline/search.py)."""
    return [*binary, "--site", str(site), "--output-subdir", "pagefind", "--glob", GLOB, "--quiet"]


def indexed_pages(site: Path) -> int:
    """How many pages the site's Pagefind index holds (0 when it has none). Our build's index is
    in shards, one bundle per folder under pagefind/ (timeline/search.py); Hugo's is one bundle."""
    total = 0
    for entry in (site / "pagefind").rglob("pagefind-entry.json"):
        languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
        total += sum(language.get("page_count", 0) for language in languages.values())
    return total


def fragments(site: Path) -> set[str]:
    """The page fragments of the index (every shard's): one per page, named after the page's content."""
    return {path.relative_to(site).as_posix() for path in (site / "pagefind").rglob("fragment/*.pf_fragment")}


def index_has(site: Path, text: str, before: set[str]) -> bool:
    """Whether a page fragment that was not in `before` (an earlier fragments()) holds `text`.

    An edited page gets a new fragment, so a warm build that left the search index as it was fails
    this even though the page itself shows the edit."""
    needle = text.encode("utf-8")
    return any(needle in gzip.decompress((site / name).read_bytes()) for name in sorted(fragments(site) - before))
