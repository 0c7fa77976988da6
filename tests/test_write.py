"""A failed or interrupted build leaves the previous site exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import minimal_files, tree
from timeline import write
from timeline.write import recover, write_site



@pytest.fixture
def old_site(tmp_path) -> Path:
    out = tmp_path / "_site"
    write_site({"index.html": b"old", "events/a/index.html": b"old a"}, out)
    return out


def test_a_new_site_replaces_the_old_one_whole(old_site):
    write_site({"index.html": b"new"}, old_site)
    assert tree(old_site) == {"index.html": b"new"}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["_site"]  # nothing left beside it


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_build_that_fails_while_writing_leaves_the_old_site(old_site, monkeypatch, failure):
    written = []
    real_write = Path.write_bytes

    def failing_write(self, data):
        if len(written) == 2:
            raise failure
        written.append(self)
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(type(failure)):
        write_site({f"page{i}.html": b"new" for i in range(5)}, old_site)
    monkeypatch.undo()
    assert tree(old_site) == {"index.html": b"old", "events/a/index.html": b"old a"}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["_site"]


def test_without_an_atomic_exchange_the_two_step_swap_still_ends_whole(old_site, monkeypatch):
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    write_site({"index.html": b"new"}, old_site)
    assert tree(old_site) == {"index.html": b"new"}


def test_recover_restores_a_site_caught_between_the_two_renames(old_site):
    # A kill after "_site → ._site.old" and before "staging → _site" leaves this:
    os.rename(old_site, old_site.with_name("._site.old"))
    (old_site.parent / "._site.new-abc").mkdir()
    recover(old_site)
    assert tree(old_site) == {"index.html": b"old", "events/a/index.html": b"old a"}
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
