"""The timeline taken elsewhere: feeds, a calendar, TimelineJS data, a spreadsheet, a sitemap.

Pure, like render.py: a Timeline → {output path: bytes}, with no file read or written and no clock.
Every date written here comes from the content itself, so the same content gives the same bytes.

Dates have honest precision in the content (2024, 2024-06, 2024-06-15). Formats that need a day
get the first day of the period (2024-06-01); the calendar spans the whole period instead, and
says so. Text from content is escaped for each format by the format's own writer (ElementTree,
json, csv) or by the escaping functions below, after XML-illegal control characters are removed.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from .citing import PageNumbering, card_text, numbers
from .markup import MarkdownRenderer
from .memo import Memo
from .model import Citation, ClaimReview, Event, EventDate, Source, Timeline

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_LIMIT = 100  # feeds carry the newest entries; the calendar, JSON and CSV exports carry every event
PRODID = "-//fact-checked-timeline//timeline exports//EN"
CSV_HEADER = ("date", "end_date", "title", "summary", "url", "tags", "sources")

# Feed-level `updated` of a timeline with no event at all: a fixed instant, never the clock.
_EPOCH = datetime.date(1970, 1, 1)

# Characters XML 1.0 forbids (C0 controls but tab and line feed; lone surrogates; U+FFFE/U+FFFF),
# plus carriage return (line ends are \n everywhere), DEL and the C1 controls, which iCalendar's
# TEXT forbids and no reader wants. load.py refuses most of these; a Timeline built another way
# must not be able to produce a file that a parser rejects.
_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# A cell that a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, - and @ start
# formulas, and a leading tab or carriage return can hide one. Such a cell gets a leading
# apostrophe, which spreadsheets show as text and do not evaluate. The full-width forms are
# included because some spreadsheet locales treat them as the ASCII ones. ISO dates and http(s)
# addresses never start with any of these, so only editors' text is ever changed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# A start tag in nh3's output: attribute values are always double-quoted, with '"' escaped inside.
_TAG = re.compile(r'<[a-zA-Z][a-zA-Z0-9]*(?:[^>"]|"[^"]*")*>')
_HREF = re.compile(r'(\shref=")([^"]*)(")')


def render_exports(timeline: Timeline, markdown: MarkdownRenderer, pages: Iterable[str],
                   memo: Memo | None = None, scope: str = "", context: ExportContext | None = None,
                   ) -> dict[str, bytes]:
    """Every export file, by output path. `pages` are the site's HTML output paths (for the sitemap).

    Each event's part of the calendar, TimelineJS data and spreadsheet is kept in `memo` (the
    build cache) under `scope` (site.yaml and templates) and the event's fingerprint, so a
    rebuild after one edit formats one event, and joins the rest.
    """
    return dict(export_files(timeline, markdown, pages, memo, scope, context))


def export_files(timeline: Timeline, markdown: MarkdownRenderer, pages: Iterable[str],
                 memo: Memo | None = None, scope: str = "", context: ExportContext | None = None,
                 ) -> Iterator[tuple[str, bytes]]:
    """render_exports' files one at a time, by path: a build writes each before the next is
    made (at 40,000 events they are tens of megabytes each)."""
    context = context or ExportContext(timeline, markdown, memo, scope)
    yield "feed.json", _json_feed(context)  # in the order of their paths
    yield "feed.xml", _atom(context)
    yield "robots.txt", _robots(context)
    yield "sitemap.xml", _sitemap(context, pages)
    yield "timeline.csv", _csv(context)
    yield "timeline.ics", _icalendar(context)
    yield "timeline.json", _timelinejs(context)


# ---------------------------------------------------------------------------------------------
# What every format shares: addresses, dates and each event's text, computed once.


@dataclass(frozen=True)
class _Item:
    """One feed entry: an event, or a correction to one."""

    id: str
    url: str
    title: str
    summary: str  # plain text
    content_html: str  # absolute links only
    published: datetime.date
    updated: datetime.date
    tags: tuple[str, ...]
    order: tuple[datetime.date, int]  # newest first when sorted in reverse


class ExportContext:
    def __init__(self, timeline: Timeline, markdown: MarkdownRenderer, memo: Memo | None = None,
                 scope: str = "", numbering: PageNumbering | None = None) -> None:
        self.timeline = timeline
        self.site = timeline.site
        self.markdown = markdown
        self.memo = memo
        self.scope = scope
        self.base = timeline.site.base_url if timeline.site.base_url.endswith("/") else timeline.site.base_url + "/"
        self.host = (urlsplit(self.base).hostname or "localhost").lower()
        self.base_path = urlsplit(self.base).path.rstrip("/")
        self.events = sorted(timeline.events, key=Event.sort_key)  # oldest first, as on the site
        # Shared with the renderer, which has numbered each event's citations for its page.
        self.numbering = numbering or PageNumbering(markdown)

    def citations(self, event: Event) -> tuple[Citation, ...]:
        """The event's citations numbered as its page numbers them: each feed item's texts and
        source list are read together, so they are worked out once per event."""
        return self.numbering(event)

    def plain(self, event: Event) -> str:
        """The summary's (or the body's) plain text."""
        return _clean(self.markdown.plain(card_text(event), numbers(self.citations(event))))

    def parts(self, event: Event) -> tuple[str, str, str]:
        """The event's calendar entry, TimelineJS slide and spreadsheet row, formatted once."""
        key = ("export", self.scope, event.fingerprint)
        found = self.memo.get(key) if self.memo is not None else None
        if found is None:
            plain = self.plain(event)
            found = (_ics_event(self, event, plain), _timelinejs_slide(self, event), _csv_row(self, event, plain))
            if self.memo is not None:
                self.memo.put(key, found)
        return found

    @cached_property
    def all_parts(self) -> list[tuple[str, str, str]]:
        """parts() of every event, oldest first: read once for the three files made from them."""
        return [self.parts(event) for event in self.events]

    def url(self, path: str) -> str:
        """The canonical address of an output file, as render.py's page_url gives it."""
        pretty = path[: -len("index.html")] if posixpath.basename(path) == "index.html" else path
        return self.base + pretty

    def event_url(self, event: Event) -> str:
        return f"{self.base}events/{event.slug}/"  # url() of its index.html, asked five times per event

    def html(self, event: Event, text: str, part: str = "") -> str:
        """Markdown → HTML as the event page shows it, with every link made absolute to that page."""
        # Numbered as on the event page, whose source list the markers link to.
        cited = numbers(self.citations(event))
        rendered = str(self.markdown.render(text, cited, event.slug, part).html)
        return _absolute_links(_clean(rendered), self.event_url(event))

    @cached_property
    def chosen(self) -> set[tuple[str, bool]]:
        """(slug, is it a correction) of the newest FEED_LIMIT events and corrections, by the date
        each happened: decided from dates alone, so that only those are rendered."""
        candidates = []
        for event in self.events:
            url = self.event_url(event)
            candidates.append(((first_day(event.date), 1), url, event, False))
            if event.corrections:
                candidates += [((first_day(c.date), 0), f"{url}#correction", event, True) for c in event.corrections]
        candidates.sort(key=lambda c: c[1])  # ties of date and kind are broken by id
        candidates.sort(key=lambda c: c[0], reverse=True)
        return {(event.slug, is_correction) for _, _, event, is_correction in candidates[:FEED_LIMIT]}

    def prepare(self, event: Event) -> None:
        """Format the event's parts of the exports (and of the feeds, if it is in them) into the
        memo: done by the worker process that renders the event, which has its HTML at hand."""
        self.parts(event)
        if (event.slug, False) in self.chosen:
            self._remembered_item(event)

    @cached_property
    def items(self) -> list[_Item]:
        """The newest FEED_LIMIT events and corrections, newest first (by the date each happened)."""
        found: list[_Item] = []
        chosen = self.chosen
        for event in self.events:
            if (event.slug, False) in chosen:
                found.append(self._remembered_item(event))
            if (event.slug, True) in chosen:
                found.extend(self._correction_items(event))
        found.sort(key=lambda item: item.id)
        found.sort(key=lambda item: item.order, reverse=True)
        return found[:FEED_LIMIT]

    def _remembered_item(self, event: Event) -> _Item:
        """The event's feed entry, from the build cache when its fingerprint is unchanged (kept
        there as plain values: the cache holds no classes of this module)."""
        key = ("feed", self.scope, event.fingerprint)
        stored = self.memo.get(key) if self.memo is not None else None
        if stored is None:
            item = self._event_item(event)
            stored = (item.id, item.url, item.title, item.summary, item.content_html,
                      item.published.toordinal(), item.updated.toordinal(), item.tags)
            if self.memo is not None:
                self.memo.put(key, stored)
        item_id, url, title, summary, content_html, published, updated_day, tags = stored
        published_day = datetime.date.fromordinal(published)
        return _Item(item_id, url, title, summary, content_html, published_day,
                     datetime.date.fromordinal(updated_day), tags, (published_day, 1))

    def _event_item(self, event: Event) -> _Item:
        url = self.event_url(event)
        parts = []
        if event.corrections:
            parts.append("<ul>" + "".join(
                f"<li><strong>Corrected {_e(c.date.display)}:</strong> {_e(c.text)}</li>" for c in event.corrections
            ) + "</ul>")
        parts.append(self.html(event, event.body_markdown))
        review = event.claim_review
        if review:
            parts.append(
                f"<h2>Claim review</h2>{_claim_html(review)}"
                f"<p><strong>Our rating: {_e(review.rating_name)}</strong> ({review.rating_value} on a scale "
                f"from 1, false, to 5, true). {_e(review.rating_definition)}</p>"
                + self.html(event, review.verdict_markdown, "verdict-")
            )
        parts.append(_source_list_html(self.citations(event)))
        return _Item(
            id=url,
            url=url,
            title=_clean(event.title),
            summary=self.plain(event),
            content_html="\n".join(parts),
            published=first_day(event.date),
            updated=updated(event)[0],
            tags=event.tags,
            order=(first_day(event.date), 1),
        )

    def _correction_items(self, event: Event) -> list[_Item]:
        """One item per correction. Its id is stable: the date, and a count among same-day ones."""
        url = self.event_url(event)
        items = []
        seen: dict[str, int] = {}
        for correction in reversed(event.corrections):  # oldest first, so a new one changes no old id
            day = correction.date.iso
            seen[day] = seen.get(day, 0) + 1
            suffix = "" if seen[day] == 1 else f"-{seen[day]}"
            when = first_day(correction.date)
            items.append(_Item(
                id=f"{url}#correction-{day}{suffix}",
                url=url,
                title=_clean(f"Correction: {event.title}"),
                summary=_clean(correction.text),
                content_html=(
                    f"<p><strong>Corrected {_e(correction.date.display)}:</strong> {_e(correction.text)}</p>"
                    f'<p>The corrected event: <a href="{_e(url)}">{_e(event.title)}</a></p>'
                ),
                published=when,
                updated=when,
                tags=("correction",),
                order=(when, 0),
            ))
        return items


def first_day(date: EventDate) -> datetime.date:
    """The first day of the period a date names: 2024-06 → 2024-06-01, 2024 → 2024-01-01."""
    return datetime.date(date.year, date.month or 1, date.day or 1)


def period_end(date: EventDate) -> datetime.date:
    """The day after the period a date names (an exclusive end): 2024-06 → 2024-07-01.

    At the very end of the calendar (9999-12-31) there is no day after: the last day stands in.
    """
    try:
        if date.month is not None and date.day is not None:
            return datetime.date(date.year, date.month, date.day) + datetime.timedelta(days=1)
        if date.month is not None:
            return datetime.date(date.year + date.month // 12, date.month % 12 + 1, 1)
        return datetime.date(date.year + 1, 1, 1)
    except (OverflowError, ValueError):
        return datetime.date.max


def updated(event: Event) -> tuple[datetime.date, bool]:
    """The first day of event.last_modified, and whether that day is really known (False when it
    is only the first day of a month or year)."""
    latest = event.last_modified
    return first_day(latest), latest.day is not None


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _e(text: str) -> str:
    """Text → HTML text or attribute value."""
    return html.escape(_clean(text), quote=True)


def _absolute_links(fragment: str, page_url: str) -> str:
    """Resolve every href in sanitised HTML against the page it came from (citations are '#…')."""

    def resolve(href: str) -> str:
        if href.startswith("#"):
            return page_url.split("#", 1)[0] + href
        if href.startswith(("http://", "https://")):
            return href
        return urljoin(page_url, href)

    def tag(match: re.Match[str]) -> str:
        return _HREF.sub(
            lambda m: m.group(1) + html.escape(resolve(html.unescape(m.group(2))), quote=True) + m.group(3),
            match.group(0),
        )

    return _TAG.sub(tag, fragment)


def _primary_url(source: Source) -> str:
    """A dead address is never the first link: readers go to the archived copy (as on the site)."""
    return source.archive_url if source.is_dead and source.archive_url else source.url


def _claim_html(review: ClaimReview) -> str:
    """The claim as event.html shows it: in quotation marks only when its words were found in the
    stored copy of the source it appears in; otherwise a description, said to be whose it is."""
    made = _e(review.claimant) + (f", {_e(review.claim_date.display)}" if review.claim_date else "")
    if review.claim_is_quotation and review.appearance:
        return (f"<p><strong>Claim, in the words of {_e(review.appearance.publisher)}:</strong> "
                f"<q>{_e(review.claim)}</q></p><p><strong>Made by:</strong> {made}</p>")
    if review.appearance:
        return (f"<p><strong>Claim, as described by {_e(review.appearance.publisher)}:</strong> "
                f"{_e(review.claim)}</p><p><strong>Made by:</strong> {made}</p>")
    when = f"<p><strong>Made:</strong> {_e(review.claim_date.display)}</p>" if review.claim_date else ""
    return f"<p><strong>Claim by {_e(review.claimant)}:</strong> {_e(review.claim)}</p>{when}"


def _source_list_html(citations: tuple[Citation, ...]) -> str:
    items = []
    for citation in citations:
        source = citation.source
        link = f'<a href="{_e(_primary_url(source))}">'
        dead = " (archived copy: the original address no longer works)" if source.is_dead else ""
        if source.title_is_description:  # our description of the page, not its headline
            cited = f"{_e(source.publisher)}: {link}{_e(source.description)}</a>."
        else:
            cited = f"{_e(source.publisher)}. {link}<cite>{_e(source.title)}</cite></a>."
        items.append(f"<li>{cited} {_e(source.published.display)}.{dead}</li>")
    return "<h2>Sources</h2>\n<ol>" + "".join(items) + "</ol>"


def _rfc3339(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


# ---------------------------------------------------------------------------------------------
# feed.xml: Atom 1.0 (RFC 4287)


def _atom(context: ExportContext) -> bytes:
    site = context.site
    items = context.items
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "{http://www.w3.org/XML/1998/namespace}lang": site.language})
    _sub(feed, "title", _clean(site.title))
    _sub(feed, "subtitle", _clean(site.description))
    _sub(feed, "id", context.url("feed.xml"))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=context.url("feed.xml"))
    _sub(feed, "link", rel="alternate", type="text/html", href=context.base)
    _sub(feed, "updated", _rfc3339(max((i.updated for i in items), default=_EPOCH)))
    author = _sub(feed, "author")
    _sub(author, "name", _clean(site.title))
    _sub(author, "uri", context.base)
    for item in items:
        entry = _sub(feed, "entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", item.title, type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=item.url)
        _sub(entry, "published", _rfc3339(item.published))
        _sub(entry, "updated", _rfc3339(item.updated))
        for tag in item.tags:
            _sub(entry, "category", term=tag)
        _sub(entry, "summary", item.summary, type="text")
        _sub(entry, "content", item.content_html, type="html")
    ET.indent(feed)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True)) + b"\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


# ---------------------------------------------------------------------------------------------
# feed.json: JSON Feed 1.1


def _json_feed(context: ExportContext) -> bytes:
    site = context.site
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _clean(site.title),
        "home_page_url": context.base,
        "feed_url": context.url("feed.json"),
        "description": _clean(site.description),
        "language": site.language,
        "authors": [{"name": _clean(site.title), "url": context.base}],
        "items": [
            {
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "content_html": item.content_html,
                "summary": item.summary,
                "date_published": _rfc3339(item.published),
                "date_modified": _rfc3339(item.updated),
                "tags": list(item.tags),
            }
            for item in context.items
        ],
    }
    return _json_bytes(feed)


def _json_bytes(data: Any) -> bytes:
    """Indented UTF-8 JSON that is also safe inside an HTML <script>: <, >, & and the JavaScript
    line separators are written as \\u escapes, which every JSON reader decodes."""
    return _json_safe(json.dumps(data, ensure_ascii=False, indent=2))


def _json_safe(text: str) -> bytes:
    return (_script_safe(text) + "\n").encode("utf-8")


def _script_safe(text: str) -> str:
    for char in "<>&\u2028\u2029":
        if char in text:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# ---------------------------------------------------------------------------------------------
# timeline.ics: iCalendar (RFC 5545), one all-day event per timeline event


def _icalendar(context: ExportContext) -> bytes:
    site = context.site
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(site.title)}",
        f"X-WR-CALDESC:{_ics_text(site.description)}",
    ]
    events = "".join(entry for entry, _, _ in context.all_parts)
    return (_content_lines(lines) + events + "END:VCALENDAR\r\n").encode("utf-8")


def _ics_event(context: ExportContext, event: Event, plain: str) -> str:
    """One VEVENT, folded, with its line ends."""
    start = first_day(event.date)
    end = max(period_end(event.end_date or event.date), period_end(event.date))
    url = context.event_url(event)
    modified = updated(event)[0]
    description = "\n\n".join(filter(None, [plain, _precision_note(event), url]))
    lines = [
        "BEGIN:VEVENT",
        # With the site's path: two timelines on one host must not share an event's UID.
        f"UID:{event.slug}@{context.host}{context.base_path}",
        # DTSTAMP (RFC 5545 §3.8.7.2) says when this copy of the event was made: the day its
        # record last changed stands in for it, from the content, never the clock.
        f"DTSTAMP:{modified:%Y%m%d}T000000Z",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{end:%Y%m%d}",
        f"SUMMARY:{_ics_text(event.title)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",  # a past event in a timeline does not make anyone busy
        f"LAST-MODIFIED:{modified:%Y%m%d}T000000Z",  # §3.8.7.3
    ]
    if event.tags:
        lines.append("CATEGORIES:" + ",".join(_ics_text(tag) for tag in event.tags))
    lines.append("END:VEVENT")
    return _content_lines(lines)


def _content_lines(lines: list[str]) -> str:
    """Lines of iCalendar text, folded, each with its CRLF."""
    return "".join(_fold(line) + "\r\n" for line in lines)


def _precision_note(event: Event) -> str:
    """Say when the calendar's whole-month or whole-year span stands for an unknown day."""
    dates = [event.date] + ([event.end_date] if event.end_date else [])
    if all(d.day is not None for d in dates):
        return ""
    unit = "year" if any(d.month is None for d in dates) else "month"
    shown = " – ".join(d.display for d in dates)
    return f"Date known only to the {unit}: {shown}. The calendar shows the whole period."


def _ics_text(text: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and line ends escaped."""
    text = _clean(text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets of UTF-8 (RFC 5545 §3.1), never inside a character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character instead
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # a continuation line starts with a space: 1 + 74
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# timeline.json: Knight Lab TimelineJS 3


def _timelinejs(context: ExportContext) -> bytes:
    site = context.site
    title = {"title": {"text": {"headline": _e(site.title), "text": f"<p>{_e(site.description)}</p>"}}}
    # The whole put together from each slide's own JSON, one slide per line, so that an unchanged
    # slide is not encoded again (and the file diffs line by line).
    head = json.dumps(title, ensure_ascii=False, separators=(",", ":"))[:-1]
    slides = ",\n".join(slide for _, slide, _ in context.all_parts)  # each made safe on its own
    return f'{_script_safe(head)},"events":[\n{slides}\n]}}\n'.encode()


def _timelinejs_slide(context: ExportContext, event: Event) -> str:
    url = context.event_url(event)
    # TimelineJS puts headline and text into the page as HTML: both are HTML here.
    text = context.html(event, card_text(event))
    text += f'\n<p><a href="{_e(url)}">Full text and sources</a></p>'
    slide: dict[str, Any] = {"start_date": _timelinejs_date(event.date)}
    if event.end_date:
        slide["end_date"] = _timelinejs_date(event.end_date)
    slide["text"] = {"headline": _e(event.title), "text": text}
    if event.tags:
        slide["group"] = event.tags[0]
    slide["unique_id"] = event.slug
    slide["autolink"] = False  # the links are already there
    # Compact (the C encoder), and safe inside a <script> as _json_safe makes it: slide by slide,
    # so that the whole file is not searched again for each of five characters on every build.
    return _script_safe(json.dumps(slide, ensure_ascii=False, separators=(",", ":")))


def _timelinejs_date(date: EventDate) -> dict[str, str]:
    """Only the parts the content gives: TimelineJS then shows the date at that precision."""
    parts = {"year": str(date.year)}
    if date.month is not None:
        parts["month"] = str(date.month)
        if date.day is not None:
            parts["day"] = str(date.day)
    return parts


# ---------------------------------------------------------------------------------------------
# timeline.csv: RFC 4180


def _csv(context: ExportContext) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(CSV_HEADER)
    out.writelines(row for _, _, row in context.all_parts)
    # With a byte-order mark, Excel reads the file as UTF-8 rather than the system's code page.
    return out.getvalue().encode("utf-8-sig")


def _csv_row(context: ExportContext, event: Event, plain: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(_csv_safe(cell) for cell in (
        event.date.iso,
        event.end_date.iso if event.end_date else "",
        event.title,
        plain,
        context.event_url(event),
        ";".join(event.tags),
        " ".join(_primary_url(c.source) for c in event.citations),
    ))
    return out.getvalue()


def _csv_safe(cell: str) -> str:
    cell = _clean(cell)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# ---------------------------------------------------------------------------------------------
# sitemap.xml (sitemaps.org 0.9) and robots.txt


def _sitemap(context: ExportContext, pages: Iterable[str]) -> bytes:
    lastmod = {}
    for event in context.events:
        day, known = updated(event)
        if known:  # a month or a year is no lastmod: only a real day is written
            lastmod[f"events/{event.slug}/index.html"] = day.isoformat()
    entries = sorted(
        (context.url(path), lastmod.get(path))
        for path in set(pages)
        if path.endswith(".html") and path != "404.html"
    )
    # Written as ElementTree would write it (indented, single-quoted declaration), without
    # building a tree: at thousands of pages that is most of the time of the exports.
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<urlset xmlns="{SITEMAP_NS}">']
    for loc, modified in entries:
        lines.append(f"  <url>\n    <loc>{_xml_text(loc)}</loc>")
        if modified:
            lines.append(f"    <lastmod>{modified}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>" if entries else "")
    if not entries:
        lines[1:] = [f'<urlset xmlns="{SITEMAP_NS}" />']
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xml_text(text: str) -> str:
    """XML character data as ElementTree escapes it."""
    if text.isascii() and text.isprintable() and not ("&" in text or "<" in text or ">" in text):
        return text  # an ordinary address: nothing to clean or escape
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _robots(context: ExportContext) -> bytes:
    # Crawlers read robots.txt only at the root of a host: when base_url has a path, this file
    # serves only if it is copied there.
    return f"User-agent: *\nAllow: /\nSitemap: {context.url('sitemap.xml')}\n".encode()
