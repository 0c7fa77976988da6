#!/usr/bin/env python3
"""An editor's review of a pull request: the events it adds, changes and removes, as Markdown.

    python scripts/pr_summary.py --base origin/main >> "$GITHUB_STEP_SUMMARY"

Compares content/events/*.md in the working tree with the base commit (`git diff --name-status`).
The events are read the way the build reads them (timeline.load.load_content, then
timeline.validate.validate, drafts included): each is shown with its title, date, the path of its
page inside the uploaded site artifact, its sources (publisher, title, address) and the quotations
the check found in the stored copy of a source. A removed event is read from the base commit
(`git archive`). Run from the project folder; `--project` names another.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # run as a script: the generator's package lives beside scripts/
    sys.path.insert(0, str(PROJECT))

from timeline.load import load_content
from timeline.model import Event, Timeline
from timeline.quotes import quotation_found, quotations_in
from timeline.validate import validate

EVENTS = "content/events"
SUMMARY_LIMIT = 900_000  # characters: GitHub refuses a step summary over 1 MiB
_MARKDOWN = re.compile(r"[\\`*_{}\[\]<>()#+!|~&]")
_STATUS = {"A": "added", "M": "changed", "T": "changed", "D": "removed"}


@dataclass(frozen=True)
class Change:
    status: str  # added, changed, removed
    path: str  # content/events/<file>.md


def changed_events(project: Path, base: str) -> list[Change]:
    """The event files that differ between `base` and the working tree, new files not yet added
    to git included (a rename is a removal and an addition: the page's address changes with the
    file name)."""
    result = _git(project, "diff", "--no-renames", "--name-status", base, "--", f"{EVENTS}/*.md")
    untracked = _git(project, "ls-files", "--others", "--exclude-standard", "--", f"{EVENTS}/*.md")
    changes = []
    for line in result.splitlines() + [f"A\t{path}" for path in untracked.splitlines()]:
        status, _, path = line.partition("\t")
        if status[:1] in _STATUS and path.startswith(f"{EVENTS}/") and path.count("/") == 2:
            changes.append(Change(_STATUS[status[:1]], path))
    return sorted(changes, key=lambda change: change.path)


def read_timeline(content: Path) -> tuple[Timeline | None, int]:
    """The content as the build validates it (drafts kept), and how many errors it has."""
    timeline, problems = validate(load_content(content), drafts=True)
    return timeline, sum(problem.is_error for problem in problems)


def base_timeline(project: Path, base: str) -> Timeline | None:
    """The content at the base commit, read from a copy of it."""
    archive = subprocess.run(["git", "archive", "--format=tar", base, "content"], cwd=project, capture_output=True,
                             check=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        timeline, _ = read_timeline(Path(folder) / "content")
    return timeline


def by_path(timeline: Timeline | None) -> dict[str, Event]:
    return {event.where.path: event for event in timeline.events} if timeline else {}


def verified_quotations(event: Event) -> list[tuple[str, str]]:
    """(quotation, source id): each `quote:` under its sources, and each quotation of its text,
    that is in the stored copy of a source the event cites."""
    found: list[tuple[str, str]] = []
    for citation in event.citations:
        if citation.quote_verified:
            found.append((citation.quote, citation.source.id))
    stored = [c.source for c in event.citations if c.source.snapshot is not None]
    for text in (event.summary_markdown, event.body_markdown):
        for quotation in quotations_in(text):
            if quotation.text in event.not_quotations:
                continue
            source = next((s for s in stored if quotation_found(quotation.text, s.snapshot or "")), None)
            if source is not None and (quotation.text, source.id) not in found:
                found.append((quotation.text, source.id))
    return found


def _text(text: str) -> str:
    """Text from a pull request, shown as text: it formats nothing and links nowhere."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return _MARKDOWN.sub(r"\\\g<0>", text)


def _url(url: str) -> str:
    return f"<{url}>" if url.startswith(("https://", "http://")) and not re.search(r"[\s<>]", url) else _text(url)


def describe(event: Event, change: str, artifact: str, before: Event | None = None, artifact_url: str = "",
             ) -> list[str]:
    """One event as Markdown lines."""
    lines = [f"#### {_text(event.title)}", "", f"- file: `{event.where.path}`", f"- date: {event.date.display}"]
    if before is not None and (before.title, before.date) != (event.title, event.date):
        lines.append(f"- was: {_text(before.title)}, {before.date.display}")
    if change == "removed":
        lines.append("- page: removed from the site")
    elif event.draft:
        lines.append("- page: none (a draft: checked, but not published)")
    else:
        shown = f"[`{artifact}`]({artifact_url})" if artifact_url.startswith("https://") else f"`{artifact}`"
        lines.append(f"- page: `events/{event.slug}/index.html` in the artifact {shown}")
    lines.append("- sources:")
    for citation in event.citations:
        source = citation.source
        lines.append(f"  - {_text(source.publisher)}: {_text(source.title)}, {_url(source.url)}"
                     + (f" (archived: {_url(source.archive_url)})" if source.archive_url else ""))
    quotations = verified_quotations(event) if change != "removed" else []
    if quotations:
        lines.append("- quotations found in a stored copy of a source:")
        lines += [f"  - “{_text(quote)}” ({_text(source_id)})" for quote, source_id in quotations]
    elif change != "removed":
        lines.append("- quotations found in a stored copy of a source: none")
    return lines + [""]


def summary(project: Path, base: str, artifact: str, artifact_url: str = "") -> str:
    changes = changed_events(project, base)
    out = ["## Events in this pull request", ""]
    if not changes:
        return "\n".join(out + ["No event file (`content/events/*.md`) changed.", ""])
    head, errors = read_timeline(project / "content")
    before = by_path(base_timeline(project, base)) if any(c.status != "added" for c in changes) else {}
    after = by_path(head)
    counts = {status: sum(c.status == status for c in changes) for status in ("added", "changed", "removed")}
    out.append(", ".join(f"{n} {status}" for status, n in counts.items()) + f" (compared with `{_text(base)}`).")
    if head is None:
        out += ["", (f"**The content has {errors} error{'s' * (errors != 1)}**: see the step “Check the content”. "
                     "Until they are fixed, only the changed files can be listed:"), ""]
    out.append("")
    for status in ("added", "changed", "removed"):
        group = [c for c in changes if c.status == status]
        if not group:
            continue
        out += [f"### {status.capitalize()} ({len(group)})", ""]
        for change in group:
            event = (before if status == "removed" else after).get(change.path)
            if event is None:
                out += [f"- `{change.path}`", ""]
            else:
                out += describe(event, status, artifact, before.get(change.path) if status == "changed" else None,
                                artifact_url)
            if sum(map(len, out)) > SUMMARY_LIMIT:
                out += ["", "*(the rest is left out: a step summary holds at most 1 MiB)*"]
                return "\n".join(out) + "\n"
    return "\n".join(out)


def _git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with, e.g. origin/main or HEAD^1")
    parser.add_argument("--artifact", default="the site preview", help="the name of the uploaded site artifact")
    parser.add_argument("--artifact-url", default="", help="the artifact's download address, linked when given")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    args = parser.parse_args(argv)
    sys.stdout.write(summary(args.project, args.base, args.artifact, args.artifact_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
