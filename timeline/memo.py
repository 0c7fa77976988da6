"""What a stage may ask of the build cache, as protocols: the cache (cache.py) provides them, so a
stage is handed the part it uses and never imports the cache. A stage given None remembers nothing."""

from __future__ import annotations

from typing import Any, Protocol

# A content file's (size, mtime_ns, ctime_ns, inode): unchanged, the file need not be read again.
Signature = tuple[int, int, int, int]
# A file modified this close to the moment its metadata was taken might be modified again within
# the file system's timestamp granularity without its mtime changing ("racy git"): such a file's
# digest is not remembered, so the next build reads it again.
RACY_NS = 2_000_000_000
# Kinds of entries that stay in the process that made them: each text's HTML is shared by the pages,
# cards and exports rendered there, but is neither saved to disk nor sent back from a worker.
IN_MEMORY_ONLY = frozenset({"html"})


class Memo(Protocol):
    """Values kept between builds, by a key made of digests of everything they were made from."""

    def get(self, key: Any) -> Any: ...
    def put(self, key: Any, value: Any) -> None: ...


class FileMemo(Memo, Protocol):
    """A Memo that also knows the digest of each content file it was told of, by the file's metadata."""

    def file_digest(self, path: str, signature: Signature) -> str | None: ...
    def remember_file(self, path: str, signature: Signature, file_digest: str) -> None: ...
