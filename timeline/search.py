"""The static search index: Pagefind, run over the finished site before it is swapped in.

The event pages are split into shards by a hash of their slug, and each shard is its own Pagefind
bundle (pagefind/<key>/), named after a digest of its pages' bytes. The browser loads the first and
merges the others into it (Pagefind's mergeIndex), so a search still runs over every page. Why:
- an edit changes one page, so one shard is indexed again and the others are reused from the
  store (the build cache's search/ folder) — a rebuild indexes a few hundred pages, not all;
- two shards are indexed at a time, one per core (one Pagefind run uses little more than one);
- an indexer holds one shard in memory, not the whole site.
A shard is reused only under the name its pages' bytes give it, so it cannot be stale.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from functools import partial
from importlib import metadata
from pathlib import Path

from .memo import RACY_NS
from .processes import die_with_parent

# Bump when anything below changes what a shard holds (the options, the files kept).
FORMAT = "1"
SHARD_PAGES = 160  # about this many pages per shard: one costs about 0.15 s to index
MAX_SHARDS = 32  # the browser fetches a little of each shard on every search
# Pagefind writes its user interfaces too: search.js is this site's own, so they are left out.
_NOT_KEPT = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
             "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
_WORK = ".pagefind-work"  # in the staging folder: each shard's pages, linked for its indexer; removed after


class SearchIndexError(Exception):
    pass


def shard_count(pages: int) -> int:
    return max(1, min(MAX_SHARDS, -(-pages // SHARD_PAGES)))


def shard_of(slug: str, shards: int) -> int:
    """Stable across builds: an edited event stays in its shard."""
    return int.from_bytes(hashlib.blake2b(slug.encode("utf-8"), digest_size=8).digest(), "big") % shards


def index_for_search(site_dir: Path, store: Path | None = None, slugs: Iterable[str] | None = None) -> None:
    """Write site_dir/pagefind/: the shards, shards.json (their order) and topics.json.

    `slugs`: the events whose pages (events/<slug>/index.html) are indexed; by default, every
    page there. Only the event pages are indexed (their article is marked data-pagefind-body).
    With `store`, each shard indexed is kept there, and a shard whose pages are unchanged is taken
    from it. When `site_dir` is the site before last, brought up to date (write.py), the shards of
    its index that are still wanted stay as they are; the rest of its index is removed.
    """
    Indexing(site_dir, store, slugs).finish()


class Indexing:
    """The search index of one build: begun as soon as its event pages are written, so that
    Pagefind runs while the build makes its lists and exports (cli.py), and finished before the
    new site is swapped in. Its first shards start at once; the others as those end, from
    finish(). Pagefind's processes are killed if the build dies (on Linux; see
    processes.die_with_parent). Make it from the thread that finishes it, with no other running.
    """

    def __init__(self, site_dir: Path, store: Path | None = None, slugs: Iterable[str] | None = None) -> None:
        self.site_dir, self.store = site_dir, store
        pages = _event_pages(site_dir) if slugs is None else [
            (slug, os.path.join(site_dir, "events", slug, "index.html")) for slug in sorted(slugs)]
        count = shard_count(len(pages))
        groups: list[list[Path]] = [[] for _ in range(count)]
        for slug, page in pages:
            groups[shard_of(slug, count)].append(Path(page))
        self.binary = _binary()
        version = _identity(self.binary)
        digests = _page_digests(pages, store)
        self.keys = [_shard_key(version, number, count, [(page.parent.name, digests[page.parent.name]) for page in group])
                     for number, group in enumerate(groups)]
        self.index_dir = site_dir / "pagefind"
        self.stored = {key for key in self.keys if store is not None and (store / key).is_dir()}
        self.present = _keep_wanted(self.index_dir, set(self.keys), store, self.stored)
        self.index_dir.mkdir(exist_ok=True)
        missing = [(key, group) for key, group in zip(self.keys, groups, strict=True)
                   if key not in self.stored | self.present]
        self.shards = _Shards(self.binary, site_dir, missing)

    def finish(self) -> None:
        """Wait for the shards still being indexed, then put the index together."""
        try:
            self.shards.wait()
        finally:
            _remove_work(self.site_dir)
        store, index_dir = self.store, self.index_dir
        for key in self.keys:
            if key in self.present:
                if store is not None and key not in self.stored:
                    _keep(index_dir / key, store, key)
            elif key in self.stored:
                _link_tree(store / key, index_dir / key)  # type: ignore[operator]  # stored implies a store
            else:
                _tidy(index_dir / key)
                if store is not None:
                    _keep(index_dir / key, store, key)
        if store is not None:
            _forget_others(store, set(self.keys))
        (index_dir / "shards.json").write_text(json.dumps({"shards": self.keys}) + "\n", encoding="utf-8")
        _merge_topics(index_dir, self.keys)

    def cancel(self) -> None:
        """Stop the indexers still running (the build failed before its swap)."""
        self.shards.stop()
        _remove_work(self.site_dir)


def _event_pages(site_dir: Path) -> list[tuple[str, str]]:
    """(slug, path) of every event page, by slug: strings, not pathlib's objects (thousands)."""
    events = os.path.join(site_dir, "events")
    try:
        with os.scandir(events) as entries:
            slugs = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return []
    found = []
    for slug in slugs:
        page = os.path.join(events, slug, "index.html")
        if os.path.isfile(page):
            found.append((slug, page))
    return found


def _keep_wanted(index_dir: Path, keys: set[str], store: Path | None, stored: set[str]) -> set[str]:
    """The shards an index already in the folder (the spare's) holds under a wanted key; everything
    else in it is removed. Such a shard was written whole before its site was swapped in, and its
    name is the digest of its pages: it is the shard this build would make. One the store also
    holds is kept only if it is still made of the store's very files (someone may have edited the
    published site's copy)."""
    present: set[str] = set()
    if not index_dir.is_dir() or index_dir.is_symlink():
        _remove(index_dir)
        return present
    with os.scandir(index_dir) as listing:
        entries = list(listing)  # listed whole before anything in it is removed
    for entry in entries:
        shard = Path(entry.path)
        if entry.name in keys and entry.is_dir(follow_symlinks=False) and (
                store is None or entry.name not in stored or _same_files(store / entry.name, shard)):
            present.add(entry.name)
        else:
            _remove(shard)
    return present


def _same_files(original: Path, copy: Path) -> bool:
    """Whether `copy` holds the very files of `original` (hard links to them), and nothing else."""
    for folder, subfolders, names in os.walk(original):
        relative = os.path.relpath(folder, original)
        there = os.path.join(copy, relative)
        try:
            with os.scandir(there) as entries:
                found = {entry.name: entry for entry in entries}
        except OSError:
            return False
        if set(found) != set(names) | set(subfolders):
            return False
        for name in names:
            entry = found[name]
            if entry.is_symlink() or entry.inode() != os.lstat(os.path.join(folder, name)).st_ino:
                return False
        if any(not found[name].is_dir(follow_symlinks=False) for name in subfolders):
            return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _identity(binary: list[str]) -> str:
    """Which Pagefind makes the shards, for their names: its version. Not its path or file times,
    which differ from one machine to the next: the same site must get the same names anywhere."""
    for package in ("pagefind_bin", "pagefind"):
        try:
            return f"pagefind {metadata.version(package)}"
        except metadata.PackageNotFoundError:
            continue
    return "pagefind " + " ".join(binary)


def _shard_key(version: str, number: int, count: int, pages: list[tuple[str, str]]) -> str:
    h = hashlib.blake2b(digest_size=10)
    for part in (FORMAT, version, f"{number}/{count}", *(f"{slug} {page}" for slug, page in pages)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def _page_digests(pages: list[tuple[str, str]], store: Path | None) -> dict[str, str]:
    """Each page's digest, by slug. A page the store saw with the same inode, time and size is the
    same file (pages are never rewritten in place: a changed page is a new file), so it is not read
    again. Each slug keeps the files of the last two builds: a rebuild updates the site before
    last (the spare), whose unchanged pages are that build's files. A page written less than
    RACY_NS ago is not remembered, in case it changes within the file system's clock tick."""
    seen_file = store / "pages.json" if store is not None else None
    try:
        seen = json.loads(seen_file.read_text(encoding="utf-8")) if seen_file is not None else {}
    except (OSError, ValueError):
        seen = {}
    seen = seen if isinstance(seen, dict) else {}
    digests, remembered = {}, {}
    recent = time.time_ns() - RACY_NS
    for slug, page in pages:
        info = os.stat(page)
        signature = [info.st_ino, info.st_mtime_ns, info.st_size]
        known = [entry for entry in seen.get(slug, ()) if isinstance(entry, list) and len(entry) == 4]
        found = next((entry[3] for entry in known if entry[:3] == signature), None)
        if not isinstance(found, str):
            with open(page, "rb") as handle:
                found = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
        digests[slug] = found
        kept = [entry for entry in known if entry[:3] != signature][:1]  # the other build's file
        remembered[slug] = ([[*signature, digests[slug]]] if info.st_mtime_ns < recent else []) + kept
    if seen_file is not None:
        seen_file.parent.mkdir(parents=True, exist_ok=True)
        unfinished = seen_file.with_name(".pages.json.partial")
        unfinished.write_text(json.dumps(remembered, sort_keys=True), encoding="utf-8")
        os.replace(unfinished, seen_file)
    return digests


def _binary() -> list[str]:
    """Pagefind's own executable (pip's pagefind_bin), or pip's wrapper when it is not found:
    the wrapper is a Python process started for each shard (about 50 ms each)."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]  # ships no types

        found = pagefind_bin.get_executable()
    except (ImportError, OSError):
        found = None
    return [str(found)] if found else [sys.executable, "-m", "pagefind"]


class _Shards:
    """Pagefind over each shard's pages, two shards at a time: the first start when this is made,
    and the next as soon as either running one ends (their stderr pipes close when they do)."""

    def __init__(self, binary: list[str], site_dir: Path, shards: list[tuple[str, list[Path]]]) -> None:
        self.binary, self.site_dir = binary, site_dir
        self.todo = iter(shards)
        self.running: dict[int, tuple[subprocess.Popen[bytes], list[bytes]]] = {}
        self.waiting = selectors.DefaultSelector()
        self.failure: str | None = None
        try:
            self._start(max(1, min(2, os.cpu_count() or 1)))
        except OSError as error:
            self.failure = f"Pagefind could not run: {error}"
            self.stop()

    def _start(self, count: int) -> None:
        for key, group in _take(self.todo, count):
            process = _start(self.binary, self.site_dir, key, group)
            assert process.stderr is not None
            self.running[process.stderr.fileno()] = (process, [])
            self.waiting.register(process.stderr, selectors.EVENT_READ)

    def wait(self) -> None:
        """Until every shard is indexed; raises SearchIndexError if Pagefind failed on one."""
        try:
            deadline = time.monotonic() + 600
            while self.running:
                ready = self.waiting.select(timeout=max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise subprocess.TimeoutExpired("pagefind", 600)
                for found, _ in ready:
                    self._read(found)
        except (OSError, subprocess.TimeoutExpired) as error:
            self.failure = self.failure or f"Pagefind could not run: {error}"
        finally:
            self.stop()
        if self.failure is not None:
            raise SearchIndexError(self.failure)

    def _read(self, found: selectors.SelectorKey) -> None:
        process, errors = self.running[found.fd]
        chunk = os.read(found.fd, 65536)
        if chunk:
            errors.append(chunk)
            return
        self.waiting.unregister(found.fileobj)
        del self.running[found.fd]
        process.wait()
        process.stderr.close()  # type: ignore[union-attr]  # a pipe: see _start
        if process.returncode != 0 and self.failure is None:
            detail = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
            self.failure = "Pagefind failed: " + (detail[-1] if detail else f"exit status {process.returncode}")
        if self.failure is None:
            self._start(1)

    def stop(self) -> None:
        for process, _ in self.running.values():
            process.kill()
            process.wait()
            process.stderr.close()  # type: ignore[union-attr]
        self.running.clear()
        self.waiting.close()


def _take(items: Iterator[tuple[str, list[Path]]], count: int) -> list[tuple[str, list[Path]]]:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) == count:
            break
    return taken


def _start(binary: list[str], site_dir: Path, key: str, pages: list[Path]) -> subprocess.Popen[bytes]:
    """Pagefind over one shard: its pages linked into a folder of their own (a glob naming them
    costs Pagefind a walk of the whole site per shard)."""
    work = site_dir / _WORK / key
    for page in pages:
        folder = work / "events" / page.parent.name
        folder.mkdir(parents=True)
        os.link(page, folder / "index.html")  # the staging folder's own file system
    return subprocess.Popen(
        [*binary, "--site", str(work), "--output-path", str(site_dir / "pagefind" / key), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        # The build has no other thread here, so running Python between fork and exec is safe.
        preexec_fn=partial(die_with_parent, os.getpid()),  # noqa: PLW1509 — see the comment above
    )


def _remove_work(site_dir: Path) -> None:
    """The shards' folders of links, taken apart link by link (only what _start made is there)."""
    work = site_dir / _WORK
    if not work.is_dir():
        return
    for folder, subfolders, names in os.walk(work, topdown=False):
        for name in names:
            os.unlink(os.path.join(folder, name))
        for name in subfolders:
            os.rmdir(os.path.join(folder, name))
    os.rmdir(work)


def _tidy(shard: Path) -> None:
    for name in _NOT_KEPT:
        (shard / name).unlink(missing_ok=True)
    write_topic_index(shard)


def _keep(shard: Path, store: Path, key: str) -> None:
    """Link a new shard into the store, under its key only once it is complete: a build killed
    meanwhile leaves a .partial- folder, never a shard with files missing."""
    store.mkdir(parents=True, exist_ok=True)
    unfinished = store / f".partial-{key}"
    shutil.rmtree(unfinished, ignore_errors=True)
    _link_tree(shard, unfinished)
    os.replace(unfinished, store / key)


_STORED = re.compile(r"(?:\.partial-)?[0-9a-f]{20}\Z")  # the names this module gives, and only those


def _forget_others(store: Path, keys: set[str]) -> None:
    """The store keeps the shards of the last build only, so it never outgrows the site; it
    deletes nothing it did not name."""
    for entry in store.iterdir() if store.is_dir() else ():
        if entry.name not in keys and _STORED.match(entry.name):
            shutil.rmtree(entry, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    """A copy of a folder made of hard links (copies across file systems). Nobody writes into
    these files: the writer and Pagefind only ever make new ones."""
    for folder, _, names in os.walk(source):
        relative = os.path.relpath(folder, source)
        destination = target / relative if relative != "." else target
        destination.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(os.path.join(folder, name), destination / name)
            except OSError:
                shutil.copy2(os.path.join(folder, name), destination / name)


def _merge_topics(index_dir: Path, keys: list[str]) -> None:
    """pagefind/topics.json, every shard's in one, and pagefind/order.json, every page's id by
    date: a merged search sorts by score, so search.js puts a date-ordered list back in order."""
    merged: dict[str, list[str]] = {}
    dates: dict[str, str] = {}
    for key in keys:
        for topic, ids in json.loads((index_dir / key / "topics.json").read_text(encoding="utf-8")).items():
            merged.setdefault(topic, []).extend(ids)
        dates.update(json.loads((index_dir / key / "dates.json").read_text(encoding="utf-8")))
    text = json.dumps({t: sorted(ids) for t, ids in sorted(merged.items())}, separators=(",", ":"))
    (index_dir / "topics.json").write_text(text + "\n", encoding="utf-8")
    order = sorted(dates, key=lambda page: (dates[page], page))
    (index_dir / "order.json").write_text(json.dumps(order, separators=(",", ":")) + "\n", encoding="utf-8")


_FRAGMENT_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the JSON of each page's fragment


def write_topic_index(index_dir: Path) -> None:
    """index_dir/topics.json: {topic: [Pagefind's id of each page on it]}, and dates.json: {id: date}.

    Pagefind's own filters would do this, but they make its index differ from one build of the
    same site to the next (its filter files are written in hash-map order), and builds here are
    byte for byte reproducible. Each page's id is the name of its fragment file, which Pagefind
    makes from the page's content; the topics come from the page's `topics` metadata.
    """
    topics: dict[str, list[str]] = {}
    dates: dict[str, str] = {}
    for fragment in sorted((index_dir / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(_FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"Pagefind wrote a page fragment this build cannot read: {fragment.name}")
        meta = json.loads(data[len(_FRAGMENT_SIGNATURE):]).get("meta", {})
        page = fragment.name.removesuffix(".pf_fragment")
        for topic in meta.get("topics", "").split():
            topics.setdefault(topic, []).append(page)
        dates[page] = meta.get("date", "")
    text = json.dumps(dict(sorted(topics.items())), separators=(",", ":"))
    (index_dir / "topics.json").write_text(text + "\n", encoding="utf-8")
    (index_dir / "dates.json").write_text(json.dumps(dates, sort_keys=True) + "\n", encoding="utf-8")
