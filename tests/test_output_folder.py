"""The output folder is the tool's alone (issue 12).

A build (and `serve`) writes only into a folder that does not exist, is empty, or carries the
mark of an earlier build; anything else is refused before any work, and never touched. Some
folders are refused even when marked: a .git folder, a repository, the generator's own code,
the home folder, and any folder holding the project. One build at a time writes a folder; a
symbolic link to a folder is built through, never replaced; an error names its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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

import timeline
from timeline import write
from timeline.cli import main
from timeline.outdir import (
    MARK,
    MARK_TEXT,
    UnsafeOutput,
    check_output_folder,
    output_lock,
)
from timeline.write import update_in_place

FOREIGN = "is not empty and was not made by this tool; refusing to replace it\n" \
          "    hint: choose an empty or new folder, or delete it yourself if it is an old site\n"
OVERLAP_HINT = "\n    hint: choose a new or empty folder of its own, such as _site beside content/\n"
SOMEONES_FILES = {"notes.txt": b"my notes\n", "photos/cat.jpg": bytes(range(256)) * 4, ".hidden": b"secret\n"}


def build(capsys, project: Path, out: Path, *args: str) -> tuple[int, str]:
    """build.py [args] --content project/content --out out, in this process: (exit code, stderr)."""
    code = main([*args, "--content", str(project / "content"), "--out", str(out)])
    return code, capsys.readouterr().err


def listing(folder: Path) -> dict[str, bytes]:
    """Every file, folder and link under `folder` (links by their target): nothing may change."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = b"link to " + os.fsencode(os.readlink(path))
        elif path.is_dir():
            found[relative + "/"] = b""
        else:
            found[relative] = path.read_bytes()
    return found


def marked(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARK).write_bytes(MARK_TEXT)
    return folder


def site(folder: Path) -> dict[str, bytes]:
    """A built site's files, its mark aside (and checked: every build writes it)."""
    files = tree(folder)
    assert files.pop(MARK) == MARK_TEXT
    return files


# ---------------------------------------------------------------------------------------------
# Folders that are not the tool's: refused before any work, and left byte for byte


def test_a_folder_of_someones_files_is_refused_and_left_as_it_was(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    docs = tmp_path / "docs"
    write_files(docs, SOMEONES_FILES)
    before = listing(tmp_path)

    code, err = build(capsys, project, docs)

    assert code == 1
    assert err == f"error: --out {docs} {FOREIGN}"
    assert listing(tmp_path) == before  # the files, and nothing made beside them: no cache, lock or staging


def test_a_file_given_as_the_output_folder_is_refused(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    (tmp_path / "notes.txt").write_bytes(b"my notes\n")
    code, err = build(capsys, project, tmp_path / "notes.txt")
    assert code == 1
    assert err == (f"error: --out {tmp_path / 'notes.txt'} is a file, not a folder; refusing to replace it\n"
                   "    hint: choose an empty or new folder, or delete it yourself if it is an old site\n")
    assert (tmp_path / "notes.txt").read_bytes() == b"my notes\n"


@pytest.mark.parametrize("which", ["home", "parent of home"])
def test_the_home_folder_and_its_parents_are_refused_even_when_marked(make_project, capsys, tmp_path, monkeypatch,
                                                                      which):
    project = make_project(minimal_files())
    home = tmp_path / "users" / "me"
    write_files(home, SOMEONES_FILES)
    monkeypatch.setenv("HOME", str(home))
    out = marked(home if which == "home" else home.parent)  # even a mark does not make it the tool's
    before = listing(tmp_path / "users")

    code, err = build(capsys, project, out)

    assert code == 1
    assert err == f"error: --out {out} overlaps the home folder {home}; refusing to write there{OVERLAP_HINT}"
    assert listing(tmp_path / "users") == before


@pytest.fixture
def repository(tmp_path) -> Path:
    """A project under Git: a .git folder, build.py, and content."""
    project = tmp_path / "repo"
    write_files(project, {**minimal_files(), "build.py": "# the generator\n", ".git/HEAD": "ref: refs/heads/main\n",
                          ".git/config": "[core]\n", ".git/objects/ab/cdef": b"\x78\x01object"})
    return project


@pytest.mark.parametrize("out, message", [
    (".git", "is a Git repository's .git folder"),
    (".git/site", "is inside a .git folder"),
    (".git/objects", "is inside a .git folder"),
    (".", "overlaps the project folder {project}"),
])
def test_a_repositorys_git_folder_and_root_are_refused(repository, capsys, tmp_path, out, message):
    before = listing(tmp_path)
    code, err = build(capsys, repository, repository / out)
    assert code == 1
    shown = repository / out
    assert err == f"error: --out {shown} {message.format(project=repository)}; refusing to write there{OVERLAP_HINT}"
    assert listing(tmp_path) == before


def test_a_repository_beside_the_project_is_refused_even_when_marked(repository, capsys, tmp_path):
    other = marked(tmp_path / "other-repo")
    write_files(other, {".git/HEAD": "ref: refs/heads/main\n", "README.md": "mine\n"})
    before = listing(other)
    code, err = build(capsys, repository, other)
    assert code == 1
    assert err == f"error: --out {other} holds .git (a Git repository); refusing to replace it{OVERLAP_HINT}"
    assert listing(other) == before


def test_the_generators_own_code_is_refused_and_not_touched(tmp_path):
    code_folder = Path(timeline.__file__).parent
    before = listing(code_folder)
    content = tmp_path / "content"
    with pytest.raises(UnsafeOutput) as refused:
        check_output_folder(code_folder, content, tmp_path / "templates", tmp_path / "static")
    assert str(refused.value) == f"--out {code_folder} overlaps the generator's code {code_folder}; refusing to write there"
    with pytest.raises(UnsafeOutput, match="overlaps the generator's code"):
        check_output_folder(code_folder / "sub", content, tmp_path / "templates", tmp_path / "static")
    with pytest.raises(UnsafeOutput, match="overlaps the generator's folder"):
        check_output_folder(code_folder.parent, content, tmp_path / "templates", tmp_path / "static")
    assert listing(code_folder) == before


def test_a_copy_of_the_generator_refuses_to_build_over_its_own_code(make_project, tmp_path):
    """End to end, on a copy: `build.py --out timeline` run from the copy, which must stay whole."""
    generator = tmp_path / "generator"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PROJECT / "timeline", generator / "timeline", ignore=ignore)
    for folder in ("templates", "static"):
        shutil.copytree(PROJECT / folder, generator / folder, ignore=ignore)
    shutil.copy(PROJECT / "build.py", generator / "build.py")
    project = make_project(minimal_files())
    before = listing(generator)

    result = subprocess.run([sys.executable, str(generator / "build.py"), "--content", str(project / "content"),
                             "--out", str(generator / "timeline")], capture_output=True, text=True, timeout=120,
                            check=False)

    assert result.returncode == 1
    assert result.stderr == (f"error: --out {generator / 'timeline'} overlaps the generator's code "
                             f"{generator / 'timeline'}; refusing to write there{OVERLAP_HINT}")
    assert listing(generator) == before


def test_serve_refuses_a_folder_of_someones_files_before_serving(make_project, capsys, tmp_path, monkeypatch):
    """The preview's folder (_preview/ beside --out) is checked as an output folder is, before
    anything is served; the site's folder is not the preview's to touch."""
    import timeline.serve

    served = []
    monkeypatch.setattr(timeline.serve, "_listen", lambda *args: served.append(args))
    project = make_project(minimal_files())
    preview = tmp_path / "_preview"
    write_files(preview, SOMEONES_FILES)
    before = listing(tmp_path)

    code, err = build(capsys, project, tmp_path / "_site", "serve", "--port", "0")

    assert code == 1 and served == []
    assert str(preview) in err and "not made by this tool" in err
    assert listing(tmp_path) == before


def test_the_previews_writer_refuses_a_folder_it_did_not_make(tmp_path):
    """update_in_place (serve's writer) deletes what the site no longer has: only in its own folder."""
    docs = tmp_path / "docs"
    write_files(docs, SOMEONES_FILES)
    before = listing(docs)
    with pytest.raises(UnsafeOutput, match="not made by this tool"):
        update_in_place({"index.html": b"<p>site</p>"}, docs)
    assert listing(docs) == before


def test_the_previews_writer_marks_its_folder_and_removes_only_stale_pages(tmp_path):
    out = tmp_path / "_site"
    update_in_place({"index.html": b"1", "a/index.html": b"a"}, out)
    assert tree(out) == {MARK: MARK_TEXT, "index.html": b"1", "a/index.html": b"a"}
    update_in_place({"index.html": b"2"}, out, previous=frozenset({"index.html", "a/index.html"}))
    assert tree(out) == {MARK: MARK_TEXT, "index.html": b"2"}
    (out / "stray.html").write_bytes(b"stray")
    update_in_place({"index.html": b"3"}, out)  # the first rebuild of a preview: the whole folder searched
    assert tree(out) == {MARK: MARK_TEXT, "index.html": b"3"}


# ---------------------------------------------------------------------------------------------
# Folders that are the tool's: new, empty, or marked by an earlier build


def test_an_empty_folder_is_accepted_and_marked(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    out = tmp_path / "empty"
    out.mkdir()
    code, err = build(capsys, project, out, "--no-search")
    assert (code, err) == (0, "")
    assert "index.html" in site(out)


def test_a_site_from_an_earlier_build_is_replaced_whole(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    reference = tmp_path / "reference"
    assert build(capsys, project, reference, "--no-cache")[0] == 0
    out = tmp_path / "_site"
    assert build(capsys, project, out)[0] == 0
    (out / "stray.html").write_bytes(b"left by hand")
    shutil.rmtree(tmp_path / ".timeline-cache")  # the mark alone says the folder is the tool's

    code, err = build(capsys, project, out)

    assert (code, err) == (0, "")
    assert site(out) == site(reference)


def test_leftovers_beside_the_output_are_deleted_only_when_named_and_marked_as_ours(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    out = tmp_path / "_site"
    assert build(capsys, project, out)[0] == 0
    theirs = {}
    for name in ("._site.spare-0123abcd", "._site.new-zz9", "._site.old"):  # the tool's names, not its folders
        write_files(tmp_path / name, SOMEONES_FILES)
        theirs[name] = listing(tmp_path / name)
    (tmp_path / "._site.new-abc").symlink_to(tmp_path / "._site.spare-0123abcd", target_is_directory=True)
    ours = marked(tmp_path / "._site.new-killed")  # a staging folder left by a killed build
    (ours / "index.html").write_bytes(b"half a site")

    for _ in range(3):  # the third build updates the spare kept by the second
        code, err = build(capsys, project, out)
        assert (code, err) == (0, "")

    for name, files in theirs.items():
        assert listing(tmp_path / name) == files, name
    assert (tmp_path / "._site.new-abc").is_symlink()
    assert not ours.exists()


# ---------------------------------------------------------------------------------------------
# One build at a time


def many_events(count: int) -> dict[str, str]:
    files: dict[str, str] = {"content/site.yaml": SITE_YAML, "content/sources/example-statement.yaml": SOURCE_YAML}
    for day in range(count):
        date = f"2024-{day // 28 + 1:02d}-{day % 28 + 1:02d}"
        files[f"content/events/{date}-event-{day}.md"] = (
            f"---\ntitle: Something happened\ndate: '{date}'\ntags: [pardon]\nsources:\n  - example-statement\n"
            f"---\nSomething happened.[^example-statement]\n")  # no figure in the text: no warning
    return files


@pytest.mark.slow  # many builds racing each other
def test_two_builds_at_once_never_leave_a_broken_site(tmp_path):
    """Ten rounds of two builds started together into one folder: the second is refused with the
    first's pid (never waits, never deletes the other's work), and the site is whole after each."""
    project = tmp_path / "project"
    write_files(project, many_events(60))
    command = [sys.executable, str(PROJECT / "build.py"), "--content", str(project / "content")]
    reference = subprocess.run([*command, "--out", str(tmp_path / "reference"), "--no-cache"],
                               capture_output=True, text=True, timeout=120, check=False)
    assert reference.returncode == 0, reference.stderr
    expected = tree(tmp_path / "reference")
    out = project / "_site"
    refused = 0
    for _ in range(10):
        builds = [subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True) for _ in range(2)]
        results = [(b.pid, *b.communicate(timeout=120), b.returncode) for b in builds]
        for (pid, stdout, stderr, code), (other, *_) in zip(results, reversed(results)):
            if code == 0:
                assert (stdout, stderr) == (f"Built 60 events from 1 sources into {out}.\n", "")
            else:
                assert (code, stdout) == (1, "")
                assert stderr == f"error: another build (pid {other}) is writing {out}; wait for it to finish\n"
                refused += 1
        assert any(code == 0 for *_, code in results)
        assert tree(out) == expected
    print(f"{refused} of 10 second builds refused")
    assert refused, "the two builds never ran at the same time: the test proved nothing"
    assert not (project / ".timeline-cache" / "_site.lock").exists()  # released, and removed with it


def test_a_build_is_refused_while_another_holds_the_folder(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    out = tmp_path / "_site"
    assert build(capsys, project, out)[0] == 0
    before = tree(out)
    with output_lock(out, "build", out):
        code, err = build(capsys, project, out)
        assert (code, err) == (1, f"error: another build (pid {os.getpid()}) is writing {out}; wait for it to finish\n")
    with output_lock(out, "serve", out):
        code, err = build(capsys, project, out)
        busy = f"error: a preview (pid {os.getpid()}) is writing {out}; stop it, or build into another --out\n"
        assert (code, err) == (1, busy)
    assert tree(out) == before
    assert build(capsys, project, out)[0] == 0  # released: the next build runs


# ---------------------------------------------------------------------------------------------
# A symbolic link to the output folder, and errors that name their path


def test_a_linked_output_folder_keeps_its_link_and_its_target_gets_the_site(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    target = tmp_path / "www" / "site"
    target.parent.mkdir()
    link = tmp_path / "_site"
    link.symlink_to(target, target_is_directory=True)
    event = project / "content/events/2024-12-12-something-happened.md"
    for round_ in ("first", "second", "third"):  # a new target, a replaced one, then the spare beside it reused
        event.write_text(EVENT_MD.replace("happened on", f"happened, {round_} version, on"))
        reference = tmp_path / f"reference-{round_}"
        assert build(capsys, project, reference, "--no-cache")[0] == 0

        code, err = build(capsys, project, link)

        assert (code, err) == (0, "")
        assert link.is_symlink() and os.readlink(link) == str(target)
        assert tree(target) == tree(reference)
    beside_link = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("._site"))
    assert beside_link == []  # staging and spare live beside the target, not the link
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".site.spare-")]


def test_an_error_while_writing_names_the_output_folder(make_project, capsys, tmp_path, monkeypatch):
    project = make_project(minimal_files())
    out = tmp_path / "_site"
    assert build(capsys, project, out)[0] == 0
    before = tree(out)

    def full_disk(path, data):
        raise OSError(28, "No space left on device")  # as write() raises it: with no file name

    monkeypatch.setattr(write, "_write_file", full_disk)
    code, err = build(capsys, project, out, "--no-cache")
    assert (code, err) == (1, f"error: {out}: No space left on device\n")
    assert tree(out) == before
