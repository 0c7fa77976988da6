"""What earlier builds computed, kept between builds and keyed by digests of everything it depends on.

An entry's key is a digest of its inputs' bytes (the event file, the files of its sources, the
templates, site.yaml, the generator's own code), so an edited input simply finds nothing and is
rendered again: there is nothing to invalidate by hand. Pages are not stored: the previous
output is. The cache remembers which key produced each output file and that file's size and
modification time, and an unchanged page is linked from the previous output instead of rendered.
Entries not used by a build are dropped when it is saved, so the cache never outgrows the site.
"""

from __future__ import annotations

import gc
import os
import pickle
import secrets
import tempfile
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .memo import IN_MEMORY_ONLY, RACY_NS, Signature
from .outputs import Generation, OutputRecord, Reuse, Unchanged

FORMAT = 5  # bump when the layout of the stored data changes
# A build saves only what changed since the last full save ("the base"), into cache.delta.pickle,
# until the new or changed entries are more than this share of the base's; then a new base.
DELTA_SHARE = 0.2


class _SafeUnpickler(pickle.Unpickler):
    """Unpickles only what a cache holds (built-in values and these few classes): a cache file
    that someone replaced cannot make the build run code."""

    ALLOWED = {("timeline.outputs", "OutputRecord"), ("timeline.outputs", "Generation")} | {
        ("timeline.model", name) for name in
        ("Location", "EventDate", "Source", "Citation", "Correction", "ClaimReview", "Event")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


@dataclass
class BuildCache:
    folder: Path | None  # None: remember nothing between builds (one build still shares its work)
    salt: str = ""
    memo: dict[Hashable, Any] = field(default_factory=dict)  # from the previous build
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # from the previous build
    used: dict[Hashable, Any] = field(default_factory=dict)  # what this build used or made
    produced: dict[str, str] = field(default_factory=dict)  # output path → key, for this build
    intact: set[str] = field(default_factory=set)  # the paths of `produced` kept as they were
    files: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # content file → (size, times, inode), digest
    live_id: str = ""  # the id of the output the last build wrote ...
    live_paths: frozenset[str] = frozenset()  # ... and every file in it
    live_mark: tuple[int, int] | None = None  # ... and its folder's inode and ctime: is it still that output?
    spare: Generation | None = None  # the output before it, kept beside the live one for reuse
    in_place_paths: frozenset[str] | None = None  # what the preview's last rebuild wrote (in memory only)
    _base: dict[str, Any] | None = field(default=None, repr=False)  # the last full save, which a delta is made against
    seen_files: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # content file records, for this build

    @classmethod
    def open(cls, folder: Path | None, salt: str) -> BuildCache:
        cache = cls(folder, salt)
        if folder is None:
            return cache
        collecting = gc.isenabled()  # a build (cli.main) runs without the collector: it stays off
        gc.disable()  # tens of thousands of new objects: collecting during the load only costs time
        try:
            base = _load(folder / "cache.pickle", salt)
            delta = _load(folder / "cache.delta.pickle", salt) if base else None
        finally:
            if collecting:
                gc.enable()
            gc.freeze()  # and they live as long as the build: never scan them again
        if base is None:  # missing, truncated, from another version, or tampered with: build everything
            return cache
        cache._base = base
        state = dict(base)
        if delta is not None and delta.get("base_id") == base.get("base_id"):
            for name in ("memo", "files", "outputs"):
                merged = dict(base[name])
                merged.update(delta[name + "_set"])
                for key in delta[name + "_del"]:
                    merged.pop(key, None)
                state[name] = merged
            state.update({k: delta[k] for k in ("live_id", "live_paths", "live_mark", "spare")})
        cache.memo, cache.outputs, cache.files = state["memo"], state["outputs"], state["files"]
        cache.live_id, cache.live_paths = state["live_id"], state["live_paths"]
        cache.live_mark, cache.spare = state["live_mark"], state["spare"]
        return cache

    def output_is_live(self, out_dir: Path) -> bool:
        """True when `out_dir` is the very folder the last saved build swapped in (same inode and
        ctime): then it may be kept as the next spare under the id the cache knows it by."""
        try:
            info = os.stat(out_dir)
        except OSError:
            return False
        return self.live_mark is not None and self.live_mark == (info.st_ino, info.st_ctime_ns)

    def file_digest(self, path: str, signature: Signature) -> str | None:
        """The digest of a content file, if it was read before with exactly this metadata."""
        record = self.seen_files.get(path) or self.files.get(path)
        if record is None or record[0] != signature:
            return None
        self.seen_files[path] = record
        return record[1]

    def remember_file(self, path: str, signature: Signature, file_digest: str) -> None:
        _size, mtime_ns, _ctime_ns, _inode = signature
        if mtime_ns < time.time_ns() - RACY_NS:
            self.seen_files[path] = (signature, file_digest)
        else:
            self.seen_files.pop(path, None)

    def get(self, key: Hashable) -> Any:
        if key in self.used:
            return self.used[key]
        value = self.memo.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.folder is not None and isinstance(key, tuple) and key[0] in IN_MEMORY_ONLY:
            # Each text's HTML is kept by the preview's cache, which lives in memory. A cache kept
            # on disk is a build's: on disk the HTML would double the cache for little (a page
            # whose text is unchanged is not rendered again), and in memory it would be held to
            # the end of the build for nothing (each text is used while its event is rendered).
            return
        self.used[key] = value

    def reuse(self, out_dir: Path | None) -> Reuse:
        """What the stages are given of the cache for their output files: `kept(path, key)` is
        `Unchanged(key)` when the previous output's file at `path` was made from `key` and is
        intact (then it is kept, not made again), else None. Every key asked is recorded."""
        def kept(path: str, key: str) -> Unchanged | None:
            self.produced[path] = key
            if out_dir is not None and self.unchanged(path, key, out_dir):
                self.intact.add(path)
                return Unchanged(key)
            return None
        return kept

    def unchanged(self, path: str, key: str, out_dir: Path) -> bool:
        """True when the file at `path` in the previous output was made from `key` and is intact."""
        record = self.outputs.get(path)
        if record is None or record.key != key:
            return False
        try:
            stat = os.stat(os.path.join(out_dir, path))  # not pathlib: thousands of calls
        except OSError:
            return False
        return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns

    def save(self, out_dir: Path, persist: bool = True, written: frozenset[str] = frozenset(),
             kept: str | None = None) -> None:
        """Keep what this build used, and the key and stat of every file it wrote or kept.

        `written` is every path of the new output; `kept` the id under which write_site kept the
        output it replaced (None: not kept). Afterwards the cache is ready for the next build in
        this process (the preview's case); `persist` also writes it to its folder for the next
        run of the program.
        """
        outputs = {}
        for path, key in self.produced.items():
            if path in self.intact:  # kept (linked, or left in place) with the stat it was checked with
                outputs[path] = self.outputs[path]
                continue
            try:
                stat = os.stat(out_dir / path)
            except OSError:
                continue
            outputs[path] = OutputRecord(key, stat.st_size, stat.st_mtime_ns)
        self.spare = Generation(kept, self.outputs, self.live_paths) if kept and kept == self.live_id else None
        self.live_id, self.live_paths = secrets.token_hex(8), written
        try:
            info = os.stat(out_dir)
            self.live_mark = (info.st_ino, info.st_ctime_ns) if persist else None
        except OSError:
            self.live_mark = None
        self.memo, self.outputs, self.used, self.produced, self.intact = self.used, outputs, {}, {}, set()
        self.files, self.seen_files = self.seen_files, {}
        if self.folder is None or not persist:
            return
        state = {"format": FORMAT, "salt": self.salt, "memo": self.memo, "outputs": self.outputs,
                 "files": self.files, "live_id": self.live_id, "live_paths": self.live_paths,
                 "live_mark": self.live_mark, "spare": self.spare}
        self.folder.mkdir(parents=True, exist_ok=True)
        for leftover in self.folder.glob(".cache-*"):  # from a build killed while saving
            leftover.unlink(missing_ok=True)
        delta = _delta(self._base, state) if self._base else None
        if delta is not None:
            _dump(delta, self.folder / "cache.delta.pickle")
            return
        state["base_id"] = secrets.token_hex(8)
        _dump(state, self.folder / "cache.pickle")
        # A delta left now has another base_id: it is never applied, but it need not stay.
        (self.folder / "cache.delta.pickle").unlink(missing_ok=True)
        self._base = state


def _load(path: Path, salt: str) -> dict[str, Any] | None:
    """A stored state or delta of this format and salt, or None (missing, corrupt or stale)."""
    try:
        with open(path, "rb") as handle:
            stored = _SafeUnpickler(handle).load()
    except Exception:  # noqa: BLE001 — a damaged cache of any kind means: build everything
        return None
    if not (isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("salt") == salt):
        return None
    return stored if _well_formed(stored) else None


def _well_formed(stored: dict[str, Any]) -> bool:
    is_base = "memo" in stored
    maps = ("memo", "files", "outputs") if is_base else ("memo_set", "files_set", "outputs_set")
    if not all(isinstance(stored.get(name), dict) for name in maps):
        return False
    if not is_base and not all(isinstance(stored.get(f"{name}_del"), list) for name in ("memo", "files", "outputs")):
        return False
    outputs = stored[maps[2]]
    spare = stored.get("spare")
    return (all(isinstance(r, OutputRecord) for r in outputs.values())
            and isinstance(stored.get("live_id"), str) and isinstance(stored.get("live_paths"), frozenset)
            and (spare is None or isinstance(spare, Generation))
            and (stored.get("live_mark") is None or isinstance(stored["live_mark"], tuple)))


def _delta(base: dict[str, Any], state: dict[str, Any]) -> dict[str, Any] | None:
    """What changed from `base` to `state`, or None when that is too much to be worth a delta."""
    delta = {k: state[k] for k in ("format", "salt", "live_id", "live_paths", "live_mark", "spare")}
    delta["base_id"] = base.get("base_id")
    changes = removals = 0
    for name in ("memo", "files", "outputs"):
        old, new = base[name], state[name]
        # Entries kept from the base are the very objects it loaded: `is` finds them at once.
        changed = {k: v for k, v in new.items() if (o := old.get(k, _MISSING)) is not v and o != v}
        removed = [k for k in old if k not in new]
        delta[name + "_set"], delta[name + "_del"] = changed, removed
        changes, removals = changes + len(changed), removals + len(removed)
    size = sum(len(base[name]) for name in ("memo", "files", "outputs"))
    # A removal is only a key in the delta, but the base still loads its value: up to half of it.
    return delta if changes <= DELTA_SHARE * size and removals <= size / 2 else None


_MISSING = object()


def _dump(data: dict[str, Any], path: Path) -> None:
    """Write atomically: a build killed meanwhile leaves the old file, and a .cache-* to delete."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
