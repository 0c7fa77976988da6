"""Stage 2: raw entries → a Timeline, with every problem found across all files."""

from __future__ import annotations

import dataclasses
import datetime
import io
import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import cast

from .digests import digest
from .fields import SLUG, Fields, did_you_mean, slugify
from .load import RawContent, RawEvent, RawSource, file_stem, parse_event
from .memo import Memo
from .model import (
    RATINGS,
    Citation,
    ClaimReview,
    Correction,
    Event,
    EventDate,
    Location,
    Policy,
    Problem,
    Source,
    Timeline,
)
from .processes import fork_map, shared
from .quotes import closest_passage, is_quoted_in
from .scaffold import check_placeholder
from .siteyaml import check_every_topic_used, read_site
from .verify import check_texts, read_derived, read_not_quotations
from .yamltext import YValue

EVENT_KEYS = ("title", "date", "end_date", "summary", "tags", "sources", "draft", "corrections", "claim_review",
              "updated", "not_quotations", "derived")
SOURCE_KEYS = ("url", "title", "publisher", "published", "archive_url", "archive_date", "url_status",
               "original_url", "accessed", "note", "snapshot")
SNAPSHOT_EXTENTS = ("complete", "excerpt")
CITATION_KEYS = ("id", "quote")
CORRECTION_KEYS = ("date", "text")
CLAIM_REVIEW_KEYS = ("claim", "claimant", "claim_date", "appearance", "rating", "verdict", "date")
URL_STATUSES = ("live", "dead")
TAG_LIMIT = 20

_EVENT_NAME = re.compile(r"^([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)-(.+)\.md\Z")
_DATE_ONLY = re.compile(r"^[0-9]{4}(?:-[0-9]{2}){0,2}\.md\Z")
_MISSING_DATE = EventDate(1)


def validate(raw: RawContent, drafts: bool = False, memo: Memo | None = None,
             ) -> tuple[Timeline | None, list[Problem]]:
    """Return the timeline (None when there is any error) and all problems, sorted.

    Drafts are checked like every event, but only kept when `drafts` is set (the preview).
    With `memo` (the build cache), every entry found valid without a single warning is
    remembered, keyed by its files' digests and site.yaml's, for load.py to hand back unread.
    """
    problems = list(raw.problems)
    site = read_site(raw, problems)
    policy = site.policy if site else Policy()
    topics = frozenset(t.slug for t in site.topics) if site and site.topics else None
    sources = {}
    remember = memo if site is not None and raw.site_digest else None  # where valid entries are kept
    for raw_source in raw.sources:
        before = len(problems)
        source = raw_source.reuse or _source(raw_source, policy, problems)
        if source:
            sources[source.id] = source
            if remember is not None and len(problems) == before and not raw_source.reuse:
                remember.put(("source", raw.site_digest, raw_source.digest), source)
    # Files that exist but have errors: events citing them are not told the id is unknown as well.
    broken = {file_stem(r.where.path) for r in raw.sources} - set(sources)
    broken |= {file_stem(p.where.path) for p in raw.problems if p.where.path.endswith(".yaml")}
    events = []
    clean_events = []  # validated now without a single problem: remembered if the whole build is clean
    checked = _check_events([r for r in raw.events if not r.reuse], (sources, broken, policy, topics))
    for raw_event in raw.events:
        if raw_event.reuse:
            events.append(raw_event.reuse)
            continue
        event, found = next(checked)
        problems.extend(found)
        if event:
            events.append(event)
            if not found:
                clean_events.append((raw_event.digest, event))
    _check_unique_slugs(events, problems)
    if not any(p.is_error for p in problems):  # otherwise an unparsed event may be the one citing it
        _check_every_source_cited(events, sources, problems)
        if site is not None and raw.site_where is not None:
            check_every_topic_used(site, events, raw.site, raw.site_where, problems)
    problems.sort(key=Problem.sort_key)
    if any(p.is_error for p in problems) or site is None:
        return None, problems
    if remember is not None:
        # Only now: an event that lists a broken source is not told so (the source file is), so
        # its own clean result is trusted only once every source is known to be valid.
        for file_digest, event in clean_events:
            depends = tuple((c.source.id, c.source.digest) for c in event.citations)
            # Without its Markdown's HTML, which this build renders from: kept, it would be two
            # thirds of the cache, read back by every rebuild to render the few pages that changed.
            remember.put(("event", raw.site_digest, file_digest), (depends, dataclasses.replace(event, converted=())))
    published = [e for e in events if drafts or not e.draft]
    cited = _cited_ids(published)
    timeline = Timeline(
        site=site,
        events=tuple(sorted(published, key=Event.sort_key)),
        sources=tuple(sorted((s for s in sources.values() if s.id in cited), key=lambda s: s.id)),
    )
    return timeline, problems


def _source(raw: RawSource, policy: Policy, problems: list[Problem]) -> Source | None:
    before = len(problems)
    source_id = file_stem(raw.where.path)
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
        # A missing date is an error, and the source is then dropped: the stand-in is never seen.
        published=fields.date("published", required=True) or _MISSING_DATE,
        archive_url=fields.url("archive_url"),
        archive_date=fields.date("archive_date"),
        url_status=fields.choice("url_status", URL_STATUSES) or "live",
        original_url=fields.url("original_url"),
        accessed=fields.date("accessed"),
        note=fields.text("note"),
        where=raw.where,
        snapshot=raw.snapshot,
        snapshot_extent=fields.choice("snapshot", SNAPSHOT_EXTENTS) or "excerpt",
        digest=raw.digest,
        # Where each address is written, for check --links: it never reads the file again.
        address_lines=tuple((key, line) for key in Source.ADDRESS_KEYS if (line := fields.map.key_lines.get(key))),
    )
    if "snapshot" in fields.map.items and raw.snapshot is None:
        fields.problem(fields.line("snapshot"), f"'snapshot' is given but there is no stored copy content/sources/{source_id}.txt",
                       "save the page's text beside the .yaml file, or remove the 'snapshot' line")
    archive_written = bool(fields.map.items.get("archive_url") and str(fields.map.items["archive_url"].value).strip())
    if not archive_written:  # an invalid archive_url is reported on its own line already
        if source.is_dead:
            fields.problem(fields.line("url_status"), "a dead source needs 'archive_url'",
                           "add the address of an archived copy (e.g. on web.archive.org): readers are sent there")
        elif policy.archive_required and "url" in fields.map.items:
            fields.problem(fields.line("url"), "the editorial policy requires an archived copy: 'archive_url' is missing",
                           "archive the page (e.g. web.archive.org/save) and add archive_url: and archive_date:")
        if source.archive_date is not None:
            fields.problem(fields.line("archive_date"), "'archive_date' is given without 'archive_url'")
    return source if not _errors_since(problems, before) else None


def _event(raw: RawEvent, sources: dict[str, Source], broken: set[str], policy: Policy,
           topics: frozenset[str] | None, problems: list[Problem]) -> Event | None:
    before = len(problems)
    fields = Fields(raw.front, raw.where, problems, "front matter")
    if _errors_since(problems, before):
        return None  # not a mapping: every key would be reported missing
    fields.check_keys(EVENT_KEYS)
    title = fields.text("title", required=True, hint="add a line such as: title: Biden pardons his son Hunter")
    date = fields.date("date", required=True)
    end_date = fields.date("end_date")
    if date and end_date and end_date.sort_key() <= date.sort_key():
        fields.problem(fields.line("end_date"), f"'end_date' {end_date} is not after 'date' {date}")
    slug = _slug_from_name(raw.where, date, fields)
    tags = _tags(fields, topics)
    citations, listed = _citations(fields, sources, broken, policy)
    if listed and len(listed) < policy.min_sources:
        fields.problem(fields.line("sources"),
                       f"the event has {len(listed)} source{'s' * (len(listed) != 1)}; the editorial policy asks for "
                       f"at least {policy.min_sources}", "add an independent source (see min_sources in site.yaml)")
    summary = fields.text("summary")
    draft = fields.boolean("draft")
    corrections = _corrections(fields)
    claim_review = _claim_review(fields, sources, listed)
    updated = fields.date("updated")
    _not_in_the_future(fields, "updated", updated, "'updated' is the day the text last changed")
    if updated and date and updated.sort_key() < date.sort_key():
        fields.problem(fields.line("updated"), f"'updated' {updated} is before the event's date {date}",
                       "'updated' is the day the text last changed: it cannot be earlier than the event")
    exempt = read_not_quotations(fields)
    derived = read_derived(fields)
    claim_is_quotation, quotations, figures = False, 0, 0
    converted: tuple[tuple[str, str], ...] = ()
    if listed:
        claim_is_quotation, quotations, figures, converted = check_texts(
            raw, fields, (title, summary, claim_review), exempt, derived, citations, listed, sources, policy)
        if claim_review and claim_is_quotation:
            claim_review = dataclasses.replace(claim_review, claim_is_quotation=True)
    check_placeholder(fields, title, summary, raw.body, raw.body_line)  # `new`'s sentence, left in
    if _errors_since(problems, before) or date is None:  # a missing date is one of the errors
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
        corrections=corrections,
        claim_review=claim_review,
        updated=updated,
        not_quotations=tuple(phrase for phrase, _ in exempt),
        derived=tuple(derived),
        quotations_verified=quotations + sum(1 for c in citations if c.quote_verified),
        figures_verified=figures,
        converted=converted,
        fingerprint=digest(raw.digest, *(c.source.digest for c in citations)),
    )


Checking = tuple[dict[str, Source], set[str], Policy, frozenset[str] | None]
Shared = tuple[list[RawEvent], Checking]  # what workers inherit by fork: only positions are sent
Checked = list[tuple[int, Event | None, list[Problem]]]  # (position, the event or None, its problems)


def _check_events(raws: list[RawEvent], checking: Checking) -> Iterator[tuple[Event | None, list[Problem]]]:
    """Each event checked, with its problems, in the order given: in worker processes when there
    are many (each event is checked on its own, and reading its statements is most of a cold
    build's checking)."""
    sources = checking[0]
    done: dict[int, tuple[Event | None, list[Problem]]] = {}
    for chunk in fork_map(_check_chunk, list(range(len(raws))), (raws, checking)):
        for position, event, found in _from_worker(chunk, sources) if isinstance(chunk, bytes) else chunk:
            done[position] = (event, found)
    return (done[position] for position in range(len(raws)))


def _check_chunk(positions: list[int], forked: bool) -> bytes | Checked:
    raws, (sources, broken, policy, topics) = cast(Shared, shared())
    done: Checked = []
    for position in positions:
        raw, found = parse_event(raws[position])
        done.append((position, _event(raw, sources, broken, policy, topics, found) if raw else None, found))
    return _for_parent(done) if forked else done


def _for_parent(done: Checked) -> bytes:
    """A worker's events, pickled with each Source as its id: the parent has every Source already,
    and sending the stored copies back with each event would cost more than checking it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda value: value.id if type(value) is Source else None  # type: ignore[method-assign]
    pickler.dump(done)
    return buffer.getvalue()


def _from_worker(data: bytes, sources: dict[str, Source]) -> Checked:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = sources.__getitem__  # type: ignore[method-assign]
    return cast(Checked, unpickler.load())


def _slug_from_name(where: Location, date: EventDate | None, fields: Fields) -> str:
    name = PurePosixPath(where.path).name
    if _DATE_ONLY.match(name):  # "2024-12-11.md" would read as the month 2024-12 and the slug "11"
        fields.problem(fields.where.line, f"the file name '{name}' has a date but no slug",
                       f"rename it to {name.removesuffix('.md')}-what-happened.md: the slug is the event's address")
        return ""
    match = _EVENT_NAME.match(name)
    if not match or not SLUG.match(match.group(2)):
        words = re.sub(r"^[0-9]{4}(-[0-9]{1,2}){0,2}[-_ ]*", "", name.removesuffix(".md"))  # the date is added back
        suggestion = f"{date or '2024-12-12'}-{slugify(words) or 'what-happened'}.md"
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


def _tags(fields: Fields, topics: frozenset[str] | None) -> tuple[str, ...]:
    """The event's tags; with `topics` (site.yaml lists them), each must be one of those."""
    tags: list[str] = []
    items = fields.items("tags") or []
    if len(items) > TAG_LIMIT:
        # Each tag is a page listing its events: thousands of tags on one event would make
        # thousands of pages, each as long as the others.
        fields.problem(fields.line("tags"), f"the event has {len(items)} tags; the limit is {TAG_LIMIT}",
                       "keep the few topics a reader would look for")
        return ()
    for item in items:
        if not isinstance(item.value, str):
            fields.problem(item.line, f"a tag must be a word, not {item.kind}")
        elif not SLUG.match(item.value):
            fields.problem(
                item.line,
                f"the tag '{item.value}' is not lowercase-with-hyphens",
                f"write it as '{slugify(item.value)}'" if slugify(item.value) else "",
            )
        elif topics is not None and item.value not in topics:
            fields.problem(item.line, f"the tag '{item.value}' is not a topic in site.yaml",
                           did_you_mean(item.value, topics)
                           or f"add it under 'topics:' in site.yaml with its label, e.g. {item.value}: "
                              f"{item.value.replace('-', ' ').capitalize()}")
        elif item.value not in tags:
            tags.append(item.value)
    return tuple(tags)


def _citations(fields: Fields, sources: dict[str, Source], broken: set[str], policy: Policy,
               ) -> tuple[list[Citation], set[str]]:
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
        source_id, quote, quote_line = _citation_parts(item, fields)
        if not source_id:
            continue
        where = Location(fields.where.path, quote_line or item.line)
        if source_id in listed:
            fields.problem(item.line, f"the source '{source_id}' is listed twice")
            continue
        listed.add(source_id)
        if source_id in broken:
            continue  # the source file's own problems are reported there
        if source_id not in sources:
            hint = did_you_mean(source_id, sources) or f"add content/sources/{source_id}.yaml, or check the spelling"
            fields.problem(item.line, f"unknown source '{source_id}'", hint)
        elif not quote or _quote_ok(quote, sources[source_id], where, policy, fields):
            citations.append(Citation(sources[source_id], len(citations) + 1, quote, where))
    return citations, listed


def _quote_ok(quote: str, source: Source, where: Location, policy: Policy, fields: Fields) -> bool:
    """A quote must be word for word in the source's snapshot; with no snapshot it is unverified."""
    if source.snapshot is None:
        severity = "error" if policy.quotes_need_snapshots else "warning"
        fields.problem(where.line, f"unverified quote: '{source.id}' has no stored snapshot",
                       f"save the source's text as content/sources/{source.id}.txt", severity)
        return severity == "warning"
    if is_quoted_in(quote, source.snapshot):
        return True
    passage = closest_passage(quote, source.snapshot)
    fields.problem(where.line, f"the quote is not in the snapshot of '{source.id}'",
                   f'the closest passage is: "{passage}"' if passage else "copy the words exactly from the snapshot")
    return False


def _citation_parts(item: YValue, fields: Fields) -> tuple[str, str, int]:
    """(source id, quote, line of the quote or 0)."""
    if isinstance(item.value, str):
        if not item.value.strip():
            fields.problem(item.line, "a source in the list is empty", "write the source's id after the '- '")
        return item.value.strip(), "", 0
    if isinstance(item.value, list):
        fields.problem(item.line, "a source must be an id or 'id:' and 'quote:', not a list")
        return "", "", 0
    entry = Fields(item, Location(fields.where.path, item.line), fields.problems, "source entry")
    entry.check_keys(CITATION_KEYS)
    source_id = entry.text("id", required=True, hint="write '- id: source-id' and, under it, '  quote: …'")
    quote = entry.text("quote")
    return source_id, quote, entry.line("quote") if quote else 0


def _corrections(fields: Fields) -> tuple[Correction, ...]:
    found = []
    for item in fields.items("corrections") or []:
        before = len(fields.problems)
        entry = Fields(item, Location(fields.where.path, item.line), fields.problems, "correction")
        if _errors_since(fields.problems, before):
            continue  # not a mapping: its keys would all be reported missing
        entry.check_keys(CORRECTION_KEYS)
        date = entry.date("date", required=True)
        _not_in_the_future(entry, "date", date, "a correction is dated the day it was made")
        text = entry.text("text", required=True, hint="say what was wrong and what changed")
        if date and date.day is None:
            entry.problem(entry.line("date"), "a correction's date needs the day: YYYY-MM-DD")
        elif date and text:
            found.append(Correction(date, text))
    return tuple(sorted(found, key=lambda c: c.date.sort_key(), reverse=True))


def _claim_review(fields: Fields, sources: dict[str, Source], listed: set[str]) -> ClaimReview | None:
    if "claim_review" not in fields.map.items:
        return None
    before = len(fields.problems)
    entry = fields.nested("claim_review", "claim_review")
    if _errors_since(fields.problems, before):
        return None  # not a mapping: its keys would all be reported missing
    entry.check_keys(CLAIM_REVIEW_KEYS)
    claim = entry.text("claim", required=True, hint="the claim as it was made, in one sentence")
    claimant = entry.text("claimant", required=True, hint="who made the claim")
    claim_date = entry.date("claim_date")
    rating = entry.choice("rating", tuple(RATINGS), required=True)
    verdict = entry.text("verdict", required=True, hint="why: a paragraph citing the sources, with [^source-id]")
    date = entry.date("date", required=True)
    _not_in_the_future(entry, "date", date, "a review is dated the day it was published")
    appearance_id = entry.text("appearance")
    if appearance_id and appearance_id not in listed:
        entry.problem(entry.line("appearance"), f"the appearance '{appearance_id}' is not in this event's sources",
                      "give the id of a listed source in which the claim appears or is reported")
    if _errors_since(fields.problems, before) or date is None:  # a missing date is one of the errors
        return None
    return ClaimReview(claim, claimant, claim_date, rating, verdict, date, sources.get(appearance_id))


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
    cited = _cited_ids(events)
    for source in sources.values():
        if source.id not in cited:
            problems.append(
                Problem(source.where, f"no event cites the source '{source.id}'", "cite it, or delete the file", "warning")
            )


def _cited_ids(events: Iterable[Event]) -> set[str]:
    return {c.source.id for e in events for c in e.citations}



def _not_in_the_future(fields: Fields, key: str, date: EventDate | None, hint: str) -> None:
    """A record's own dates (corrections, reviews, updates) cannot be later than today. The check
    reads the clock; the pages never do."""
    if date is not None and date.sort_key() > _today():
        fields.problem(fields.line(key), f"'{key}' {date} is in the future", hint)


def _today() -> tuple[int, int, int]:
    today = datetime.date.today()
    return (today.year, today.month, today.day)


def _errors_since(problems: list[Problem], start: int) -> bool:
    """Whether an error was added after `start` (warnings never drop an entry). Only the new
    part is read: counting the whole list for every entry would take time growing with its square."""
    return any(p.is_error for p in problems[start:])
