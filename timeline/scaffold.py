"""`build.py new`: a correctly named event file with front matter and a body to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from .fields import SLUG, Fields, slugify
from .model import EventDate

# The sentence a new event's text starts with. It must never be published: `check` refuses any
# event whose title, summary or text still holds it (check_placeholder, called by validation).
PLACEHOLDER = "What happened, in one or two sentences."


def _quoted(text: str) -> str:
    """A YAML single-quoted scalar: the only character to escape is the quote itself."""
    return "'" + text.replace("'", "''") + "'"


SLUG_LENGTH = 60  # an address readers can still read; longer titles are cut between words


def event_file_name(date: EventDate, title: str) -> str:
    slug = slugify(title)
    if len(slug) > SLUG_LENGTH:  # whole words only: "…-clemency", never "…-clemency-r"
        head = slug[:SLUG_LENGTH + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:SLUG_LENGTH]
    return f"{date.iso}-{slug}.md"


def event_text(title: str, date: EventDate, tags: list[str], sources: list[str]) -> str:
    lines = ["---", f"title: {_quoted(title)}", f"date: {_quoted(date.iso)}"]
    lines.append("summary: ''  # optional: one or two sentences for the timeline page, with citations")
    lines.append(f"tags: [{', '.join(tags)}]")
    if sources:
        lines.append("sources:")
        lines.extend(f"  - {source}" for source in sources)
    else:
        lines.append("sources: []  # add the id of each source: - wh-statement-2024-12-12")
    lines.append("draft: true  # delete this line when the event is ready to publish")
    lines.append("---")
    marker = f"[^{sources[0]}]" if sources else "[^source-id]"
    lines.append(
        "<!-- Write what happened in neutral, precise sentences. Put the source of each statement "
        "right after it: [^, the source's id, then ]. Every paragraph needs at least one. -->"
    )
    lines.append("")
    lines.append(f"{PLACEHOLDER}{marker}")
    return "\n".join(lines) + "\n"


def bad_tags(tags: list[str]) -> list[str]:
    return [tag for tag in tags if not SLUG.match(tag)]


def tag_hint(tag: str) -> str:
    """The hint validation gives for a tag that is not lowercase-with-hyphens."""
    return f"write it as '{slugify(tag)}'" if slugify(tag) else "lowercase letters, digits and hyphens"


_PLACEHOLDER_HINT = "replace it with what happened, in neutral, precise sentences, each citing its source with [^id]"


# However the editor wrapped the line.
_PLACEHOLDER = re.compile(r"\s+".join(re.escape(word) for word in PLACEHOLDER.split()))


def check_placeholder(fields: Fields, title: str, summary: str, body: str, body_line: int) -> None:
    """An error at each place where the scaffold's placeholder sentence was left in."""
    for key, text in (("title", title), ("summary", summary)):
        if _PLACEHOLDER.search(text):
            fields.problem(fields.line(key), f"the '{key}' still holds the placeholder '{PLACEHOLDER}'",
                           _PLACEHOLDER_HINT)
    found = _PLACEHOLDER.search(body)
    if found:
        fields.problem(body_line + body.count("\n", 0, found.start()),
                       f"the text still holds the placeholder '{PLACEHOLDER}'", _PLACEHOLDER_HINT)


def create_event(events_dir: Path, title: str, date: EventDate, tags: list[str], sources: list[str]) -> Path:
    """Write the new file; refuses (FileExistsError) to overwrite anything."""
    events_dir.mkdir(parents=True, exist_ok=True)
    path = events_dir / event_file_name(date, title)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail if it exists, atomically
        handle.write(event_text(title, date, tags, sources))
    return path
