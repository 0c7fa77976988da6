"""`check` (with GitHub annotations and --strict) and `new`, as editors and CI run them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EVENT_MD, Run, minimal_files

from timeline.cli import main
from timeline.model import Location, Problem
from timeline.report import format_github
from timeline.scaffold import PLACEHOLDER

BROKEN_EVENT = "---\ntitle: x\ndate: '2024-12-11'\nsources: [example-statment]\n---\nText.[^example-statement]\n"
EVENT = "content/events/2024-12-12-something-happened.md"


@pytest.fixture
def new(capsys):
    """Run `build.py new` in this process: it takes --content and no other folder."""

    def run_new(project: Path, *args: str) -> Run:
        code = main(["new", *args, "--content", str(project / "content")])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run_new


def test_check_writes_nothing(make_project, run):
    project = make_project(minimal_files())
    result = run(project, "check")
    assert result.code == 0
    assert result.out == "OK: 1 event and 1 source are valid.\n"
    assert not (project / "_site").exists()


def test_check_under_github_actions_prints_workflow_commands_exactly(make_project, run, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": BROKEN_EVENT})
    result = run(project, "check")
    assert result.code == 1
    assert result.out.splitlines() == [
        ("::error file=content/events/2024-12-12-something-happened.md,line=3,title=Timeline error::"
         "the file name says 2024-12-12 but 'date' is 2024-12-11"
         "%0Ahint: rename the file to 2024-12-11-something-happened.md, or correct the date"),
        ("::error file=content/events/2024-12-12-something-happened.md,line=4,title=Timeline error::"
         "unknown source 'example-statment'%0Ahint: did you mean 'example-statement'?"),
        ("::error file=content/events/2024-12-12-something-happened.md,line=6,title=Timeline error::"
         "the citation [^example-statement] is not in this event's sources"
         "%0Ahint: add '- example-statement' to this event's sources:"),
    ]
    assert "content/events/2024-12-12-something-happened.md:3: the file name says" in result.err


def test_check_prints_no_workflow_commands_outside_github_actions(make_project, run, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": BROKEN_EVENT})
    result = run(project, "check")
    assert result.code == 1 and "::error" not in result.out + result.err


def test_workflow_command_escapes_percent_newlines_and_property_separators():
    problem = Problem(Location("content/events/a,b:c.md", 7), "100% wrong\r\nreally", "fix: this, now", "warning")
    assert format_github(problem) == (
        "::warning file=content/events/a%2Cb%3Ac.md,line=7,title=Timeline warning::"
        "100%25 wrong%0D%0Areally%0Ahint: fix: this, now"
    )


def test_strict_fails_on_warnings_that_check_lets_pass(make_project, run):
    uncited = EVENT_MD.replace("sources:\n  - example-statement\n", "sources:\n  - example-statement\n  - other\n")
    project = make_project({
        **minimal_files(),
        "content/sources/other.yaml": "url: https://example.org/o\ntitle: O\npublisher: P\npublished: '2024'\n",
        "content/events/2024-12-12-something-happened.md": uncited,
    })
    assert run(project, "check").code == 0
    assert run(project).code == 0
    assert (project / "_site/events/something-happened/index.html").is_file()  # a warning drops nothing
    strict = run(project, "check", "--strict")
    assert strict.code == 1
    assert "warning: the source 'other' is listed but never cited in the text" in strict.err


def test_check_counts_drafts_and_the_sources_only_they_cite(make_project, run):
    draft = EVENT_MD.replace("example-statement", "new-report").replace("---\nSomething", "draft: true\n---\nSomething")
    project = make_project({
        **minimal_files(),
        "content/sources/new-report.yaml": "url: https://example.org/r\ntitle: R\npublisher: P\npublished: '2024'\n",
        "content/events/2024-12-13-a-draft.md": draft.replace("2024-12-12", "2024-12-13"),
    })
    result = run(project, "check", "--strict")
    assert (result.code, result.out) == (0, "OK: 2 events (1 draft) and 2 sources are valid.\n"), result.err
    assert run(project).out == f"Built 1 events from 1 sources into {project / '_site'}.\n"  # drafts unpublished


def test_check_reports_an_unclosed_quote_where_it_opens(make_project, run):
    unclosed = "---\ntitle: 'Pardons: the list\ndate: '2024-12-12'\nsources: [example-statement]\n---\nText.\n"
    project = make_project({**minimal_files(), EVENT: unclosed})
    result = run(project, "check")
    assert result.code == 1
    assert result.err == (
        f"{EVENT}:2: YAML syntax error: the quoted value on this line is not closed (did not find expected key)\n"
        "    hint: the quotation mark that opens this value is not closed on its line: end the value with the same "
        "mark (inside '…', write an apostrophe as '')\n"
        "1 error; nothing was written.\n")


def test_new_writes_a_named_draft_that_passes_check_once_given_a_source_and_text(make_project, run, new):
    project = make_project(minimal_files())
    result = new(project, "Biden's pardon: the details", "--date", "2024-12-01", "--tag", "pardon")
    assert result.code == 0, result.err
    created = project / "content/events/2024-12-01-biden-s-pardon-the-details.md"
    assert created.is_file()
    assert "python build.py check" in result.out and "content/sources/<id>.yaml" in result.out

    without_source = run(project, "check")
    assert without_source.code == 1
    assert "2024-12-01-biden-s-pardon-the-details.md:6: the event has no source" in without_source.err

    text = created.read_text()
    created.write_text(text.replace("sources: []", "sources: [example-statement]").replace(
        f"{PLACEHOLDER}[^source-id]\n", "Biden pardoned his son.[^example-statement]\n"))
    assert run(project, "check").code == 0
    assert "title: 'Biden''s pardon: the details'" in text


def test_new_with_a_source_needs_only_its_text_and_stays_a_draft(make_project, run, new):
    project = make_project(minimal_files())
    created = new(project, "A second event", "--date", "2024-12", "--source", "example-statement")
    assert created.code == 0
    assert "content/sources/<id>.yaml" not in created.out and "under 'sources:'" not in created.out
    assert "content/sources/example-statement.txt" in created.out  # the one thing about sources left to do
    path = project / "content/events/2024-12-a-second-event.md"
    refused = run(project, "check", "--strict")
    assert refused.code == 1
    assert f"2024-12-a-second-event.md:12: the text still holds the placeholder '{PLACEHOLDER}'" in refused.err
    path.write_text(path.read_text().replace(PLACEHOLDER, "Something else happened."))
    assert run(project, "check", "--strict").code == 0
    assert run(project).code == 0
    assert not (project / "_site/events/a-second-event").exists()  # a draft until 'draft: true' goes


@pytest.mark.parametrize("args, message", [
    (["Something happened", "--date", "2024-12-12"], "an event with the slug 'something-happened' exists"),
    (["Title", "--date", "2024-02-30"], "'--date' 2024-02-30 is impossible"),
    (["Title", "--date", "2024-12-12", "--source", "example-statment"], "did you mean 'example-statement'?"),
    (["Title", "--date", "2024-12-12", "--tag", "Hunter Biden"],
     "the tag 'Hunter Biden' is not lowercase-with-hyphens\n    hint: write it as 'hunter-biden'"),
    (["!!!", "--date", "2024-12-12"], "the title gives no usable file name"),
])
def test_new_refuses_bad_requests_and_never_overwrites(make_project, new, args, message):
    project = make_project(minimal_files())
    before = {p: p.read_bytes() for p in (project / "content").rglob("*") if p.is_file()}
    result = new(project, *args)
    assert result.code == 1
    assert message in result.err
    assert {p: p.read_bytes() for p in (project / "content").rglob("*") if p.is_file()} == before


def test_a_build_on_a_terminal_says_what_it_is_doing_and_in_a_log_stays_quiet(make_project):
    import os
    import pty
    import subprocess
    import sys

    from conftest import PROJECT

    project = make_project(minimal_files())
    command = [sys.executable, str(PROJECT / "build.py"), "--content", str(project / "content"),
               "--out", str(project / "_site"), "--no-search"]
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(command, check=False, stderr=follower, stdout=subprocess.DEVNULL, timeout=60)
        os.close(follower)
        said = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"rendering 1 of 1 events" in said and b"writing" in said
    quiet = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == ""
