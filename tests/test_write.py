"""A failed or interrupted build leaves the previous site exactly as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import minimal_files, tree

from timeline import write
from timeline.outdir import MARK, MARK_TEXT
from timeline.write import recover, write_site


def site(folder: Path) -> dict[str, bytes]:
    """The site's files, its mark aside (checked here: every site a build writes carries it)."""
    files = tree(folder)
    assert files.pop(MARK) == MARK_TEXT
    return files


@pytest.fixture
def old_site(tmp_path) -> Path:
    out = tmp_path / "_site"
    write_site({"index.html": b"old", "events/a/index.html": b"old a"}, out)
    return out


def test_a_new_site_replaces_the_old_one_whole(old_site):
    write_site({"index.html": b"new"}, old_site)
    assert site(old_site) == {"index.html": b"new"}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["_site"]  # nothing left beside it


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_build_that_fails_while_writing_leaves_the_old_site(old_site, monkeypatch, failure):
    written = []
    real_write = write._write_file

    def failing_write(path, data):
        if len(written) == 2:
            raise failure
        written.append(path)
        return real_write(path, data)

    monkeypatch.setattr(write, "_write_file", failing_write)
    with pytest.raises(type(failure)):
        write_site({f"page{i}.html": b"new" for i in range(5)}, old_site)
    monkeypatch.undo()
    assert site(old_site) == {"index.html": b"old", "events/a/index.html": b"old a"}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["_site"]


def test_without_an_atomic_exchange_the_two_step_swap_still_ends_whole(old_site, monkeypatch):
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    write_site({"index.html": b"new"}, old_site)
    assert site(old_site) == {"index.html": b"new"}


def test_recover_restores_a_site_caught_between_the_two_renames(old_site):
    # A kill after "_site → ._site.old" and before "staging → _site" leaves this:
    os.rename(old_site, old_site.with_name("._site.old"))
    (old_site.parent / "._site.new-abc").mkdir()
    recover(old_site)
    assert site(old_site) == {"index.html": b"old", "events/a/index.html": b"old a"}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["_site"]


def test_a_failed_template_leaves_the_old_site(make_project, run, tmp_path):
    from timeline.cli import main

    project = make_project(minimal_files())
    assert run(project).code == 0
    before = tree(project / "_site")
    templates = tmp_path / "broken-templates"
    templates.mkdir()
    (templates / "index.html").write_text("{{ no_such_variable }}")
    code = main(["--content", str(project / "content"), "--out", str(project / "_site"),
                 "--templates", str(templates)])
    assert code == 1
    assert tree(project / "_site") == before


def test_the_spare_site_is_updated_in_place_and_never_written_through_a_link(tmp_path):
    """The site before the live one is kept as a spare and brought up to date by the next build.

    Its unchanged pages are hard links shared with the live site: a changed page must get a new
    file, or writing it would change the live site before the swap.
    """
    from timeline.outputs import Generation, OutputRecord, Unchanged

    out = tmp_path / "_site"
    write_site({"a.html": b"a1", "b.html": b"b1", "gone.html": b"g"}, out)
    kept = write_site({"a.html": Unchanged("key-a"), "b.html": b"b2", "gone.html": b"g"}, out, keep_as="one")
    spare_dir = tmp_path / "._site.spare-one"
    assert kept == "one" and site(spare_dir) == {"a.html": b"a1", "b.html": b"b1", "gone.html": b"g"}
    assert (out / "a.html").stat().st_ino == (spare_dir / "a.html").stat().st_ino  # linked, not copied
    info = (spare_dir / "a.html").stat()
    spare = Generation("one", {"a.html": OutputRecord("key-a", info.st_size, info.st_mtime_ns)},
                       frozenset({"a.html", "b.html", "gone.html"}))
    live_before = site(out)

    kept = write_site({"a.html": b"a3", "b.html": b"b2", "new/index.html": b"n"}, out, spare=spare, keep_as="two")
    assert kept == "two"
    assert site(out) == {"a.html": b"a3", "b.html": b"b2", "new/index.html": b"n"}
    assert site(tmp_path / "._site.spare-two") == live_before  # the replaced site, whole and unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.spare-two", "_site"]  # spare one was used up


def test_a_spare_that_does_not_match_its_record_is_not_used(tmp_path):
    from timeline.outputs import Generation

    out = tmp_path / "_site"
    write_site({"a.html": b"a1"}, out)
    write_site({"a.html": b"a2"}, out, keep_as="one")
    (tmp_path / "._site.spare-one" / "stray.html").write_bytes(b"not from any build")
    write_site({"a.html": b"a3"}, out, spare=Generation("other", {}, frozenset({"a.html"})), keep_as="two")
    assert site(out) == {"a.html": b"a3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.spare-two", "_site"]


def test_a_tampered_spare_cannot_lead_the_writes_elsewhere(tmp_path):
    """A symbolic link or a file put in the spare where a folder belongs is removed, not followed."""
    from timeline.outputs import Generation

    out = tmp_path / "_site"
    write_site({"events/a/index.html": b"a1", "b/index.html": b"b1", "gone/index.html": b"g"}, out)
    write_site({"events/a/index.html": b"a2", "b/index.html": b"b2", "gone/index.html": b"g"}, out, keep_as="one")
    spare_dir = tmp_path / "._site.spare-one"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "a").mkdir(parents=True)
    (elsewhere / "index.html").write_bytes(b"not the site's")
    shutil.rmtree(spare_dir / "events")
    (spare_dir / "events").symlink_to(elsewhere, target_is_directory=True)
    shutil.rmtree(spare_dir / "b")
    (spare_dir / "b").write_bytes(b"a file where a folder was")
    shutil.rmtree(spare_dir / "gone")
    (spare_dir / "gone").symlink_to(elsewhere, target_is_directory=True)  # a stale page, to be deleted
    (spare_dir / "pagefind").symlink_to(elsewhere, target_is_directory=True)  # the index is made afresh
    spare = Generation("one", {}, frozenset({"events/a/index.html", "b/index.html", "gone/index.html"}))

    write_site({"events/a/index.html": b"a3", "b/index.html": b"b3"}, out, spare=spare, keep_as="two",
               finalize=lambda staging: (staging / "pagefind").mkdir())
    assert site(out) == {"events/a/index.html": b"a3", "b/index.html": b"b3"}
    assert tree(elsewhere) == {"index.html": b"not the site's"}  # nothing written or deleted there
