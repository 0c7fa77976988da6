"""Stage 2: raw entries → a Timeline, with every problem found across all files."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .fields import SLUG, Fields, did_you_mean, slugify
from .load import RawContent, RawEvent, RawSource
from .markers import find_markers, uncited_blocks
from .model import Citation, Event, Location, Problem, SiteConfig, Source, Timeline

EVENT_KEYS = ("title", "date", "end_date", "summary", "tags", "sources", "draft")
SOURCE_KEYS = ("url", "title", "publisher", "published", "archive_url", "original_url", "accessed", "note")
SITE_KEYS = ("title", "description", "base_url", "language")
CITATION_KEYS = ("id", "quote")

_EVENT_NAME = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)-(.+)\.md$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def validate(raw: RawContent) -> tuple[Timeline | None, list[Problem]]:
    """Return the timeline (None when there is any error) and all problems, sorted."""
    problems = list(raw.problems)
    site = _site(raw, problems)
    sources = {}
    for raw_source in raw.sources:
        source = _source(raw_source, problems)
        if source:
            sources[source.id] = source
    # Files that exist but have errors: events citing them are not told the id is unknown as well.
    broken = {PurePosixPath(r.where.path).stem for r in raw.sources} - set(sources)
    broken |= {PurePosixPath(p.where.path).stem for p in raw.problems if p.where.path.endswith(".yaml")}
    events = []
    for raw_event in raw.events:
        event = _event(raw_event, sources, broken, problems)
        if event:
            events.append(event)
    _check_unique_slugs(events, problems)
    if not any(p.is_error for p in problems):  # otherwise an unparsed event may be the one citing it
        _check_every_source_cited(events, sources, problems)
    problems.sort(key=Problem.sort_key)
    if any(p.is_error for p in problems) or site is None:
        return None, problems
    published = [e for e in events if not e.draft]
    timeline = Timeline(
        site=site,
        events=tuple(sorted(published, key=Event.sort_key)),
        sources=tuple(sorted((s for s in sources.values() if _is_cited(s, published)), key=lambda s: s.id)),
    )
    return timeline, problems


def _site(raw: RawContent, problems: list[Problem]) -> SiteConfig | None:
    if raw.site_where is None or any(p.where.path == raw.site_where.path for p in raw.problems):
        return None  # already reported: missing or unreadable
    fields = Fields(raw.site, raw.site_where, problems, "site.yaml")
    fields.check_keys(SITE_KEYS)
    config = SiteConfig(
        title=fields.text("title", required=True),
        description=fields.text("description", required=True),
        base_url=fields.url("base_url", required=True),
        language=fields.text("language", required=True, hint="a language tag such as en or en-GB"),
    )
    if config.language and not _LANGUAGE.match(config.language):
        fields.problem(fields.line("language"), f"'language' is not a language tag: '{config.language}'", "e.g. en or en-GB")
    return config


def _source(raw: RawSource, problems: list[Problem]) -> Source | None:
    before = len(problems)
    source_id = PurePosixPath(raw.where.path).stem
    fields = Fields(raw.data, raw.where, problems, "source file")
    if not SLUG.match(source_id):
        fields.problem(
            fields.where.line,
            f"'{source_id}' is not a valid source id",
            f"use lowercase letters, digits and hyphens, e.g. {slugify(source_id) or 'publisher-topic-2024-12-12'}.yaml",
        )
    fields.check_keys(SOURCE_KEYS)
    source = Source(
        id=source_id,
        url=fields.url("url", required=True),
        title=fields.text("title", required=True, hint="the headline as published; a description in (parentheses) if unknown"),
        publisher=fields.text("publisher", required=True),
        published=fields.date("published", required=True),
        archive_url=fields.url("archive_url"),
        original_url=fields.url("original_url"),
        accessed=fields.date("accessed"),
        note=fields.text("note"),
        where=raw.where,
        snapshot=raw.snapshot,
    )
    return source if len(problems) == before else None


def _event(raw: RawEvent, sources: dict[str, Source], broken: set[str], problems: list[Problem]) -> Event | None:
    before = len(problems)
    fields = Fields(raw.front, raw.where, problems, "front matter")
    if len(problems) != before:
        return None  # not a mapping: every key would be reported missing
    fields.check_keys(EVENT_KEYS)
    title = fields.text("title", required=True, hint="add a line such as: title: Biden pardons his son Hunter")
    date = fields.date("date", required=True)
    end_date = fields.date("end_date")
    if date and end_date and end_date.sort_key() <= date.sort_key():
        fields.problem(fields.line("end_date"), f"'end_date' {end_date} is not after 'date' {date}")
    slug = _slug_from_name(raw.where, date, fields)
    tags = _tags(fields)
    citations, listed = _citations(fields, sources, broken)
    summary = fields.text("summary")
    draft = fields.boolean("draft")
    if listed:
        _check_markers(raw, fields, citations, listed, sources, summary)
    if len(problems) != before:
        return None
    return Event(
        slug=slug,
        title=title,
        date=date,
        end_date=end_date,
        where=raw.where,
        citations=tuple(citations),
        body_markdown=raw.body,
        summary_markdown=summary,
        tags=tags,
        draft=draft,
    )


def _slug_from_name(where: Location, date, fields: Fields) -> str:
    name = PurePosixPath(where.path).name
    match = _EVENT_NAME.match(name)
    if not match or not SLUG.match(match.group(2)):
        suggestion = f"{date or '2024-12-12'}-{slugify(name.removesuffix('.md')) or 'what-happened'}.md"
        fields.problem(
            fields.where.line,
            f"the file name '{name}' is not DATE-slug.md",
            f"rename it to something like {suggestion} (lowercase letters, digits and hyphens)",
        )
        return ""
    if date and match.group(1) != date.iso:
        fields.problem(
            fields.line("date"),
            f"the file name says {match.group(1)} but 'date' is {date.iso}",
            f"rename the file to {date.iso}-{match.group(2)}.md, or correct the date",
        )
    return match.group(2)


def _tags(fields: Fields) -> tuple[str, ...]:
    tags: list[str] = []
    for item in fields.items("tags") or []:
        if not isinstance(item.value, str):
            fields.problem(item.line, f"a tag must be a word, not {item.kind}")
        elif not SLUG.match(item.value):
            fields.problem(
                item.line,
                f"the tag '{item.value}' is not lowercase-with-hyphens",
                f"write it as '{slugify(item.value)}'" if slugify(item.value) else "",
            )
        elif item.value not in tags:
            tags.append(item.value)
    return tuple(tags)


def _citations(fields: Fields, sources: dict[str, Source], broken: set[str]) -> tuple[list[Citation], set[str]]:
    """The event's citations, and every id its sources: list names (known or not)."""
    items = fields.items("sources")
    if not items:
        if items is not None or "sources" not in fields.map.key_lines:
            fields.problem(
                fields.line("sources"),
                "the event has no source",
                "every event needs at least one source: add 'sources:' with a source id, e.g. - wh-statement-2024-12-12",
            )
        return [], set()
    citations: list[Citation] = []
    listed: set[str] = set()
    for item in items:
        source_id, quote = _citation_parts(item, fields)
        if not source_id:
            continue
        where = Location(fields.where.path, item.line)
        if source_id in listed:
            fields.problem(item.line, f"the source '{source_id}' is listed twice")
            continue
        listed.add(source_id)
        if source_id in broken:
            continue  # the source file's own problems are reported there
        if source_id not in sources:
            hint = did_you_mean(source_id, sources) or f"add content/sources/{source_id}.yaml, or check the spelling"
            fields.problem(item.line, f"unknown source '{source_id}'", hint)
        else:
            citations.append(Citation(sources[source_id], len(citations) + 1, quote, where))
    return citations, listed


def _citation_parts(item, fields: Fields) -> tuple[str, str]:
    if isinstance(item.value, str):
        return item.value.strip(), ""
    if isinstance(item.value, list):
        fields.problem(item.line, "a source must be an id or 'id:' and 'quote:', not a list")
        return "", ""
    entry = Fields(item, Location(fields.where.path, item.line), fields.problems, "source entry")
    entry.check_keys(CITATION_KEYS)
    source_id = entry.text("id", required=True, hint="write '- id: source-id' and, under it, '  quote: …'")
    return source_id, entry.text("quote")


def _check_markers(raw: RawEvent, fields: Fields, citations, listed: set[str], sources, summary: str) -> None:
    summary_line = fields.map.items["summary"].line if summary else 0
    # Body markers are found on their own line; a summary is one YAML value, reported at its key.
    texts = [(raw.body, raw.body_line, 1)]
    if summary:
        texts.append((summary, summary_line, 0))
    cited: set[str] = set()
    for text, first_line, per_line in texts:
        for offset, source_id in find_markers(text):
            line = first_line + offset * per_line
            cited.add(source_id)
            if source_id in listed:
                continue
            if source_id in sources:
                hint = f"add '- {source_id}' to this event's sources:"
            else:
                hint = did_you_mean(source_id, listed) or did_you_mean(source_id, sources) or "check the spelling"
            fields.problem(line, f"the citation [^{source_id}] is not in this event's sources", hint)
        for offset in uncited_blocks(text):
            line = first_line + offset * per_line
            fields.problem(
                line,
                "this paragraph cites no source",
                "every statement needs a source: add [^source-id] right after the sentence it supports",
            )
    if not raw.body.strip():
        fields.problem(raw.body_line - 1, "the event has no text after the front matter", "write what happened, citing sources")
        return
    for citation in citations:
        if citation.source.id not in cited:
            fields.problem(
                citation.where.line,
                f"the source '{citation.source.id}' is listed but never cited in the text",
                f"add [^{citation.source.id}] after the statement it supports, or remove it from sources:",
                severity="warning",
            )


def _check_unique_slugs(events: list[Event], problems: list[Problem]) -> None:
    by_slug: dict[str, list[Event]] = {}
    for event in events:
        by_slug.setdefault(event.slug, []).append(event)
    for slug, group in by_slug.items():
        if len(group) > 1:
            names = ", ".join(e.where.path for e in group)
            for event in group:
                problems.append(
                    Problem(
                        event.where,
                        f"the slug '{slug}' is used by {len(group)} files: {names}",
                        "each event needs its own address (events/<slug>/): rename all but one",
                    )
                )


def _check_every_source_cited(events: list[Event], sources: dict[str, Source], problems: list[Problem]) -> None:
    for source in sources.values():
        if not _is_cited(source, events):
            problems.append(
                Problem(source.where, f"no event cites the source '{source.id}'", "cite it, or delete the file", "warning")
            )


def _is_cited(source: Source, events) -> bool:
    return any(c.source.id == source.id for e in events for c in e.citations)

