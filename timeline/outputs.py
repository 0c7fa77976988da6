"""What a build outputs, as the writer and the cache both know it: a file kept from the previous
output (`Unchanged`), the record of one written file, and the record of a whole output folder.
Plain data, so that no stage needs the writer or the cache to name them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class OutputRecord:
    """What the previous build wrote at one path: the key that produced it, and the file's stat."""

    key: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Unchanged:
    """A file the previous build wrote from the same inputs: it is kept (linked), not written again."""

    key: str


@dataclass(frozen=True)
class Generation:
    """What one build wrote: its id, the key and stat of each keyed file, and every file's path.

    The cache keeps this for the live site and for the spare (the site before it), so that the
    next build can bring the spare up to date, touching only what changed, instead of writing
    a whole new folder tree.
    """

    id: str
    records: dict[str, OutputRecord]  # output path → (key, size, mtime_ns)
    paths: frozenset[str]

    def intact(self, relative: str, key: str, folder: str) -> bool:
        record = self.records.get(relative)
        if record is None or record.key != key:
            return False
        try:
            info = os.lstat(os.path.join(folder, relative))  # a link put in its place is not it
        except OSError:
            return False
        return info.st_size == record.size and info.st_mtime_ns == record.mtime_ns


# kept(path, key): Unchanged(key) when the previous output's file at `path` was made from `key`
# and is intact, else None. The cache makes one (BuildCache.reuse); a stage only calls it.
Reuse = Callable[[str, str], "Unchanged | None"]


def never_kept(path: str, key: str) -> Unchanged | None:
    """The Reuse of a build with no previous output to keep files from."""
    return None
