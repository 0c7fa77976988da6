"""The preview, in process (issue 14): after every kind of change its folder holds what a clean
build of the same content writes, a save is one rebuild, and the site's own folder is untouched."""

from __future__ import annotations

import asyncio
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import (
    EVENT_MD,
    PROJECT,
    SITE_YAML,
    SOURCE_YAML,
    minimal_files,
    tree,
    write_files,
)

from timeline import serve as serve_module
from timeline.cache import BuildCache
from timeline.cli import Paths, build_once, main
from timeline.serve import (
    Preview,
    batches,
    preview_build,
    preview_folder,
    told_of_changes,
)

EVENT = "content/events/2024-12-12-something-happened.md"
OTHER = "content/events/2024-12-20-another-thing.md"
# What the preview leaves out (render_exports): nobody reads a feed while editing.
EXPORTS = {"feed.xml", "feed.json", "timeline.ics", "timeline.json", "timeline.csv", "sitemap.xml", "robots.txt"}


def base_files() -> dict[str, str | bytes]:
    """Two events, two sources, topics listed in site.yaml; templates and static are copied."""
    files = minimal_files()
    files["content/site.yaml"] = SITE_YAML + "topics:\n  pardon: Pardons\n  courts: Courts\n"
    files["content/sources/second-statement.yaml"] = SOURCE_YAML.replace("statement", "second-statement")
    files[OTHER] = (EVENT_MD.replace("Something happened", "Another thing").replace("2024-12-12", "2024-12-20")
                    .replace("tags: [pardon]", "tags: [courts]")
                    .replace("  - example-statement\n", "  - example-statement\n  - second-statement\n")
                    .replace("[^example-statement]\n", "[^example-statement] And more.[^second-statement]\n"))
    return files


@pytest.fixture
def project(make_project) -> Path:
    root = make_project(base_files())
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    return root


def site_paths(root: Path, out: Path) -> Paths:
    return Paths(root / "content", root / "templates", root / "static", out, search=False)


def start(root: Path) -> Preview:
    """The preview as serve.run makes it, built once (as _listen does before serving)."""
    paths = site_paths(root, preview_folder(root / "_site"))
    preview = Preview(paths.out, preview_build(paths, BuildCache(None)))
    preview.rebuild()
    assert preview.problems == []
    return preview


def clean(root: Path, out: Path) -> dict[str, bytes]:
    """A clean build of the same content with the preview's settings (drafts, no search), without
    the exports the preview leaves out."""
    _, problems = build_once(site_paths(root, out), drafts=True)
    assert [p for p in problems if p.is_error] == []
    return {path: data for path, data in tree(out).items() if path not in EXPORTS}


def assert_same_as_clean_build(preview: Preview, root: Path) -> None:
    assert preview.problems == [], preview.problems
    expected = clean(root, root / "clean")
    shutil.rmtree(root / "clean")
    got = tree(preview.out_dir)
    assert sorted(got) == sorted(expected)
    assert [p for p in got if got[p] != expected[p]] == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def change_edit(root: Path) -> None:
    edit(root / EVENT, "title: Something happened", "title: Something changed")


def change_add(root: Path) -> None:
    write_files(root, {"content/events/2024-12-30-a-third.md": EVENT_MD.replace("Something happened", "A third")
                       .replace("2024-12-12", "2024-12-30")})


def change_add_draft(root: Path) -> None:
    write_files(root, {"content/events/2024-12-30-a-draft.md": EVENT_MD.replace("Something happened", "A draft")
                       .replace("2024-12-12", "2024-12-30").replace("---\nSomething", "draft: true\n---\nSomething")})


def change_delete(root: Path) -> None:
    next((root / "content/events").glob("2024-12-20-*.md")).unlink()  # the other event, renamed or not


def change_rename(root: Path) -> None:
    (root / OTHER).rename(root / "content/events/2024-12-20-renamed-thing.md")


def change_new_topic(root: Path) -> None:
    edit(root / "content/site.yaml", "  courts: Courts\n", "  courts: Courts\n  military: Military\n")
    edit(root / OTHER, "tags: [courts]", "tags: [courts, military]")


def change_remove_source(root: Path) -> None:
    (root / "content/sources/second-statement.yaml").unlink()
    edit(root / OTHER, "  - second-statement\n", "")
    edit(root / OTHER, " And more.[^second-statement]", "")


def change_template(root: Path) -> None:
    edit(root / "templates/event.html", "</article>", "<p>Template changed.</p></article>")


def change_static(root: Path) -> None:
    (root / "static/style.css").write_text("body { color: #123; }\n", encoding="utf-8")
    (root / "static/timeline.js").unlink()
    (root / "static/extra.txt").write_text("new\n", encoding="utf-8")


def change_site_yaml(root: Path) -> None:
    edit(root / "content/site.yaml", "title: Test timeline", "title: Renamed timeline")


CHANGES = [change_edit, change_add, change_add_draft, change_new_topic, change_remove_source, change_template,
           change_static, change_site_yaml, change_rename, change_delete]  # in an order one preview can take


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.removeprefix("change_") for c in CHANGES])
def test_after_each_kind_of_change_the_preview_is_a_clean_build(project, change):
    preview = start(project)
    before = tree(preview.out_dir)
    change(project)
    preview.rebuild(["(the changed file)"])
    assert tree(preview.out_dir) != before, "the change did not show"
    assert_same_as_clean_build(preview, project)


def test_every_change_in_turn_on_one_preview(project):
    """The preview's in-memory cache carries from each rebuild to the next, as it does in a session."""
    preview = start(project)
    for change in CHANGES:
        change(project)
        preview.rebuild([change.__name__])
        assert_same_as_clean_build(preview, project)


def test_a_content_error_shows_on_every_page_and_its_fix_recovers(project):
    preview = start(project)
    edit(project / EVENT, "title: Something happened", "title: [broken")
    preview.rebuild([EVENT])
    assert preview.problems and "YAML" in preview.problems[0].message
    for page in ("/", "/events/something-happened/", "/events/gone/", "/about"):
        answer = preview.answer(page)
        assert answer.status == 200 and b"The preview cannot be built" in answer.body, page
        assert b"2024-12-12-something-happened.md:2" in answer.body
    edit(project / EVENT, "title: [broken", "title: Something fixed")
    preview.rebuild([EVENT])
    assert_same_as_clean_build(preview, project)
    assert b"Something fixed" in preview.answer("/events/something-happened/").body


@pytest.mark.parametrize("debug", [False, True])
def test_an_internal_error_is_shown_never_a_stale_page(project, monkeypatch, capsys, debug):
    """A bug of ours half-way through writing: every page says so (with a traceback in the
    terminal under TIMELINE_DEBUG=1, a plain message otherwise); the next save recovers."""
    if debug:
        monkeypatch.setenv("TIMELINE_DEBUG", "1")
    else:
        monkeypatch.delenv("TIMELINE_DEBUG", raising=False)
    preview = start(project)
    change_edit(project)
    import timeline.cli

    real = timeline.cli.update_in_place

    def half_then_fail(files, out_dir, previous=None):
        real(dict(list(files.items())[:2]), out_dir, previous)
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(timeline.cli, "update_in_place", half_then_fail)
    capsys.readouterr()
    preview.rebuild([EVENT])
    err = capsys.readouterr().err
    assert len(preview.problems) == 1
    assert preview.problems[0].message == "internal error: RuntimeError: a bug of ours"
    assert ("Traceback" in err) is debug
    assert "TIMELINE_DEBUG=1" in err or debug
    page = preview.answer("/events/something-happened/")
    assert b"internal error: RuntimeError: a bug of ours" in page.body and b"Something changed" not in page.body

    monkeypatch.setattr(timeline.cli, "update_in_place", real)
    preview.rebuild([EVENT])
    assert_same_as_clean_build(preview, project)


def test_an_error_before_the_rebuild_returns_still_replaces_the_pages(project, monkeypatch):
    """Even a failure that is not an Exception (a KeyboardInterrupt mid-rebuild) leaves no page
    claiming to be current: the problems are set before the work starts."""
    preview = start(project)

    def interrupted():
        raise KeyboardInterrupt

    preview._rebuild = interrupted
    with pytest.raises(KeyboardInterrupt):
        preview.rebuild([EVENT])
    assert b"did not finish" in preview.answer("/").body


def test_the_404_page_is_styled_under_the_previews_root(project):
    preview = start(project)
    answer = preview.answer("/no/such/page/")
    assert answer.status == 404
    assert b'href="/static/style.css"' in answer.body and b"/test/" not in answer.body.replace(
        b"https://example.org/test/", b"")
    style = preview.answer("/static/style.css")
    assert style.status == 200 and style.kind.startswith("text/css")


def test_a_serve_session_leaves_the_site_folder_byte_identical(project, monkeypatch):
    """`build.py serve`, in process: the preview is written into _preview/, never over _site/."""
    assert main(["--content", str(project / "content"), "--templates", str(project / "templates"),
                 "--static", str(project / "static"), "--out", str(project / "_site")]) == 0
    site = tree(project / "_site")
    sessions = []

    def fake_listen(preview, watched, host, port):  # what serve() runs once the preview is locked
        preview.rebuild()
        sessions.append(preview.out_dir)
        for change in CHANGES:
            change(project)
            preview.rebuild([change.__name__])
        assert_same_as_clean_build(preview, project)

    monkeypatch.setattr(serve_module, "_listen", fake_listen)
    assert main(["serve", "--content", str(project / "content"), "--templates", str(project / "templates"),
                 "--static", str(project / "static"), "--out", str(project / "_site")]) == 0
    assert sessions == [(project / "_preview").resolve()]
    assert tree(project / "_site") == site


def test_serve_refuses_a_preview_folder_of_someone_elses_files(project, monkeypatch, capsys):
    someones = project / "_preview" / "notes.txt"
    write_files(project, {"_preview/notes.txt": "mine"})
    monkeypatch.setattr(serve_module, "_listen", lambda *args: pytest.fail("served"))
    assert main(["serve", "--content", str(project / "content"), "--out", str(project / "_site")]) == 1
    assert "_preview is not empty and was not made by this tool" in capsys.readouterr().err
    assert someones.read_text() == "mine" and not (project / "_site").exists()


def test_a_clean_cli_build_is_the_reference_for_content_without_drafts(project):
    """The reference above is build_once with drafts; for content without drafts it is exactly
    what `build.py --no-search` writes, exports aside."""
    assert main(["build", "--no-search", "--no-cache", "--content", str(project / "content"),
                 "--templates", str(project / "templates"), "--static", str(project / "static"),
                 "--out", str(project / "cli")]) == 0
    built = {p: d for p, d in tree(project / "cli").items() if p not in EXPORTS}
    assert built == clean(project, project / "reference")
    assert EXPORTS <= set(tree(project / "cli"))


# ---------------------------------------------------------------------------------------------
# One save, one rebuild


def test_events_close_together_are_one_batch():
    import queue

    events: queue.Queue[set[str] | None] = queue.Queue()
    for event in ({"a.md"}, {".a.md.swp"}, {"a.md", "b.md"}, None):
        events.put(event)
    assert list(batches(events, quiet=0.1)) == [[".a.md.swp", "a.md", "b.md"]]


def test_a_save_of_several_file_events_is_one_rebuild(tmp_path):
    """A fake event source: one save (write, rename, chmod: three events 20 ms apart), a pause,
    then another save. The watcher rebuilds the preview twice, once for each, not four times."""
    rebuilt: list[list[str]] = []

    class Counting(Preview):
        def rebuild(self, changed=()):
            rebuilt.append(list(changed))

    def saves(*folders):
        assert folders == (str(tmp_path),)
        for event in ({"a.md.tmp"}, {"a.md"}, {"a.md"}):
            yield event
            time.sleep(0.02)
        time.sleep(0.4)
        yield {"b.md"}

    preview = Counting(tmp_path, list)

    async def session() -> None:
        watcher = told_of_changes(preview, events=saves, quiet=0.1)
        watcher.watch(str(tmp_path))
        watcher.start(lambda: watcher.examine())
        deadline = time.monotonic() + 5
        while len(rebuilt) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # and no more after that

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: Playwright's may be running in this thread
        pool.submit(asyncio.run, session()).result(timeout=30)
    assert rebuilt == [["a.md", "a.md.tmp"], ["b.md"]]


def test_the_server_hides_what_survives_a_rebuild_from_the_collector_and_hands_it_back(project, monkeypatch):
    """The server's preview freezes the heap after each rebuild (so that a full collection in the
    next one does not walk the cache again) and unfreezes it every UNFREEZE_EVERY rebuilds (so
    that garbage with cycles is still freed). A preview made by the tests' own process does
    neither, unless asked: frozen, the test process would never free its cycles."""
    import gc

    monkeypatch.setattr(serve_module, "UNFREEZE_EVERY", 4)
    paths = site_paths(project, preview_folder(project / "_site"))
    gc.unfreeze()  # what an earlier test's cache froze (BuildCache.open)
    ordinary = Preview(paths.out, preview_build(paths, BuildCache(None)))
    ordinary.rebuild()
    assert gc.get_freeze_count() == 0
    server = Preview(paths.out, preview_build(paths, BuildCache(None)), freeze_heap=True)
    try:
        server.rebuild()
        assert server.problems == [] and gc.get_freeze_count() > 0
        counts = []
        for _ in range(serve_module.UNFREEZE_EVERY - 1):
            server.rebuild()
            counts.append(gc.get_freeze_count())
        assert counts[-1] == 0 and all(counts[:-1])  # handed back once, on the UNFREEZE_EVERY-th
    finally:
        gc.unfreeze()


def test_a_build_can_update_the_site_while_the_preview_runs(project, monkeypatch):
    """The preview locks only its own folder: `build` into _site/ is not refused meanwhile."""
    args = ["--content", str(project / "content"), "--templates", str(project / "templates"),
            "--static", str(project / "static"), "--out", str(project / "_site")]
    built = []

    def fake_listen(preview, watched, host, port):
        preview.rebuild()
        built.append(main(["build", "--no-search", *args]))

    monkeypatch.setattr(serve_module, "_listen", fake_listen)
    assert main(["serve", *args]) == 0
    assert built == [0] and (project / "_site" / "index.html").is_file()
