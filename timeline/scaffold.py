"""`build.py new`: a correctly named event file with front matter and a body to fill in."""

from __future__ import annotations

from pathlib import Path

from .fields import SLUG, slugify
from .model import EventDate


def _quoted(text: str) -> str:
    """A YAML single-quoted scalar: the only character to escape is the quote itself."""
    return "'" + text.replace("'", "''") + "'"


def event_file_name(date: EventDate, title: str) -> str:
    return f"{date.iso}-{slugify(title)[:60].rstrip('-')}.md"


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
    lines.append(f"What happened, in one or two sentences.{marker}")
    return "\n".join(lines) + "\n"


def bad_tags(tags: list[str]) -> list[str]:
    return [tag for tag in tags if not SLUG.match(tag)]


def create_event(events_dir: Path, title: str, date: EventDate, tags: list[str], sources: list[str]) -> Path:
    """Write the new file; refuses (FileExistsError) to overwrite anything."""
    events_dir.mkdir(parents=True, exist_ok=True)
    path = events_dir / event_file_name(date, title)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail if it exists, atomically
        handle.write(event_text(title, date, tags, sources))
    return path
