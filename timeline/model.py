"""The values the pipeline passes between stages: small, frozen, and free of I/O."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """Where an editor can find something: a path relative to the project, and a 1-based line."""

    path: str
    line: int = 0  # 0 when no line applies (a whole file, a missing file)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Problem:
    where: Location
    message: str
    hint: str = ""
    severity: str = "error"  # "error" stops the build; "warning" only with --strict

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.where.path, self.where.line, self.message)


@dataclass(frozen=True, order=True)
class EventDate:
    """A date with honest precision: month and day are None when the source does not give them."""

    year: int
    month: int | None = None
    day: int | None = None

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    @cached_property  # asked for tens of thousands of times in a large build
    def iso(self) -> str:
        """The value of a <time datetime> attribute: 2024, 2024-12 or 2024-12-12."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @cached_property
    def display(self) -> str:
        """How readers see it: 2024, December 2024 or 12 December 2024."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        return self.iso


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    url: str
    title: str
    publisher: str
    published: EventDate
    where: Location
    archive_url: str = ""
    archive_date: EventDate | None = None
    url_status: str = "live"  # "dead": the page is gone, and readers are sent to the archived copy
    original_url: str = ""
    accessed: EventDate | None = None
    note: str = ""
    snapshot: str | None = None  # the stored text, when content/sources/<id>.txt exists
    # How much of the page the snapshot holds: "complete", or "excerpt" (the default: a stored
    # copy is only called complete when its editor says so).
    snapshot_extent: str = "excerpt"
    digest: str = ""  # of its files: part of the fingerprint of every event that cites it
    # The line of each address key written in its file, as (key, line) pairs in ADDRESS_KEYS order:
    # recorded when the file is validated, so that a report about an address (check --links) points
    # at its line without reading the file again. A key not listed is reported at `where`.
    address_lines: tuple[tuple[str, int], ...] = ()

    ADDRESS_KEYS: ClassVar[tuple[str, str, str]] = ("url", "archive_url", "original_url")

    def line_of(self, key: str) -> int:
        """The line where `key` (url, archive_url, original_url) is written: `where.line` if unknown."""
        return dict(self.address_lines).get(key, self.where.line)

    @property
    def is_dead(self) -> bool:
        return self.url_status == "dead"

    @property
    def has_complete_snapshot(self) -> bool:
        return self.snapshot is not None and self.snapshot_extent == "complete"

    @property
    def description(self) -> str:
        """The editor's description that stands for an unknown headline, without its parentheses."""
        return self.title[1:-1].strip() if self.title_is_description else ""

    @property
    def title_is_description(self) -> bool:
        """A title in parentheses describes a page whose real headline is unknown: never quote it."""
        return self.title.startswith("(") and self.title.endswith(")")


@dataclass(frozen=True, slots=True)
class Citation:
    source: Source
    number: int  # 1-based: in the `sources` list's order, renumbered by first use on each page (citing.py)
    quote: str = ""
    where: Location | None = None  # the `quote:` line when there is a quote, else the item's line

    @property
    def quote_verified(self) -> bool:
        """True when the quote was found in the stored snapshot (validation refuses it otherwise)."""
        return bool(self.quote) and self.source.snapshot is not None


@dataclass(frozen=True)
class Correction:
    date: EventDate
    text: str


# The rating scale of claim reviews: key → (rating value, the name readers see). 5 is best.
RATINGS = {
    "true": (5, "True"),
    "mostly-true": (4, "Mostly true"),
    "mixed": (3, "Mixed"),
    "mostly-false": (2, "Mostly false"),
    "false": (1, "False"),
}

# What earns each rating: one sentence, shown with the rating and on the fact-checking page.
RATING_DEFINITIONS = {
    "true": "The claim is accurate, and nothing significant is missing.",
    "mostly-true": "The claim is accurate but needs clarification or additional information.",
    "mixed": "The claim is partly accurate and partly not, or it leaves out important details.",
    "mostly-false": "The claim contains an element of truth but ignores critical facts that would give a "
                    "different impression.",
    "false": "The claim is not accurate according to the sources.",
}


@dataclass(frozen=True)
class ClaimReview:
    claim: str
    claimant: str
    claim_date: EventDate | None
    rating: str  # a key of RATINGS
    verdict_markdown: str
    date: EventDate  # when this review was published
    appearance: Source | None = None  # where the claim appears or is reported
    # True only when the claim's words were found in the stored text of `appearance`: only then
    # is it shown in quotation marks; otherwise it is a description, attributed to that source.
    claim_is_quotation: bool = False

    @property
    def rating_value(self) -> int:
        return RATINGS[self.rating][0]

    @property
    def rating_name(self) -> str:
        return RATINGS[self.rating][1]

    @property
    def rating_definition(self) -> str:
        return RATING_DEFINITIONS[self.rating]


@dataclass(frozen=True)
class DerivedFigure:
    """A figure the text gives that no source states, with the sum that makes it: 237 = 143 + 94."""

    figure: str
    formula: str
    where: Location


@dataclass(frozen=True, slots=True)  # slots: thousands of each, two per event in a build
class Event:
    slug: str
    title: str
    date: EventDate
    where: Location
    citations: tuple[Citation, ...]
    body_markdown: str
    summary_markdown: str = ""
    end_date: EventDate | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    corrections: tuple[Correction, ...] = ()  # newest first
    claim_review: ClaimReview | None = None
    updated: EventDate | None = None  # when the text last changed, as the editor dates it
    not_quotations: tuple[str, ...] = ()  # phrases in quotation marks that quote no source
    derived: tuple[DerivedFigure, ...] = ()  # figures the editor computed from sourced ones
    quotations_verified: int = 0  # quotations of its text and quotes under its sources, all found
    figures_verified: int = 0  # figures of its text found in a source, or derived from ones that are
    # Python-Markdown's output for each of its Markdown texts, from the parse validation checked:
    # render.py shows that very parse rather than converting the texts again.
    converted: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    fingerprint: str = ""  # a digest of every file the event's page is made from

    def sort_key(self) -> tuple[tuple[int, int, int], str]:
        return (self.date.sort_key(), self.slug)

    @property
    def modified_dates(self) -> tuple[EventDate, ...]:
        """Every date on which the record of the event changed: its own date, `updated`, each
        correction and the claim review."""
        dates = [self.date]
        if self.updated:
            dates.append(self.updated)
        dates += [c.date for c in self.corrections]
        if self.claim_review:
            dates.append(self.claim_review.date)
        return tuple(dates)

    @property
    def last_modified(self) -> EventDate:
        """The latest of modified_dates; a known day beats the month or year it starts
        (2024 < 2024-12 < 2024-12-01). The page, the feeds, the sitemap, the JSON-LD and the
        calendar all give this one."""
        return max(self.modified_dates, key=EventDate.sort_key)


@dataclass(frozen=True)
class Policy:
    """The editorial policy in site.yaml, enforced by check and stated on the site."""

    min_sources: int = 1
    quotes_need_snapshots: bool = False
    archive_required: bool = False
    # True: a figure in the text that is not in a stored copy of a source cited for it is an
    # error, not a warning.
    figures_must_match: bool = False


@dataclass(frozen=True)
class Topic:
    """A topic as readers see it: the slug stays in URLs, the label is what pages show."""

    slug: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class About:
    """Who runs the site, for its About page (the transparency a fact-checker owes its readers)."""

    owner: str = ""
    contact: str = ""  # an e-mail address or a URL
    funding: str = ""
    report_url: str = ""  # where readers report an error: a new-issue link, a form or a mailto:


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    language: str
    policy: Policy = Policy()
    topics: tuple[Topic, ...] = ()  # as site.yaml lists them; an event's tag must be one of them
    about: About = About()

    @cached_property
    def _topics(self) -> dict[str, Topic]:
        return {topic.slug: topic for topic in self.topics}

    def topic(self, slug: str) -> Topic:
        """The topic of a tag; without a `topics:` list in site.yaml, the slug made readable."""
        return self._topics.get(slug) or Topic(slug, slug.replace("-", " ").capitalize())


@dataclass(frozen=True)
class Timeline:
    site: SiteConfig
    events: tuple[Event, ...]  # sorted by date, then slug
    sources: tuple[Source, ...] = field(default=())  # sorted by id

    def years(self) -> list[tuple[int, list[Event]]]:
        groups: dict[int, list[Event]] = {}
        for event in self.events:
            groups.setdefault(event.date.year, []).append(event)
        return list(groups.items())

    def tags(self) -> list[tuple[str, list[Event]]]:
        groups: dict[str, list[Event]] = {}
        for event in self.events:
            for tag in event.tags:
                groups.setdefault(tag, []).append(event)
        return sorted(groups.items())

    def corrections(self) -> list[tuple[Correction, Event]]:
        """Every correction, newest first."""
        found = [(c, e) for e in self.events for c in e.corrections]
        return sorted(found, key=lambda pair: (pair[0].date.sort_key(), pair[1].slug), reverse=True)

    @cached_property
    def _citing(self) -> dict[str, list[Event]]:
        citing: dict[str, list[Event]] = {}
        for event in self.events:
            for citation in event.citations:
                citing.setdefault(citation.source.id, []).append(event)
        return citing

    def citing_events(self, source_id: str) -> list[Event]:
        return self._citing.get(source_id, [])
