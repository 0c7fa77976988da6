"""The list pages, assembled from the event cards that render.py made: the timeline (one page, or
a page per year), topics, sources, corrections, fact-checking, search, about and 404.

A list page whose key, made from its whole template context, is the one that made the previous
build's file is not rendered: it is returned as `Unchanged`, and write.py keeps the previous file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from jinja2 import Environment
from markupsafe import escape

from .digests import context_digest
from .markup import PREFIX
from .model import RATING_DEFINITIONS, RATINGS, Event, Source, Timeline
from .outputs import Reuse, Unchanged
from .overview import overview as draw_overview
from .paging import (
    base_path,
    by_publisher,
    by_year,
    letter_folder,
    month_heading,
    page_contents,
    page_url,
    root_of,
    split_pages,
    year_pages,
)
from .rules import policy_counts, rules_for

ROOT = "\ue003"  # stands for the relative path to the site's root in cached cards


class Limits(NamedTuple):
    """How much goes on a page: render.py's constants, as they are when a build starts."""

    list_limit: int  # beyond this many events, the timeline is one page per year, and lists are short rows
    year_page: int  # full cards on one page of a year, a topic or a source's citing events
    rows_page: int  # one-line rows on one page
    sources: int  # beyond this many sources, one page by initial of the publisher
    sources_page: int  # sources on one page of an initial
    cited_shown: int  # events named under a source on its list; a source cited more has its own page of them


class EventLink(NamedTuple):
    """All that a list page is given of an event besides its card: so that the page's cache key,
    which names everything the page is given, stays small and still complete."""

    slug: str
    title: str


def links(events: Iterable[Event]) -> list[EventLink]:
    return [EventLink(e.slug, e.title) for e in events]


class PlacedCard(NamedTuple):
    """An event's card at its place on a page (its citation prefix, the way to the site's root).
    The page's cache key is made from what decides it; its HTML is made only if the page is.
    (A named tuple: a list page's context holds thousands of them, made on every build.)"""

    fingerprint: str
    prefix: str
    level: int
    root: str
    slug: str
    cards: dict[tuple[str, int], str]  # not in the key: the HTML follows from the fingerprint

    def key_parts(self) -> tuple[str, ...]:  # a card is made from its event's fingerprint and level alone
        return (self.fingerprint, self.prefix, str(self.level), self.root)

    def __html__(self) -> str:
        return self.cards[self.slug, self.level].replace(PREFIX, self.prefix).replace(ROOT, self.root)


class PlacedRow(NamedTuple):
    """An event in one line at its place on a page: keyed by what it shows, made only if the page is."""

    slug: str
    title: str
    iso: str
    display: str
    root: str

    def key_parts(self) -> tuple[str, ...]:
        return ("row", *self)

    def __html__(self) -> str:
        return (f'<li><time datetime="{self.iso}">{self.display}</time> '
                f'<a href="{self.root}events/{self.slug}/">{escape(self.title)}</a></li>')


Sink = Callable[[str, bytes | Unchanged], None]  # where a made page goes: write.SiteWriter.put


class ListPages:
    """The list pages of one build, each made (or kept) by `page`, and what they share: the cards
    ({(slug, level): html}, with stand-ins for the root and the citation prefix) and the rows."""

    def __init__(self, timeline: Timeline, env: Environment, cards: dict[tuple[str, int], str],
                 kept: Reuse, scope: str, limits: Limits, put: Sink):
        self.timeline = timeline
        self.env = env
        self.cards = cards
        self.kept_file = kept
        self.scope = scope
        self.limits = limits
        self.put = put  # each page handed on as soon as it is made
        self.paths: list[str] = []  # every list page, in the order made
        self.position = {event.slug: f"e{i}" for i, event in enumerate(timeline.events, 1)}  # short citation prefixes

    def page(self, path: str, template: str, **context: Any) -> None:
        """Render a list page, or keep the previous file when its key is unchanged. The key is
        made from the page's whole context (digests.context_digest): nothing it shows is left out."""
        self.paths.append(path)
        kept = self.kept_file(path, context_digest("list", self.scope, path, template, context=context))
        if kept is not None:
            self.put(path, kept)
            return
        site = self.timeline.site
        depth = path.count("/")
        root = ("../" * depth or "./") if path != "404.html" else base_path(site.base_url)
        self.put(path, self.env.get_template(template).render(  # encoded at once: the text is let go
            site=site, root=root, path=path, page_url=page_url(site.base_url, path), **context).encode("utf-8"))

    def placed(self, event: Event, root: str, level: int) -> PlacedCard:
        return PlacedCard(event.fingerprint, self.position[event.slug], level, root, event.slug, self.cards)

    def row(self, event: Event, root: str) -> PlacedRow:  # an event in one line, on long topic and source lists
        return PlacedRow(event.slug, event.title, event.date.iso, event.date.display, root)

    def by_year_pages(self, folder: str, template: str, events: list[Event], as_rows: bool, **context: Any) -> None:
        """A list of events (a topic's, or a source's citing events) in years, on as many pages as it
        takes: one-line rows, or cards with the year as their h2."""
        parts = split_pages(folder, by_year(events), self.limits.rows_page if as_rows else self.limits.year_page)
        index = [(f"year-{year}", str(year), count, start) for year, count, start in page_contents(parts)]
        spans = [(here, str(groups[0][0]), str(groups[-1][0])) for here, groups in parts]
        for here, groups in parts:
            root = root_of(here)
            sections = [(f"year-{year}", str(year), continued,
                         [self.row(e, root) if as_rows else self.placed(e, root, 3) for e in es])
                        for year, es, continued in groups]
            self.page(here + "index.html", template, sections=sections, count=len(events), index=index,
                      pages=spans, here=here, rows=as_rows, **context)


def render_lists(timeline: Timeline, env: Environment, cards: dict[tuple[str, int], str], kept: Reuse,
                 scope: str, limits: Limits, put: Sink) -> list[str]:
    """Every list page, each handed to `put` as it is made; returns the paths of them all in the
    order made (the exports list them)."""
    lists = ListPages(timeline, env, cards, kept, scope, limits, put)
    tag_groups = timeline.tags()
    tags = [(tag, len(es)) for tag, es in tag_groups]  # what the pages show of them: the count
    _timeline_pages(lists, tags)
    lists.page("tags/index.html", "tags.html",  # A to Z as readers see the topics: by label
               tags=sorted(tags, key=lambda item: (timeline.site.topic(item[0]).label.casefold(), item[0])))
    big = len(timeline.events) > limits.list_limit
    for tag, tag_events in tag_groups:  # in years: rows on a big site, cards (h3 under the year) on a small one
        lists.by_year_pages(f"tags/{tag}/", "tag.html", tag_events, len(tag_events) > limits.list_limit or big, tag=tag)
    _source_pages(lists)
    corrections = [(c, EventLink(e.slug, e.title)) for c, e in timeline.corrections()]
    lists.page("corrections/index.html", "corrections.html", corrections=corrections)
    policy = timeline.site.policy
    sections: dict[str, list[tuple[Any, str, str]]] = {}
    for rule, text, severity in rules_for(policy):
        sections.setdefault(rule.section, []).append((rule, text, severity))
    counts = policy_counts(timeline)
    ratings = [(key, name, value, RATING_DEFINITIONS[key]) for key, (value, name) in RATINGS.items()]
    lists.page("fact-checking/index.html", "policy.html", sections=list(sections.items()), ratings=ratings,
               counts=counts)
    lists.page("search/index.html", "search.html", tags=tags)
    lists.page("about/index.html", "about.html")  # the site's settings only: in the scope of every key
    lists.page("404.html", "404.html")
    return lists.paths


def _timeline_pages(lists: ListPages, tags: list[tuple[str, int]]) -> None:
    """The home page: the whole timeline in cards, or (on a big site) an index of years, each year
    on a page (or a few) of its own, in months."""
    timeline = lists.timeline
    events = timeline.events
    years = timeline.years()
    # The chart's links follow the list pages' own limit: marks go to cards only where they are.
    overview, caption = draw_overview(timeline, "./", list_limit=lists.limits.list_limit)
    placed, page = lists.placed, lists.page
    if len(events) <= lists.limits.list_limit:
        page("index.html", "index.html", years=[(y, [placed(e, "./", 3) for e in es]) for y, es in years],
             count=len(events), tags=tags, overview=overview, paged=False, overview_caption=caption)
        return
    page("index.html", "index.html", years=[(y, len(es)) for y, es in years], count=len(events), tags=tags, overview=overview, paged=True,
         overview_caption=caption)
    for number, (year, year_events) in enumerate(years):
        neighbours = (years[number - 1][0] if number else None,
                      years[number + 1][0] if number + 1 < len(years) else None)
        # In months, each an h2 over its cards (h3); a long year on more than one page.
        parts = year_pages(year, year_events, lists.limits.year_page)
        months = [(*month_heading(year, month), count, start) for month, count, start in page_contents(parts)]
        spans = [(here, *(month_heading(year, m)[1] for m in (known[0], known[-1])))  # 'January to June'
                 for here, groups in parts for known in [[m for m, _, _ in groups if m] or [0]]]
        for here, groups in parts:
            to_root = root_of(here)
            sections = [(*month_heading(year, month), continued, [placed(e, to_root, 3) for e in es])
                        for month, es, continued in groups]
            page(here + "index.html", "year.html", sections=sections, year=year, count=len(year_events),
                 neighbours=neighbours, months=months, pages=spans, here=here)


def _source_pages(lists: ListPages) -> None:
    """The sources: one page, or (beyond the limit) an index of publishers by initial and a page (or
    a few) per initial. A source cited by more events than its entry names has a page of them."""
    timeline, limits, page = lists.timeline, lists.limits, lists.page
    big_sources = len(timeline.sources) > limits.sources
    letters = by_publisher(timeline.sources) if big_sources else []
    letter_pages = {letter: split_pages(letter_folder(letter), publishers, limits.sources_page)
                    for letter, publishers in letters}
    listed_on = {s.id: here for parts in letter_pages.values() for here, groups in parts
                 for _, sources, _ in groups for s in sources} if big_sources else {}

    def entry(source: Source) -> tuple[Source, list[EventLink], int, str]:
        """A source on a list: (source, the events named, how many cite it, the page of them all or '')."""
        citing = timeline.citing_events(source.id)
        more = f"sources/cited/{source.id}/" if len(citing) > limits.cited_shown else ""
        return source, links(citing[:limits.cited_shown] if more else citing), len(citing), more

    if not big_sources:
        page("sources/index.html", "sources.html", sources=[entry(s) for s in timeline.sources])
    else:
        # A–Z whole, the letters without a publisher unlinked ('' for a folder); '#' only when used.
        initials = [(letter, letter_folder(letter) if letter in letter_pages else "")
                    for letter in (*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#") if letter != "#" or letter in letter_pages]
        index = [(letter, letter_folder(letter), [(anchor, name, count, start)
                                                  for (anchor, name), count, start in page_contents(parts)])
                 for letter, parts in letter_pages.items()]
        page("sources/index.html", "sources_index.html", initials=initials, index=index, count=len(timeline.sources))
        for letter, folder, publishers in index:
            parts = letter_pages[letter]
            spans = [(here, groups[0][0][1], groups[-1][0][1]) for here, groups in parts]
            for here, groups in parts:
                page(here + "index.html", "sources_letter.html", letter=letter, folder=folder, initials=initials, publishers=publishers, pages=spans,
                     here=here, sections=[(anchor, name, continued, [entry(s) for s in sources])
                                          for (anchor, name), sources, continued in groups])
    for source in timeline.sources:
        citing = timeline.citing_events(source.id)
        if len(citing) > limits.cited_shown:
            home = listed_on.get(source.id, "sources/")
            lists.by_year_pages(f"sources/cited/{source.id}/", "source_cited.html", citing, True, source=source,
                                home=home)
