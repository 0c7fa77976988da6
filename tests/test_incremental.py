"""An incremental build's output is byte-identical to a clean build's, whatever happened between."""

from __future__ import annotations

import functools
import json
import os
import random
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT, SITE_YAML, tree

from timeline import processes, render, search, validate
from timeline.cli import main

SOURCE = "url: https://example.org/{n}\ntitle: Source {n}\npublisher: Publisher {n}\npublished: '2024-0{m}-01'\n"


def event_text(n: int, date: str, sources: list[int], words: str = "") -> str:
    listed = "".join(f"  - source-{s}\n" for s in sources)
    body = "\n\n".join(f"Paragraph {p} of event {n}{words}.[^source-{s}]" for p, s in enumerate(sources, 1))
    return (f"---\ntitle: Event {n}\ndate: '{date}'\nsummary: Event {n} happened.[^source-{sources[0]}]\n"
            f"tags: [t{n % 3}]\nsources:\n{listed}---\n{body}\n")



@pytest.fixture
def project(tmp_path):
    content = tmp_path / "content"
    (content / "events").mkdir(parents=True)
    (content / "sources").mkdir()
    (content / "site.yaml").write_text(SITE_YAML)
    for n in range(1, 9):
        (content / "sources" / f"source-{n}.yaml").write_text(SOURCE.format(n=n, m=1 + n % 9))
    (content / "sources" / "source-1.txt").write_text("The stored text of source one.\n")
    for n in range(1, 21):
        date = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
        (content / "events" / f"{date}-event-{n}.md").write_text(event_text(n, date, [1 + n % 8, 1 + (n + 3) % 8]))
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    shutil.copytree(PROJECT / "static", tmp_path / "static")
    return tmp_path


def build_site(project: Path, out: str, *extra: str, search: bool = False) -> dict[str, bytes]:
    args = ["--content", str(project / "content"), "--templates", str(project / "templates"),
            "--static", str(project / "static"), "--out", str(project / out), *extra]
    if not search:
        args.append("--no-search")
    assert main(args) == 0
    return tree(project / out)


build = build_site


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def operations(project: Path):
    """Edits of every kind an editor or a developer makes, each a (name, action) pair."""
    content = project / "content"
    events = lambda: sorted((content / "events").glob("*.md"))

    def edit_body():
        edit(events()[3], "Paragraph 1", "Paragraph one, edited,")

    def edit_title():
        edit(events()[5], "title: Event", "title: Renamed event")

    def edit_source():  # every event citing it changes
        edit(content / "sources" / "source-2.yaml", "title: Source 2", "title: Source two, corrected")

    def add_snapshot_and_quote():
        (content / "sources" / "source-3.txt").write_text("Words of source three.\n")
        path = next(p for p in events() if "  - source-3\n" in p.read_text())
        edit(path, "  - source-3\n", "  - id: source-3\n    quote: Words of source three.\n")

    def delete_event():
        events()[0].unlink()

    def rename_event():  # a new slug: the old page must go, the new one appear
        path = events()[1]
        path.rename(path.with_name(path.name.replace("event-", "renamed-event-")))

    def add_event():
        (content / "events" / "2025-01-02-event-99.md").write_text(event_text(99, "2025-01-02", [4, 5]))

    def add_correction():
        edit(events()[2], "---\nParagraph", "corrections:\n  - date: '2025-02-01'\n    text: A fix.\n---\nParagraph")

    def edit_template():
        edit(project / "templates" / "event.html", "Back to this event in the timeline", "Back to the timeline")

    def edit_macro():  # cards change: every list page and every event page
        edit(project / "templates" / "macros.html", ">Sources<", ">Sources cited<")

    def edit_site():
        edit(content / "site.yaml", "title: Test timeline", "title: Test timeline, renamed")

    def edit_static():
        (project / "static" / "extra.css").write_text("p { margin: 0; }\n")

    def make_draft():
        edit(events()[4], "---\nParagraph", "draft: true\n---\nParagraph")

    def edit_keeping_size():  # same length; with aged files, the same mtime too: only ctime tells
        edit(events()[6], "happened.", "happenxd.")

    def edit_snapshot_keeping_size():
        path = content / "sources" / "source-1.txt"
        path.write_text(path.read_text().replace("one", "eno"))

    return [edit_body, edit_title, edit_source, add_snapshot_and_quote, delete_event, rename_event, add_event,
            add_correction, edit_template, edit_macro, edit_site, edit_static, make_draft, edit_keeping_size,
            edit_snapshot_keeping_size]


def age(project: Path) -> None:
    """Give every content file the same old mtime, so the cache trusts file metadata ("racy" files,
    modified within the last two seconds, are always read)."""
    for path in (project / "content").rglob("*"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


OLD_NS = 1_600_000_000 * 10**9


def test_one_edited_event_indexes_one_shard_again(project, monkeypatch):
    """The other shards of the search index are the stored ones, and the site equals a clean build."""
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    # The indexer runs in a process of its own: Pagefind is run through a script that notes the
    # shard each run writes (its --output-path, pagefind/<key>) in a file.
    log = project / "indexed.log"
    noting = project / "noting-pagefind"
    real = search._binary()
    noting.write_text(f"#!/bin/sh\nprev=''\nfor arg; do [ \"$prev\" = --output-path ] && basename \"$arg\" >> '{log}'; "
                      f"prev=$arg; done\nexec {' '.join(map(shlex.quote, real))} \"$@\"\n")
    noting.chmod(0o755)
    monkeypatch.setattr(search, "_binary", lambda: [str(noting)])

    def indexed() -> list[str]:
        keys = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        return keys

    build_site(project, "incremental", search=True)
    shards = json.loads((project / "incremental" / "pagefind" / "shards.json").read_text())["shards"]
    assert sorted(indexed()) == sorted(shards) and len(shards) == 5
    edit(sorted((project / "content" / "events").glob("*.md"))[3], "Paragraph 1", "Paragraph one, edited,")
    incremental = build_site(project, "incremental", search=True)
    after = json.loads((project / "incremental" / "pagefind" / "shards.json").read_text())["shards"]
    assert [a == b for a, b in zip(shards, after, strict=True)].count(False) == 1
    assert indexed() == [key for key in after if key not in shards]
    assert incremental == build_site(project, "clean", "--no-cache", search=True)
    assert sorted(p.name for p in (project / ".timeline-cache" / "search").iterdir() if p.name != "pages.json") == sorted(after)


def test_the_shard_store_deletes_only_the_shards_it_made(project, monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    store = project / ".timeline-cache" / "search"
    build_site(project, "_site", search=True)
    mine = sorted(p.name for p in store.iterdir())
    (store / "notes.txt").write_text("an editor's file")
    (store / "abc").mkdir()
    (store / (".partial-" + "0" * 20)).mkdir()  # left by a build killed while storing a shard
    edit(min((project / "content" / "events").glob("*.md")), "Paragraph 1", "Paragraph one, edited,")
    build_site(project, "_site", search=True)
    left = sorted(p.name for p in store.iterdir())
    assert "notes.txt" in left and "abc" in left and ".partial-" + "0" * 20 not in left
    assert len(set(mine) - set(left)) == 1  # the edited event's old shard


def test_a_shard_of_the_spare_sites_index_is_reused_only_while_intact(project, monkeypatch):
    """A rebuild updates the site before last (the spare) and keeps the shards of its index that
    are still wanted: one whose files were edited by hand meanwhile is taken from the store again."""
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    events = sorted((project / "content" / "events").glob("*.md"))
    build_site(project, "_site", search=True)
    edit(events[0], "Paragraph 1", "Paragraph one, edited,")
    build_site(project, "_site", search=True)  # the first build's site is now the spare
    spares = list(project.glob("._site.spare-*"))
    assert len(spares) == 1
    shards = sorted(p for p in (spares[0] / "pagefind").iterdir() if p.is_dir())
    fragment = next((shards[0] / "fragment").iterdir())
    fragment.unlink()  # a file gone
    index = next((shards[1] / "index").iterdir())
    data = index.read_bytes()
    index.unlink()
    index.write_bytes(data)  # the same bytes in a new file: not the store's file any more
    (shards[2] / "extra.txt").write_text("someone's note")  # a file added
    edit(events[1], "Paragraph 1", "Paragraph one, edited,")
    assert build_site(project, "_site", search=True) == build_site(project, "clean", "--no-cache", search=True)


@pytest.mark.parametrize("parallel, aged, paged, searched", [
    (False, False, False, False), *(pytest.param(*case, marks=pytest.mark.slow) for case in  # the fast tier runs the first
                                    [(True, False, False, False), (False, True, False, False),
                                     (False, False, True, False), (True, True, True, False), (False, False, False, True)])],
    ids=["one-process", "worker-processes", "aged-files", "pages-per-year", "all-three", "with-search-index"])
def test_after_every_kind_of_change_incremental_equals_clean(project, monkeypatch, parallel, aged, paged, searched):
    """`aged`: content files look old, so the cache trusts their metadata and skips reading them.
    `paged`: a timeline long enough for pages per year, whose list pages are kept when unchanged.
    `searched`: with the search index, in shards of 4 pages, reused from the cache while unchanged."""
    monkeypatch.setattr(processes, "PARALLEL_FROM", 1 if parallel else 10**9)
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    if paged:
        monkeypatch.setattr(render, "LIST_LIMIT", 6)
    if aged:
        age(project)
    build = functools.partial(build_site, search=searched)
    incremental = build(project, "incremental")
    assert incremental == build(project, "clean", "--no-cache")
    steps = operations(project)
    random.Random(7).shuffle(steps)  # a fixed, mixed order: each change lands on a warm cache
    for step in steps:
        step()
        if aged:
            age(project)
        incremental = build(project, "incremental")
        clean = build(project, "clean", "--no-cache")
        assert sorted(incremental) == sorted(clean), step.__name__
        for path in clean:
            assert incremental[path] == clean[path], (step.__name__, path)


def test_a_warm_build_reuses_unchanged_pages_and_redoes_tampered_ones(project):
    build(project, "_site")
    page = project / "_site/events/event-1/index.html"
    before = page.stat().st_ino
    build(project, "_site")
    assert page.stat().st_ino == before  # kept from the previous output, not written again

    page.write_bytes(b"tampered")  # someone edited the output by hand
    rebuilt = build(project, "_site")
    assert rebuilt["events/event-1/index.html"].startswith(b"<!doctype html>")
    assert rebuilt == build(project, "clean", "--no-cache")


def test_a_build_with_a_cache_runs_without_the_cycle_collector_to_the_end(project, monkeypatch):
    """main() turns the collector off for a build; opening the cache used to turn it back on for
    the rest of the build (a fifth of the time of a big one). Seen from the last stage: writing."""
    import gc

    from timeline import cli

    seen = []
    finish = cli.SiteWriter.finish

    def noting(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return finish(self, *args, **kwargs)

    monkeypatch.setattr(cli.SiteWriter, "finish", noting)
    build(project, "_site")  # no cache yet
    build(project, "_site")  # the cache read back
    assert seen == [False, False]
    assert gc.isenabled()  # and main() gives it back


def test_a_cache_from_other_code_or_a_corrupt_cache_is_ignored(project):
    build(project, "_site")
    cache = project / ".timeline-cache" / "cache.pickle"
    assert cache.is_file()
    cache.write_bytes(b"not a pickle")
    assert build(project, "_site") == build(project, "clean", "--no-cache")


def test_a_build_stopped_before_saving_its_cache_never_leaves_stale_pages(project, monkeypatch):
    """Stopped after the swap (the old site kept as the spare) but before the cache is saved: the
    cache still describes the site before. Neither the live site nor the spare may be taken for
    what the cache says they are, or a page of the stopped build would outlive its event."""
    from timeline.cache import BuildCache

    events = project / "content" / "events"
    extra = events / "2025-03-03-event-77.md"
    build(project, "_site")
    (events / "2025-01-02-event-99.md").write_text(event_text(99, "2025-01-02", [4, 5]))
    build(project, "_site")  # from here on the site before is kept as a spare
    extra.write_text(event_text(77, "2025-03-03", [1, 2]))

    def stopped(self, *args, **kwargs):
        raise KeyboardInterrupt  # as if killed: nothing of this build is saved in the cache

    with monkeypatch.context() as patch:
        patch.setattr(BuildCache, "save", stopped)
        args = ["--content", str(project / "content"), "--templates", str(project / "templates"),
                "--static", str(project / "static"), "--out", str(project / "_site"), "--no-search"]
        assert main(args) == 130
    assert (project / "_site/events/event-77/index.html").is_file()  # the stopped build was swapped in

    extra.unlink()
    for _ in range(3):  # the next builds reuse whatever spare they are given
        edit(min(events.glob("*.md")), "Paragraph 1", "Paragraph 1, again")
        assert build(project, "_site") == build(project, "clean", "--no-cache")


def test_the_cache_saves_what_changed_and_survives_losing_it(project):
    """After a small change only a delta is written; a lost or corrupt delta, or base, is never
    worse than no cache."""
    cache = project / ".timeline-cache"
    build(project, "_site")
    base = (cache / "cache.pickle").read_bytes()
    edit(min((project / "content" / "events").glob("*.md")), "Paragraph 1", "Paragraph one")
    build(project, "_site")
    assert (cache / "cache.pickle").read_bytes() == base  # the base is kept ...
    assert (cache / "cache.delta.pickle").stat().st_size < len(base) / 2  # ... and the change is beside it
    assert build(project, "_site") == build(project, "clean", "--no-cache")

    (cache / "cache.delta.pickle").write_bytes(b"corrupt")
    edit(sorted((project / "content" / "events").glob("*.md"))[1], "Paragraph 1", "Paragraph one")
    assert build(project, "_site") == build(project, "clean", "--no-cache")
    (cache / "cache.pickle").unlink()
    edit(sorted((project / "content" / "events").glob("*.md"))[2], "Paragraph 1", "Paragraph one")
    assert build(project, "_site") == build(project, "clean", "--no-cache")


def test_a_delta_of_the_wrong_shape_is_ignored(project):
    """A delta that unpickles but is not what a build writes (tampered with, or from a bug) is
    ignored like a corrupt one: never a crash."""
    import pickle

    build(project, "_site")
    cache = project / ".timeline-cache"
    base = pickle.loads((cache / "cache.pickle").read_bytes())
    shape = {k: base[k] for k in ("format", "salt", "base_id", "live_id", "live_paths", "live_mark", "spare")}
    for wrong in ({"memo_del": 5}, {"memo_set": []}, {"outputs_set": {"index.html": "not a record"}}):
        delta = {**shape, "memo_set": {}, "files_set": {}, "outputs_set": {},
                 "memo_del": [], "files_del": [], "outputs_del": [], **wrong}
        (cache / "cache.delta.pickle").write_bytes(pickle.dumps(delta))
        assert build(project, "_site") == build(project, "clean", "--no-cache")


def test_a_cache_restored_on_another_checkout_saves_validation(project, monkeypatch):
    """In CI the cache is restored onto a fresh checkout, whose files' inodes and times are new:
    each file is read again, but an entry valid before from the same bytes is not checked again."""
    events = project / "content" / "events"
    for path in events.glob("*.md"):  # entries with warnings are never kept: these texts have none
        path.unlink()
    for n, word in enumerate(("alpha", "beta", "gamma", "delta"), 1):
        (events / f"2024-0{n}-0{n}-{word}.md").write_text(
            f"---\ntitle: Event {word}\ndate: '2024-0{n}-0{n}'\ntags: [t]\nsources:\n  - source-{n}\n  - source-{n + 4}\n"
            f"---\nThe {word} happened.[^source-{n}] It was reported.[^source-{n + 4}]\n")
    cache = project / "kept-cache"
    build_site(project, "_site", "--cache", str(cache))
    checkout = project / "checkout"
    for folder in ("content", "templates", "static"):
        shutil.copytree(project / folder, checkout / folder)
    age(checkout)
    checked: list[str] = []
    event = validate._event
    monkeypatch.setattr(validate, "_event", lambda raw, *rest: checked.append(raw.where.path) or event(raw, *rest))
    edit(checkout / "content" / "events" / "2024-02-02-beta.md", "It was reported.", "It was reported twice.")
    reused = build_site(checkout, "_site", "--cache", str(cache))
    assert checked == ["content/events/2024-02-02-beta.md"]
    assert reused == build_site(checkout, "clean", "--no-cache")


def test_a_cache_kept_on_disk_does_not_hold_what_is_for_memory_only(tmp_path):
    """Each text's HTML (memo.IN_MEMORY_ONLY) is kept by the preview's cache, which lives in memory
    between rebuilds; a build's cache, saved to disk without it, lets it go at once: at 40,000
    events it was a hundred megabytes held to the end of the build for nothing."""
    from timeline.cache import BuildCache

    preview, build = BuildCache(None), BuildCache.open(tmp_path / "cache", "salt")
    for cache in (preview, build):
        cache.put(("html", "digest"), "<p>text</p>")
        cache.put(("card", "digest"), "<article>card</article>")
    assert preview.get(("html", "digest")) == "<p>text</p>" and build.get(("html", "digest")) is None
    assert preview.get(("card", "digest")) == build.get(("card", "digest")) == "<article>card</article>"
