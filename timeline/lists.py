"""The list pages, assembled from the event cards that render.py made: the timeline (one page, or
a page per year), topics, sources, corrections, fact-checking, search, about and 404.

A list page whose every input (`shows`: the cards or rows on it, and the like) is as the previous
build had it is not rendered: it is returned as `Unchanged`, and write.py keeps the previous file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import Environment
from markupsafe import Markup, escape

from .cache import BuildCache, digest
from .markup import PREFIX
from .model import RATING_DEFINITIONS, RATINGS, Event, Source, Timeline
from .overview import overview as draw_overview
from .paging import (
    Group,
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
from .write import Unchanged

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


def link_parts(groups: Iterable[tuple[object, list[EventLink]]]) -> list[str]:
    """The parts of a cache key for [(name, [EventLink…])…]."""
    return [part for name, named in groups for part in (str(name), str(len(named)),
                                                         *(x for link in named for x in link))]


class ListPages:
    """The list pages of one build, each made (or kept) by `page`, and what they share: the cards
    ({(slug, level): html}, with stand-ins for the root and the citation prefix) and the rows."""

    def __init__(self, timeline: Timeline, env: Environment, cards: dict[tuple[str, int], str],
                 cache: BuildCache, scope: str, out_dir: Path | None, limits: Limits):
        self.timeline = timeline
        self.env = env
        self.cards = cards
        self.cache = cache
        self.scope = scope
        self.out_dir = out_dir
        self.limits = limits
        self.kept: dict[str, Unchanged] = {}
        self.rendered: dict[str, str] = {}
        self.paths: list[str] = []  # every list page, in the order made
        self.position = {event.slug: f"e{i}" for i, event in enumerate(timeline.events, 1)}  # short citation prefixes
        self.rows: dict[str, Markup] = {}

    def page(self, path: str, template: str, shows: list[str] | None = None,
             lazy: Callable[[], dict[str, Any]] | None = None, **context: Any) -> None:
        """Render a list page. With `shows` (every value the page is given beyond the site's
        settings, each a separate part of its key), keep the previous file when they are all
        unchanged; `lazy` makes the costlier part of the context only when the page is rendered."""
        self.paths.append(path)
        if shows is not None:
            key = digest("list", self.scope, path, *shows)
            self.cache.produced[path] = key
            if self.out_dir is not None and self.cache.unchanged(path, key, self.out_dir):
                self.kept[path] = Unchanged(key)
                return
        site = self.timeline.site
        depth = path.count("/")
        root = ("../" * depth or "./") if path != "404.html" else base_path(site.base_url)
        self.rendered[path] = self.env.get_template(template).render(
            site=site, root=root, path=path, page_url=page_url(site.base_url, path),
            **context, **(lazy() if lazy else {}))

    def files(self) -> dict[str, bytes | Unchanged]:
        return {**self.kept, **{path: text.encode("utf-8") for path, text in self.rendered.items()}}

    def placed(self, event: Event, root: str, level: int) -> Markup:
        return Markup(self.cards[event.slug, level].replace(PREFIX, self.position[event.slug]).replace(ROOT, root))

    def placed_ids(self, year_events: Iterable[Event], level: int) -> list[str]:
        """What decides the cards of a page (with its path, which decides `root`): each card is
        made from its event's fingerprint and level alone, then given its position's prefix."""
        return [f"{e.fingerprint} {self.position[e.slug]} {level}" for e in year_events]

    def row(self, event: Event, root: str) -> Markup:  # an event in one line, on long topic and source lists
        if event.slug not in self.rows:
            self.rows[event.slug] = Markup(
                f'<li><time datetime="{event.date.iso}">{event.date.display}</time> '
                f'<a href="{ROOT}events/{event.slug}/">{escape(event.title)}</a></li>')
        return Markup(self.rows[event.slug].replace(ROOT, root))

    def by_year_pages(self, folder: str, template: str, events: list[Event], as_rows: bool, shows: list[str],
                      **context: Any) -> None:
        """A list of events (a topic's, or a source's citing events) in years, on as many pages as it
        takes: one-line rows, or cards with the year as their h2."""
        parts = split_pages(folder, by_year(events), self.limits.rows_page if as_rows else self.limits.year_page)
        index = [(f"year-{year}", str(year), count, start) for year, count, start in page_contents(parts)]
        spans = [(here, str(groups[0][0]), str(groups[-1][0])) for here, groups in parts]
        for here, groups in parts:
            root = root_of(here)
            if as_rows:
                items = [part for year, es, continued in groups for part in (str(year), str(continued),
                                                                             *(self.row(e, root) for e in es))]
            else:
                items = [part for year, es, continued in groups for part in (str(year), str(continued),
                                                                             *self.placed_ids(es, 3))]

            def sections(groups: list[Group] = groups, root: str = root) -> dict[str, Any]:
                return {"sections": [(f"year-{year}", str(year), continued,
                                      [self.row(e, root) if as_rows else self.placed(e, root, 3) for e in es])
                                     for year, es, continued in groups]}

            self.page(here + "index.html", template, ["rows" if as_rows else "cards", repr((index, spans)), *shows,
                                                      *items],
                      sections, count=len(events), index=index, pages=spans, here=here, rows=as_rows, **context)


def render_lists(timeline: Timeline, env: Environment, cards: dict[tuple[str, int], str], cache: BuildCache,
                 scope: str, out_dir: Path | None, limits: Limits) -> tuple[dict[str, bytes | Unchanged], list[str]]:
    """Every list page, and the paths of them all in the order made (the exports list them)."""
    lists = ListPages(timeline, env, cards, cache, scope, out_dir, limits)
    tag_groups = timeline.tags()
    tags = [(tag, links(es)) for tag, es in tag_groups]
    tag_parts = link_parts(tags)
    _timeline_pages(lists, tags, tag_parts)
    lists.page("tags/index.html", "tags.html", tag_parts,  # A to Z as readers see the topics: by label
               tags=sorted(tags, key=lambda item: (timeline.site.topic(item[0]).label.casefold(), item[0])))
    big = len(timeline.events) > limits.list_limit
    for tag, tag_events in tag_groups:  # in years: rows on a big site, cards (h3 under the year) on a small one
        lists.by_year_pages(f"tags/{tag}/", "tag.html", tag_events, len(tag_events) > limits.list_limit or big, [],
                            tag=tag)
    _source_pages(lists)
    corrections = [(c, EventLink(e.slug, e.title)) for c, e in timeline.corrections()]
    lists.page("corrections/index.html", "corrections.html",
               [part for c, link in corrections for part in (c.date.iso, c.text, *link)], corrections=corrections)
    policy = timeline.site.policy
    sections: dict[str, list[tuple[Any, str, str]]] = {}
    for rule, text, severity in rules_for(policy):
        sections.setdefault(rule.section, []).append((rule, text, severity))
    counts = policy_counts(timeline)
    ratings = [(key, name, value, RATING_DEFINITIONS[key]) for key, (value, name) in RATINGS.items()]
    lists.page("fact-checking/index.html", "policy.html", [repr(sorted(counts.items())), repr(policy)],
               sections=list(sections.items()), ratings=ratings, counts=counts)
    lists.page("search/index.html", "search.html", tag_parts, tags=tags)
    lists.page("about/index.html", "about.html", [])  # the site's settings only: in the scope of every key
    lists.page("404.html", "404.html", [])  # the site's settings only: in the scope of every key
    return lists.files(), lists.paths


def _timeline_pages(lists: ListPages, tags: list[tuple[str, list[EventLink]]], tag_parts: list[str]) -> None:
    """The home page: the whole timeline in cards, or (on a big site) an index of years, each year
    on a page (or a few) of its own, in months."""
    timeline = lists.timeline
    events = timeline.events
    years = timeline.years()
    # The chart's links follow the list pages' own limit: marks go to cards only where they are.
    overview, caption = draw_overview(timeline, "./", list_limit=lists.limits.list_limit)
    placed, placed_ids, page = lists.placed, lists.placed_ids, lists.page
    if len(events) <= lists.limits.list_limit:
        page("index.html", "index.html", [overview or "", caption, *tag_parts, *(x for y, es in years for x in (str(y), *placed_ids(es, 3)))],
             lambda: {"years": [(y, [placed(e, "./", 3) for e in es]) for y, es in years]},
             count=len(events), tags=tags, overview=overview, paged=False, overview_caption=caption)
        return
    year_links = [(y, links(es)) for y, es in years]
    page("index.html", "index.html", [overview or "", caption, *tag_parts, *link_parts(year_links)],
         years=year_links, count=len(events), tags=tags, overview=overview, paged=True,
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
            in_months = [(*month_heading(year, month), continued, es) for month, es, continued in groups]

            def sections(in_months: list[tuple[str, str, bool, list[Event]]] = in_months,
                         to_root: str = to_root) -> dict[str, Any]:
                return {"sections": [(anchor, label, continued, [placed(e, to_root, 3) for e in es])
                                     for anchor, label, continued, es in in_months]}

            page(here + "index.html", "year.html",
                 [repr((neighbours, months, spans)),
                  *(part for anchor, _, continued, es in in_months for part in (anchor, str(continued),
                                                                                *placed_ids(es, 3)))],
                 sections,
                 year=year, count=len(year_events), neighbours=neighbours, months=months, pages=spans,
                 here=here)


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

    def entry_parts(sources: Iterable[Source]) -> list[str]:
        return [str(part) for s in sources for part in (s.id, s.digest, *entry(s)[1:])]

    if not big_sources:
        page("sources/index.html", "sources.html", entry_parts(timeline.sources),
             sources=[entry(s) for s in timeline.sources])
    else:
        # A–Z whole, the letters without a publisher unlinked ('' for a folder); '#' only when used.
        initials = [(letter, letter_folder(letter) if letter in letter_pages else "")
                    for letter in (*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#") if letter != "#" or letter in letter_pages]
        index = [(letter, letter_folder(letter), [(anchor, name, count, start)
                                                  for (anchor, name), count, start in page_contents(parts)])
                 for letter, parts in letter_pages.items()]
        page("sources/index.html", "sources_index.html", [repr((initials, index))], initials=initials,
             index=index, count=len(timeline.sources))
        for letter, folder, publishers in index:
            parts = letter_pages[letter]
            spans = [(here, groups[0][0][1], groups[-1][0][1]) for here, groups in parts]
            for here, groups in parts:
                page(here + "index.html", "sources_letter.html",
                     [repr((initials, publishers, spans)),
                      *(part for (anchor, name), sources, continued in groups
                        for part in (anchor, name, str(continued), *entry_parts(sources)))],
                     letter=letter, folder=folder, initials=initials, publishers=publishers, pages=spans,
                     here=here, sections=[(anchor, name, continued, [entry(s) for s in sources])
                                          for (anchor, name), sources, continued in groups])
    for source in timeline.sources:
        citing = timeline.citing_events(source.id)
        if len(citing) > limits.cited_shown:
            home = listed_on.get(source.id, "sources/")
            lists.by_year_pages(f"sources/cited/{source.id}/", "source_cited.html", citing, True,
                                [source.id, source.digest, home], source=source, home=home)
