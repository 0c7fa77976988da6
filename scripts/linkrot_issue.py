#!/usr/bin/env python3
"""The link-rot issue's body, from what `python build.py check --links` printed.

    python build.py check --links 2> linkcheck.txt
    python scripts/linkrot_issue.py linkcheck.txt --run-url URL > body.md

`check` prints every problem as `path:line: [warning: ]message`, with `    hint: …` on the next
line (timeline/report.py); the link checker's messages start with the key in quotes ('url',
'archive_url', 'original_url') and say what happened in words that timeline/linkcheck.py fixes.
This script sorts them into what an editor must fix (dead), what to update (moved), and what to
look at in a browser (blocked, server errors, timeouts, slow), and prints Markdown.

An archived copy is never made up: for a dead page the body gives the Wayback Machine's lookup
address (`https://web.archive.org/web/*/<url>`), where the editor picks a real capture.
`--github-output FILE` appends `findings=N` (the dead and moved links) for the workflow.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TITLE = "Link rot: dead and moved sources"
LABEL = "link-rot"
WAYBACK_LOOKUP = "https://web.archive.org/web/*/"
_MARKDOWN = re.compile(r"[\\`*_{}\[\]<>()#+!|~&]")

_PROBLEM = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>[0-9]+): (?P<warning>warning: )?(?P<message>.*)$")
_LINK = re.compile(r"^'(?P<key>url|archive_url|original_url)' (?P<rest>.*)$")
# What each of linkcheck's messages says, after the quoted key; the address is the first group.
_KINDS = [
    ("dead", re.compile(r"^is a dead link: (\S+) \((.*)\)$")),
    ("moved", re.compile(r"^has moved: (\S+) now redirects permanently to (\S+)$")),
    ("dead", re.compile(r"^never arrives: (\S+) \((.*)\)$")),
    ("dead", re.compile(r"^redirects to an address that is not http\(s\): (\S+) \((.*)\)$")),
    ("look", re.compile(r"^could not be checked: (\S+) (refused the link checker.*)$")),
    ("look", re.compile(r"^gave a server error: (\S+) \((.*)\)$")),
    ("look", re.compile(r"^timed out: (\S+) \((.*)\)$")),
    ("look", re.compile(r"^is slow: (\S+) (answered after .*)$")),
    ("dead", re.compile(r"^was not requested: (the address .*)$")),
]


@dataclass(frozen=True)
class Finding:
    kind: str  # "dead", "moved", "look" (a link finding) or "other" (any other problem check reported)
    path: str
    line: int
    key: str  # url, archive_url, original_url; "" for other problems
    url: str
    detail: str  # what happened; for "moved", the new address
    severity: str  # "error" or "warning"

    @property
    def source_id(self) -> str:
        return Path(self.path).stem


def parse_report(text: str) -> list[Finding]:
    """Every `path:line: message` problem of check's report (hint lines and others are skipped)."""
    findings = []
    for line in text.splitlines():
        match = _PROBLEM.match(line)
        if match is None:
            continue
        severity = "warning" if match["warning"] else "error"
        findings.append(_finding(match["path"], int(match["line"]), match["message"], severity))
    return findings


def _finding(path: str, line: int, message: str, severity: str) -> Finding:
    link = _LINK.match(message)
    if link:
        for kind, pattern in _KINDS:
            words = pattern.match(link["rest"])
            if words is None:
                continue
            if pattern.groups == 1:  # "was not requested": no address that could be requested
                return Finding(kind, path, line, link["key"], "", words[1], severity)
            return Finding(kind, path, line, link["key"], words[1], words[2], severity)
    return Finding("other", path, line, "", "", message, severity)


def _text(text: str) -> str:
    """Plain text in Markdown: a server's reason phrase or a file name formats nothing and links nowhere."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return _MARKDOWN.sub(r"\\\g<0>", text)


def _code(text: str) -> str:
    """Inline code that no backtick in `text` can end early."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _place(finding: Finding, blob_url: str) -> str:
    shown = f"{finding.path}:{finding.line}"
    if blob_url:
        return f"[{_code(shown)}]({blob_url.rstrip('/')}/{finding.path}#L{finding.line})"
    return _code(shown)


def _heading(title: str, findings: list[Finding], explanation: str) -> list[str]:
    """A section's title with its count, and what to do about the findings under it."""
    return ["", f"## {title} ({len(findings)})", "", explanation, ""]


def render(findings: list[Finding], run_url: str = "", blob_url: str = "") -> str:
    """The issue's Markdown body."""
    dead = [f for f in findings if f.kind == "dead"]
    moved = [f for f in findings if f.kind == "moved"]
    look = [f for f in findings if f.kind == "look"]
    other = [f for f in findings if f.kind == "other"]
    out = [f"# {TITLE}", ""]
    ran = f"[the weekly link check]({run_url})" if run_url else "the weekly link check"
    if not (dead or moved or look or other):
        out.append(f"All clear: {ran} (`python build.py check --links`) found no dead or moved source.")
        return "\n".join(out) + "\n"
    out.append(f"Found by {ran} (`python build.py check --links`). This issue is rewritten by every run: "
               "fix the sources, and the next run shows what is left.")
    if dead:
        out += _heading("Dead", dead,
                ("The page is gone. Find a capture of it in the archive (the lookup address lists every one; "
                 "pick one made while the page still said what the event cites), then in the source file set "
                 "`url_status: dead` and add `archive_url:` with that capture's address."))
        for f in dead:
            address = f" {_code(f.url)}" if f.url else ""
            out.append(f"- [ ] **{_text(f.source_id)}** {_place(f, blob_url)} `{f.key}`:{address} ({_text(f.detail)})")
            if f.url and f.key == "url":
                out.append(f"  - find an archived copy: {WAYBACK_LOOKUP}{f.url}")
            elif f.key == "archive_url":
                out.append("  - the archived copy itself is gone: find another capture, or remove `archive_url:`")
    if moved:
        out += _heading("Moved", moved,
                ("The page now lives at a new address (a permanent redirect). Update the key to the new "
                 "address; for `url:`, keep the old one as `original_url:` if that is where it was published."))
        for f in moved:
            out.append(f"- [ ] **{_text(f.source_id)}** {_place(f, blob_url)} `{f.key}`: {_code(f.url)} → {_code(f.detail)}")
    if look:
        out += _heading("To look at in a browser", look,
                ("These did not answer the checker properly but may work for readers: many sites refuse scripts, "
                 "and servers fail for a while. Treat one as dead only if it fails in a browser too."))
        for f in look:
            out.append(f"- {_place(f, blob_url)} `{f.key}`: {_code(f.url)} ({_text(f.detail)})")
    if other:
        out += _heading("Other problems", other,
                        "`check` also reported these. While the content has an error, the links are not checked at all.")
        for f in other:
            label = "" if f.severity == "error" else "warning: "
            out.append(f"- {_place(f, blob_url)} {label}{_code(f.detail)}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="what `python build.py check --links` printed (its stderr)")
    parser.add_argument("--run-url", default="", help="the workflow run, linked from the issue")
    parser.add_argument("--blob-url", default="",
                        help="where the files are shown, e.g. https://github.com/OWNER/REPO/blob/SHA")
    parser.add_argument("--github-output", type=Path, default=None,
                        help="append findings=N (dead and moved links, and other problems) to this file")
    args = parser.parse_args(argv)
    findings = parse_report(args.report.read_text(encoding="utf-8", errors="replace"))
    sys.stdout.write(render(findings, args.run_url, args.blob_url))
    if args.github_output is not None:
        needing_work = sum(f.kind in ("dead", "moved", "other") for f in findings)
        with args.github_output.open("a", encoding="utf-8") as output:
            output.write(f"findings={needing_work}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
