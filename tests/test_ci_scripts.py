"""The scripts the workflows run: scripts/linkrot_issue.py (the link-rot issue) and scripts/pr_summary.py
(the editor's review of a pull request). Each is run on fixtures: the link checker's real messages,
and a small git repository whose content changes between two commits."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVENT_MD, PROJECT, minimal_files, write_files

from timeline.linkcheck import LinkResult, LinkTarget, link_problem
from timeline.model import Location, Problem
from timeline.report import format_report


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


linkrot = load_script("linkrot_issue")
pr_summary = load_script("pr_summary")


# ---- scripts/linkrot_issue.py ----

DEAD_URL = "https://example.org/gone"
MOVED_URL = "http://example.org/old"
NEW_URL = "https://example.org/new"


def check_output() -> str:
    """What `check --links` prints to stderr, made by the link checker's own wording and report."""
    at = Location

    def problem(path: str, line: int, url: str, result: LinkResult, key: str = "url") -> Problem:
        found = link_problem(LinkTarget(url, at(path, line), key), result)
        assert found is not None
        return found

    problems = [
        problem("content/sources/gone.yaml", 1, DEAD_URL, LinkResult("dead", 404, DEAD_URL, detail="HTTP 404 Not Found")),
        problem("content/sources/old.yaml", 2, MOVED_URL, LinkResult("moved", 200, NEW_URL, new_url=NEW_URL,
                                                                    detail=f"moved permanently to {NEW_URL}")),
        problem("content/sources/old.yaml", 5, "https://web.archive.org/web/2020/x",
                LinkResult("dead", None, detail="the host name does not resolve (Name or service not known)"),
                key="archive_url"),
        problem("content/sources/shy.yaml", 1, "https://shy.example/", LinkResult("blocked", 403)),
        problem("content/sources/slow.yaml", 1, "https://slow.example/", LinkResult("timeout", None,
                                                                                  detail="no answer within 10 s")),
        problem("content/sources/loop.yaml", 1, "https://loop.example/",
                LinkResult("loop", 301, detail="more than 5 redirects (stopped at https://loop.example/5)")),
        Problem(at("content/events/2024-x.md", 3), "unknown key 'soruces'", "did you mean 'sources'?"),
    ]
    return format_report(problems) + "\n3 errors, 3 warnings; nothing was written.\n"


def test_linkrot_sorts_the_link_checkers_findings():
    findings = linkrot.parse_report(check_output())
    kinds = {(f.kind, f.path, f.key): f for f in findings}
    dead = kinds["dead", "content/sources/gone.yaml", "url"]
    assert (dead.url, dead.line, dead.detail, dead.severity) == (DEAD_URL, 1, "HTTP 404 Not Found", "error")
    moved = kinds["moved", "content/sources/old.yaml", "url"]
    assert (moved.url, moved.detail, moved.severity) == (MOVED_URL, NEW_URL, "warning")
    assert ("dead", "content/sources/old.yaml", "archive_url") in kinds
    assert ("dead", "content/sources/loop.yaml", "url") in kinds  # never arrives
    assert {f.path for f in findings if f.kind == "look"} == {"content/sources/shy.yaml", "content/sources/slow.yaml"}
    [other] = [f for f in findings if f.kind == "other"]
    assert (other.path, other.line, other.detail) == ("content/events/2024-x.md", 3, "unknown key 'soruces'")
    assert len(findings) == 7  # hint lines and the closing count are not problems


def test_linkrot_issue_lists_dead_and_moved_sources_with_where_to_find_an_archived_copy():
    body = linkrot.render(linkrot.parse_report(check_output()), run_url="https://github.com/o/r/actions/runs/1",
                          blob_url="https://github.com/o/r/blob/abc")
    assert body.startswith(f"# {linkrot.TITLE}\n")
    assert "[the weekly link check](https://github.com/o/r/actions/runs/1)" in body
    assert "## Dead (3)" in body and "## Moved (1)" in body and "## To look at in a browser (2)" in body
    assert f"- find an archived copy: https://web.archive.org/web/*/{DEAD_URL}" in body
    assert "`url_status: dead`" in body and "`archive_url:`" in body
    assert f"`{MOVED_URL}` → `{NEW_URL}`" in body
    assert "[`content/sources/gone.yaml:1`](https://github.com/o/r/blob/abc/content/sources/gone.yaml#L1)" in body
    assert "the archived copy itself is gone" in body
    assert "## Other problems (1)" in body and "unknown key 'soruces'" in body
    # No archived address is made up: the only archive addresses are the lookup and the one the source had.
    archive = {word for word in body.split() if "web.archive.org" in word}
    assert archive == {f"https://web.archive.org/web/*/{DEAD_URL}", "https://web.archive.org/web/*/https://loop.example/",
                       "`https://web.archive.org/web/2020/x`"}


def test_linkrot_issue_says_all_clear_when_nothing_was_found(tmp_path):
    report = tmp_path / "linkcheck.txt"
    report.write_text("", encoding="utf-8")
    output = tmp_path / "github_output"
    result = subprocess.run([sys.executable, str(PROJECT / "scripts" / "linkrot_issue.py"), str(report),
                             "--github-output", str(output)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "All clear" in result.stdout
    assert output.read_text(encoding="utf-8") == "findings=0\n"


def test_linkrot_counts_what_needs_an_edit_for_the_workflow(tmp_path):
    report = tmp_path / "linkcheck.txt"
    report.write_text(check_output(), encoding="utf-8")
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n", encoding="utf-8")
    assert linkrot.main([str(report), "--github-output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == "earlier=1\nfindings=5\n"  # 3 dead, 1 moved, 1 other


def test_linkrot_issue_shows_a_servers_words_as_text():
    text = "content/sources/x.yaml:1: '\x75rl' is a dead link: https://x.example/ (HTTP 404 [click](https://evil.example) <b>)\n"
    body = linkrot.render(linkrot.parse_report(text))
    assert "[click](https://evil.example)" not in body and "<b>" not in body
    assert r"\[click\]\(https://evil.example\) \<b\>" in body


# ---- scripts/pr_summary.py ----

SNAPSHOT = "The Example Office said the pardons were “a full and unconditional pardon” for all.\n"
QUOTED_EVENT = """\
---
title: The office pardons everyone
date: '2024-12-20'
sources:
  - id: example-statement
    quote: 'a full and unconditional pardon'
---
The office called it “a full and unconditional pardon”.[^example-statement]
"""
DRAFT_EVENT = EVENT_MD.replace("title: Something happened", "title: Still a draft\ndraft: true")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose first commit is the minimal content plus an event that the pull request removes."""
    files = minimal_files()
    files["content/events/2024-11-01-an-old-event.md"] = EVENT_MD.replace("Something happened", "An old event")
    files["content/events/2024-11-01-an-old-event.md"] = files["content/events/2024-11-01-an-old-event.md"].replace(
        "'2024-12-12'", "'2024-11-01'")
    write_files(tmp_path, files)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def pull_request(repo: Path) -> None:
    """Adds an event with verified quotations and a draft, changes one, removes one."""
    (repo / "content/events/2024-11-01-an-old-event.md").unlink()
    write_files(repo, {
        "content/sources/example-statement.txt": SNAPSHOT,
        "content/events/2024-12-20-the-office-pardons-everyone.md": QUOTED_EVENT,
        "content/events/2024-12-21-still-a-draft.md": DRAFT_EVENT.replace("'2024-12-12'", "'2024-12-21'"),
        "content/events/2024-12-12-something-happened.md": EVENT_MD.replace(
            "title: Something happened", "title: Something *else* happened"),
    })


def test_pr_summary_lists_added_changed_and_removed_events(repo):
    pull_request(repo)
    text = pr_summary.summary(repo, "main", "site-preview-pr-7", "https://github.com/o/r/actions/runs/1/artifacts/2")
    assert "2 added, 1 changed, 1 removed (compared with `main`)." in text
    added = text[text.index("### Added (2)"):text.index("### Changed (1)")]
    changed = text[text.index("### Changed (1)"):text.index("### Removed (1)")]
    removed = text[text.index("### Removed (1)"):]

    assert "#### The office pardons everyone" in added
    assert "- date: 20 December 2024" in added
    assert ("- page: `events/the-office-pardons-everyone/index.html` in the artifact "
            "[`site-preview-pr-7`](https://github.com/o/r/actions/runs/1/artifacts/2)") in added
    assert "  - The Example Office: A statement, <https://example.org/statement>" in added
    assert "- quotations found in a stored copy of a source:\n  - “a full and unconditional pardon” (example-statement)" \
        in added
    assert added.count("a full and unconditional pardon") == 1  # the quote: and the text quote it once
    assert "#### Still a draft" in added and "- page: none (a draft: checked, but not published)" in added

    assert r"#### Something \*else\* happened" in changed  # a title is text, not Markdown
    assert r"- was: Something happened, 12 December 2024" in changed
    assert "- quotations found in a stored copy of a source: none" in changed

    assert "#### An old event" in removed and "- page: removed from the site" in removed
    assert "- date: 1 November 2024" in removed


def test_pr_summary_runs_as_the_workflow_runs_it(repo):
    pull_request(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the pull request")
    result = subprocess.run([sys.executable, str(PROJECT / "scripts" / "pr_summary.py"), "--base", "HEAD^1",
                             "--artifact", "site-preview-pr-7"], cwd=repo, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Events in this pull request\n")
    assert "2 added, 1 changed, 1 removed (compared with `HEAD^1`)." in result.stdout
    assert "in the artifact `site-preview-pr-7`" in result.stdout


def test_pr_summary_says_when_no_event_changed(repo):
    (repo / "content/sources/example-statement.txt").write_text(SNAPSHOT, encoding="utf-8")
    text = pr_summary.summary(repo, "main", "site-preview-pr-7")
    assert "No event file (`content/events/*.md`) changed." in text


def test_pr_summary_lists_the_files_when_the_content_has_errors(repo):
    pull_request(repo)
    (repo / "content/events/2024-12-12-something-happened.md").write_text("no front matter\n", encoding="utf-8")
    text = pr_summary.summary(repo, "main", "site-preview-pr-7")
    assert "**The content has 1 error**" in text
    assert "- `content/events/2024-12-12-something-happened.md`" in text
    assert "#### An old event" in text  # read from the base commit, which is valid
