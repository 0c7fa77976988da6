"""Stage 3: a Timeline → {output path: bytes}. No file is read or written here but templates.

The work that grows with the number of events — Markdown, each event's page, each event's card
on the lists — is done once per event, looked up in the build cache first, and shared out to the
processor's cores when there is a lot of it. A page whose inputs have not changed since the last
build is not rendered at all: it is returned as `Unchanged`, and write.py keeps the previous file.
"""

from __future__ import annotations

import calendar
import posixpath
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .cache import IN_MEMORY_ONLY, BuildCache, digest, folder_digest
from .citing import card_citations, card_text, numbers, page_citations
from .exports import ExportContext, render_exports
from .fields import slugify
from .jsonld import claim_review_json_ld, event_json_ld
from .markup import PREFIX, CitedHtml, MarkdownRenderer
from .model import RATING_DEFINITIONS, RATINGS, Citation, Event, Timeline
from .overview import overview_caption, overview_svg
from .processes import fork_map, shared
from .quotes import text_fragment_url
from .rules import policy_counts, rules_for
from .write import Unchanged

LIST_LIMIT = 200  # beyond this many events, the timeline is one page per year, and lists are short rows
ROOT = "\ue003"  # stands for the relative path to the site's root in cached cards


class EventLink(NamedTuple):
    """All that a list page is given of an event besides its card: so that the page's cache key,
    which names everything the page is given, stays small and still complete."""

    slug: str
    title: str


def _links(events) -> list[EventLink]:
    return [EventLink(e.slug, e.title) for e in events]


def _link_parts(groups) -> list[str]:
    """The parts of a cache key for [(name, [EventLink…])…]."""
    return [part for name, links in groups for part in (str(name), str(len(links)),
                                                         *(x for link in links for x in link))]


@dataclass(frozen=True)
class EventView:
    """An event as one page shows it: its text rendered with citation anchors unique to that page."""

    event: Event
    text: CitedHtml
    anchor: str  # the id of the event on the page: its slug, so that timeline#slug is a permalink
    prefix: str  # the prefix of its citation anchors: the slug, or a short e1, e2 … on long lists
    description: str  # plain text of the summary (or body), for <meta name="description">
    citations: tuple[Citation, ...]  # numbered as this page shows them (citing.py)
    verdict: CitedHtml | None = None  # the claim review's verdict, on the event's own page
    lede: CitedHtml | None = None  # the summary, leading the event's own page

    @cached_property  # asked once per citation by the templates
    def backlinks(self) -> dict[int, list[str]]:
        """Per citation number, every marker on the page that points to it, in the page's order:
        the verdict (in the claim review box), the lede, then the text."""
        merged: dict[int, list[str]] = {}
        for part in (self.verdict, self.lede, self.text):
            for number, anchors in (part.backlinks if part else {}).items():
                merged.setdefault(number, []).extend(anchors)
        return merged


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,  # every value from content is text unless it went through markup.py
        undefined=StrictUndefined,  # a typo in a template fails the build instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build, one set of templates: no need to check the files on every use
    )
    env.filters["host"] = lambda url: urlsplit(url).hostname or url
    env.filters["text_fragment"] = text_fragment_url
    return env


class _EventRenderer:
    """Renders one event's own page and its card; shared with worker processes by fork."""

    def __init__(self, timeline: Timeline, templates_dir: Path, memo: BuildCache, scope: str, exports: bool):
        self.site = timeline.site
        self.env = make_environment(templates_dir)
        self.env.globals["topic"] = self.site.topic  # a tag's label and description, for every template
        self.markdown = MarkdownRenderer(memo)
        self.event_template = self.env.get_template("event.html")
        self.event_card = self.env.get_template("macros.html").module.event_card
        # The exports' share of each event is made where its HTML is: in the same worker.
        self.exports = ExportContext(timeline, self.markdown, memo, scope) if exports else None
        self.paged = len(timeline.events) > LIST_LIMIT  # the timeline is one page per year
        self.places = event_places(timeline) if self.paged else {}  # each card's page: years/2011/2/
        links = [EventLink(e.slug, e.title) for e in timeline.events]
        self.neighbours = {link.slug: (links[i - 1] if i else None, links[i + 1] if i + 1 < len(links) else None)
                           for i, link in enumerate(links)}

    def back(self, event: Event) -> str:
        """Where the event's card is, from the site's root: the timeline, or its year's page."""
        return f"{self.places[event.slug]}#{event.slug}" if self.paged else f"#{event.slug}"

    def page_inputs(self, event: Event) -> str:
        """What an event page shows beyond the event and the site: its neighbours and its card's place."""
        return repr((self.neighbours[event.slug], self.back(event)))

    def view(self, event: Event, use_summary: bool, prefix: str) -> EventView:
        """The event on its own page (`use_summary=False`) or as a card (True): each numbers its
        citations by first use and, on a card, lists only those its text cites (citing.py)."""
        self.markdown.know(event.converted)
        if use_summary:
            citations = card_citations(event, self.markdown)
        else:
            citations = page_citations(event, self.markdown)
        cited = numbers(citations)
        text = card_text(event) if use_summary else event.body_markdown
        # The description is the summary's (or the body's) text: taken from the HTML that lists and
        # pages need anyway, rather than from a second Markdown conversion.
        description = self.markdown.plain(card_text(event), numbers(page_citations(event, self.markdown)))
        verdict = lede = None
        if event.claim_review and not use_summary:
            verdict = self.markdown.render(event.claim_review.verdict_markdown, cited, prefix, "verdict-")
        if event.summary_markdown and not use_summary:
            lede = self.markdown.render(event.summary_markdown, cited, prefix, "lede-")
        return EventView(event, self.markdown.render(text, cited, prefix), event.slug, prefix, description,
                         citations, verdict, lede)

    def page(self, event: Event) -> bytes:
        path = f"events/{event.slug}/index.html"
        item = self.view(event, use_summary=False, prefix=event.slug)
        url = page_url(self.site.base_url, path)
        json_ld = [event_json_ld(event, self.site, url, item.description)]
        if event.claim_review:
            json_ld.append(claim_review_json_ld(event, self.site, url))
        return self.event_template.render(
            site=self.site, root="../../", path=path, page_url=url, item=item, json_ld=json_ld,
            neighbours=self.neighbours[event.slug], back=self.back(event)).encode("utf-8")

    def card(self, event: Event, level: int) -> str:
        """The event on a list, with stand-ins for the page's root and citation prefix."""
        item = self.view(event, use_summary=True, prefix=PREFIX)
        return self.event_card(item, ROOT, level)


def _render_jobs(jobs: list[tuple[Event, bool, tuple[int, ...]]], forked: bool = False):
    """Pages and cards for some events; in a worker process, also the Markdown it converted."""
    worker: _EventRenderer = shared()
    memo = worker.markdown.memo
    if forked:
        memo.used.clear()  # the worker's copy: what it adds now is what the parent lacks
    done = []
    for event, page, levels in jobs:
        done.append((event.slug, worker.page(event) if page else None,
                     {level: str(worker.card(event, level)) for level in levels}))
        if worker.exports is not None:
            worker.exports.prepare(event)
    if not forked:
        return done, {}
    # The text's HTML stays here: the parent now has all it needs of it (see IN_MEMORY_ONLY).
    return done, {k: v for k, v in memo.used.items() if not (type(k) is tuple and k[0] in IN_MEMORY_ONLY)}


def render_site(timeline: Timeline, templates_dir: Path, cache: BuildCache | None = None,
                out_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                exports: bool = True, sink: Callable[[str, bytes | Unchanged], None] | None = None,
                ) -> dict[str, bytes | Unchanged]:
    """Every page and export. With a cache and the previous output, unchanged pages are `Unchanged`.

    With `sink`, each event page is handed to it as soon as it is rendered (to be written) and is
    not in the returned dict: at thousands of events, holding every page until the end would take
    more memory than everything else. The preview leaves the exports out (exports=False): nobody
    reads a feed while editing.
    """
    files: dict[str, bytes | Unchanged] = {}
    put = sink or files.__setitem__
    cache = cache or BuildCache(None)
    events = timeline.events
    scope = digest(folder_digest(templates_dir), repr(timeline.site))
    renderer = _EventRenderer(timeline, templates_dir, cache, scope, exports)
    big = len(events) > LIST_LIMIT
    levels = (3, 2) if not big else (3,)

    # 1. Each event's page and cards: from the cache, or rendered (in parallel when there are many).
    cards: dict[tuple[str, int], str] = {}
    jobs = []
    for event in events:
        path = f"events/{event.slug}/index.html"
        page_key = digest("page", scope, event.fingerprint, renderer.page_inputs(event))
        cache.produced[path] = page_key
        needs_page = not (out_dir is not None and cache.unchanged(path, page_key, out_dir))
        if not needs_page:
            put(path, Unchanged(page_key))
        missing = []
        for level in levels:
            card = cache.get(f"card {scope} {event.fingerprint} {level}")
            if card is None:
                missing.append(level)
            else:
                cards[event.slug, level] = card
        if needs_page or missing:
            jobs.append((event, needs_page, tuple(missing)))
    if progress and jobs:
        progress(f"rendering {len(jobs)} of {len(events)} events")
    by_slug = {event.slug: event for event in events}
    for done, memo in fork_map(_render_jobs, jobs, renderer):  # chunk by chunk, as the workers finish them
        for key, value in memo.items():
            cache.put(key, value)
        for slug, page, new_cards in done:
            if page is not None:
                put(f"events/{slug}/index.html", page)
            for level, card in new_cards.items():
                cards[slug, level] = card
                cache.put(f"card {scope} {by_slug[slug].fingerprint} {level}", card)

    # 2. The lists, assembled from the cards. A list page whose every input (`shows`: the cards or
    # rows on it, and the like) is as the previous build had it is kept, as event pages are.
    env = renderer.env
    pages: dict[str, str] = {}

    list_paths: list[str] = []

    def page(path: str, template: str, shows: list[str] | None = None,
             lazy: Callable[[], dict] | None = None, **context) -> None:
        """Render a list page. With `shows` (every value the page is given beyond the site's
        settings, each a separate part of its key), keep the previous file when they are all
        unchanged; `lazy` makes the costlier part of the context only when the page is rendered."""
        list_paths.append(path)
        if shows is not None:
            key = digest("list", scope, path, *shows)
            cache.produced[path] = key
            if out_dir is not None and cache.unchanged(path, key, out_dir):
                files[path] = Unchanged(key)
                return
        depth = path.count("/")
        root = ("../" * depth or "./") if path != "404.html" else _base_path(timeline.site.base_url)
        pages[path] = env.get_template(template).render(
            site=timeline.site, root=root, path=path, page_url=page_url(timeline.site.base_url, path),
            **context, **(lazy() if lazy else {}))

    position = {event.slug: f"e{i}" for i, event in enumerate(events, 1)}  # short citation prefixes

    def placed(event: Event, root: str, level: int) -> Markup:
        return Markup(cards[event.slug, level].replace(PREFIX, position[event.slug]).replace(ROOT, root))

    def placed_ids(year_events, level: int) -> list[str]:
        """What decides the cards of a page (with its path, which decides `root`): each card is
        made from its event's fingerprint and level alone, then given its position's prefix."""
        return [f"{e.fingerprint} {position[e.slug]} {level}" for e in year_events]

    rows: dict[str, Markup] = {}

    def row(event: Event, root: str) -> Markup:  # an event in one line, on long topic and source lists
        if event.slug not in rows:
            rows[event.slug] = Markup(
                f'<li><time datetime="{event.date.iso}">{event.date.display}</time> '
                f'<a href="{ROOT}events/{event.slug}/">{escape(event.title)}</a></li>')
        return Markup(rows[event.slug].replace(ROOT, root))

    def by_year_pages(folder: str, template: str, events: list[Event], as_rows: bool, shows: list[str],
                      **context) -> None:
        """A list of events (a topic's, or a source's citing events) in years, on as many pages as it
        takes: one-line rows, or cards with the year as their h2."""
        parts = _pages(folder, _by_year(events), ROWS_PAGE_LIMIT if as_rows else YEAR_PAGE_LIMIT)
        index = [(f"year-{year}", str(year), count, start) for year, count, start in _contents(parts)]
        spans = [(here, str(groups[0][0]), str(groups[-1][0])) for here, groups in parts]
        for here, groups in parts:
            root = _root(here)
            if as_rows:
                items = [part for year, es, continued in groups for part in (str(year), str(continued),
                                                                             *(row(e, root) for e in es))]
            else:
                items = [part for year, es, continued in groups for part in (str(year), str(continued),
                                                                             *placed_ids(es, 3))]

            def sections(groups=groups, root=root) -> dict:
                return {"sections": [(f"year-{year}", str(year), continued,
                                      [row(e, root) if as_rows else placed(e, root, 3) for e in es])
                                     for year, es, continued in groups]}

            page(here + "index.html", template, ["rows" if as_rows else "cards", repr((index, spans)), *shows,
                                                 *items],
                 sections, count=len(events), index=index, pages=spans, here=here, rows=as_rows, **context)

    years = timeline.years()
    tag_groups = timeline.tags()
    tags = [(tag, _links(es)) for tag, es in tag_groups]
    overview = overview_svg(timeline, "./")
    caption = overview_caption(timeline)
    tag_parts = _link_parts(tags)
    if not big:
        page("index.html", "index.html", [overview or "", caption, *tag_parts, *(x for y, es in years for x in (str(y), *placed_ids(es, 3)))],
             lambda: {"years": [(y, [placed(e, "./", 3) for e in es]) for y, es in years]},
             count=len(events), tags=tags, overview=overview, paged=False, overview_caption=caption)
    else:
        year_links = [(y, _links(es)) for y, es in years]
        page("index.html", "index.html", [overview or "", caption, *tag_parts, *_link_parts(year_links)],
             years=year_links, count=len(events), tags=tags, overview=overview, paged=True,
             overview_caption=caption)
        for number, (year, year_events) in enumerate(years):
            neighbours = (years[number - 1][0] if number else None,
                          years[number + 1][0] if number + 1 < len(years) else None)
            # In months, each an h2 over its cards (h3); a long year on more than one page.
            parts = year_pages(year, year_events)
            months = [(*_month(year, month), count, start) for month, count, start in _contents(parts)]
            spans = [(here, *(_month(year, m)[1] for m in (known[0], known[-1])))  # 'January to June'
                     for here, groups in parts for known in [[m for m, _, _ in groups if m] or [0]]]
            for here, groups in parts:
                to_root = _root(here)
                in_months = [(*_month(year, month), continued, es) for month, es, continued in groups]
                page(here + "index.html", "year.html",
                     [repr((neighbours, months, spans)),
                      *(part for anchor, _, continued, es in in_months for part in (anchor, str(continued),
                                                                                    *placed_ids(es, 3)))],
                     lambda in_months=in_months, to_root=to_root: {"sections": [
                         (anchor, label, continued, [placed(e, to_root, 3) for e in es])
                         for anchor, label, continued, es in in_months]},
                     year=year, count=len(year_events), neighbours=neighbours, months=months, pages=spans,
                     here=here)
    page("tags/index.html", "tags.html", tag_parts,  # A to Z as readers see the topics: by label
         tags=sorted(tags, key=lambda item: (timeline.site.topic(item[0]).label.casefold(), item[0])))
    for tag, tag_events in tag_groups:  # in years: rows on a big site, cards (h3 under the year) on a small one
        by_year_pages(f"tags/{tag}/", "tag.html", tag_events, len(tag_events) > LIST_LIMIT or big, [], tag=tag)
    # The sources: one page, or (beyond SOURCES_LIMIT) an index of publishers by initial and a page
    # (or a few) per initial. A source cited by more events than its entry names has a page of them.
    big_sources = len(timeline.sources) > SOURCES_LIMIT
    letters = _publishers(timeline.sources) if big_sources else []
    letter_pages = {letter: _pages(_letter_folder(letter), publishers, SOURCES_PAGE_LIMIT)
                    for letter, publishers in letters}
    listed_on = {s.id: here for parts in letter_pages.values() for here, groups in parts
                 for _, sources, _ in groups for s in sources} if big_sources else {}

    def entry(source) -> tuple:
        """A source on a list: (source, the events named, how many cite it, the page of them all or '')."""
        citing = timeline.citing_events(source.id)
        more = f"sources/cited/{source.id}/" if len(citing) > CITED_SHOWN else ""
        return source, _links(citing[:CITED_SHOWN] if more else citing), len(citing), more

    def entry_parts(sources) -> list[str]:
        return [str(part) for s in sources for part in (s.id, s.digest, *entry(s)[1:])]

    if not big_sources:
        page("sources/index.html", "sources.html", entry_parts(timeline.sources),
             sources=[entry(s) for s in timeline.sources])
    else:
        # A–Z whole, the letters without a publisher unlinked ('' for a folder); '#' only when used.
        initials = [(letter, _letter_folder(letter) if letter in letter_pages else "")
                    for letter in (*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#") if letter != "#" or letter in letter_pages]
        index = [(letter, _letter_folder(letter), [(anchor, name, count, start)
                                                   for (anchor, name), count, start in _contents(parts)])
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
        if len(citing) > CITED_SHOWN:
            home = listed_on.get(source.id, "sources/")
            by_year_pages(f"sources/cited/{source.id}/", "source_cited.html", citing, True,
                          [source.id, source.digest, home], source=source, home=home)
    corrections = [(c, EventLink(e.slug, e.title)) for c, e in timeline.corrections()]
    page("corrections/index.html", "corrections.html",
         [part for c, link in corrections for part in (c.date.iso, c.text, *link)], corrections=corrections)
    policy = timeline.site.policy
    sections: dict[str, list] = {}
    for rule, text, severity in rules_for(policy):
        sections.setdefault(rule.section, []).append((rule, text, severity))
    counts = policy_counts(timeline)
    ratings = [(key, name, value, RATING_DEFINITIONS[key]) for key, (value, name) in RATINGS.items()]
    page("fact-checking/index.html", "policy.html", [repr(sorted(counts.items())), repr(policy)],
         sections=list(sections.items()), ratings=ratings, counts=counts)
    page("search/index.html", "search.html", tag_parts, tags=tags)
    page("about/index.html", "about.html", [])  # the site's settings only: in the scope of every key
    page("404.html", "404.html", [])  # the site's settings only: in the scope of every key
    files.update((path, text.encode("utf-8")) for path, text in pages.items())
    if exports:
        files.update(render_exports(timeline, renderer.markdown,
                                    [*list_paths, *(f"events/{e.slug}/index.html" for e in events)], cache, scope,
                                    renderer.exports))
    return dict(sorted(files.items()))


def _base_path(base_url: str) -> str:
    """The site's path on its host ('/' or '/project/'): the 404 page is served at any depth."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def page_url(base_url: str, path: str) -> str:
    """The canonical address of an output file: '.../events/x/' rather than '.../events/x/index.html'."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    pretty = path[: -len("index.html")] if posixpath.basename(path) == "index.html" else path
    return base + pretty



# ---- Long lists: cut into pages of a readable size, at the boundaries of their groups ----

YEAR_PAGE_LIMIT = 80  # full cards on one page (about 2 KB each): a longer year is cut, between months
ROWS_PAGE_LIMIT = 600  # one-line rows on one page (about 0.25 KB each)
SOURCES_LIMIT = 150  # beyond this many sources (about 1 KB each), one page by initial of the publisher
SOURCES_PAGE_LIMIT = 100  # sources on one page of an initial
CITED_SHOWN = 5  # events named under a source on its list; a source cited more has its own page of them

Group = tuple[Any, list, bool]  # (key, items, continued: the group began on the page before)


def _pages(folder: str, groups: list[tuple[Any, list]], limit: int) -> list[tuple[str, list[Group]]]:
    """Consecutive groups (a year's months, a topic's years, an initial's publishers) cut into pages
    of at most `limit` items and of about equal size, each group whole where it fits on a page.
    The first page is `folder`, the next ones `folder`2/, `folder`3/ …"""
    total = sum(len(items) for _, items in groups)
    count = -(-total // limit) or 1
    target = -(-total // count)
    pages: list[list[Group]] = [[]]
    size = 0
    for key, items in groups:
        for start in range(0, len(items), limit):
            piece = items[start:start + limit]
            if size and (size + len(piece) > limit or size >= target):
                pages.append([])
                size = 0
            pages[-1].append((key, piece, start > 0))
            size += len(piece)
    return [(folder + (f"{n}/" if n > 1 else ""), groups) for n, groups in enumerate(pages, 1)]


def _contents(pages: list[tuple[str, list[Group]]]) -> list[tuple[Any, int, str]]:
    """Each group once, as an index names it: (key, its number of items, the page it begins on)."""
    found: dict[Any, list] = {}
    for folder, groups in pages:
        for key, items, _ in groups:
            found.setdefault(key, [0, folder])[0] += len(items)
    return [(key, count, folder) for key, (count, folder) in found.items()]


def _root(folder: str) -> str:
    return "../" * folder.count("/")


def year_pages(year: int, events: list[Event]) -> list[tuple[str, list[Group]]]:
    """The pages of a year on a paged timeline, in months (month 0: events dated to the year only):
    years/YYYY/, and years/YYYY/2/ … for a year of more than YEAR_PAGE_LIMIT events."""
    months = [(month, list(es)) for month, es in groupby(events, key=lambda e: e.date.month or 0)]
    return _pages(f"years/{year}/", months, YEAR_PAGE_LIMIT)


def event_places(timeline: Timeline) -> dict[str, str]:
    """On a paged timeline, the folder of the year page that holds each event's card, by slug."""
    return {event.slug: folder for year, events in timeline.years() for folder, groups in year_pages(year, events)
            for _, part, _ in groups for event in part}


def _month(year: int, month: int) -> tuple[str, str]:
    """A month's heading on its year's page: (id, label)."""
    if not month:
        return f"month-{year}-unknown", "Month unknown"
    return f"month-{year}-{month:02d}", calendar.month_name[month]


def _by_year(events: list[Event]) -> list[tuple[int, list[Event]]]:
    return [(year, list(es)) for year, es in groupby(events, key=lambda e: e.date.year)]


def _initial(name: str) -> str:
    """The letter a publisher is filed under: the first of its name as printed, accents dropped
    ('Le Courrier' under L, 'The Times' under T); '#' for a name that starts with no letter."""
    first = next((c for c in unicodedata.normalize("NFKD", name) if c.isalnum()), "#")
    return first.upper() if first.isascii() and first.isalpha() else "#"


def _publishers(sources) -> list[tuple[str, list[tuple[tuple[str, str], list]]]]:
    """Sources by the initial of their publisher, then by publisher (each with a unique id for its
    heading, which no source id can take: those have no '--'), each publisher's oldest first."""
    by_name: dict[str, list] = {}
    for source in sources:
        by_name.setdefault(source.publisher, []).append(source)
    letters: dict[str, list] = {}
    taken: set[str] = set()
    for name in sorted(by_name, key=lambda n: (unicodedata.normalize("NFKD", n).casefold(), n)):
        anchor = base = "publisher--" + (slugify(name) or "unnamed")
        while anchor in taken:
            anchor = f"{base}-{len(taken)}"
        taken.add(anchor)
        listed = sorted(by_name[name], key=lambda s: (s.published.sort_key(), s.id))
        letters.setdefault(_initial(name), []).append(((anchor, name), listed))
    return sorted(letters.items(), key=lambda item: (item[0] == "#", item[0]))


def _letter_folder(letter: str) -> str:
    return f"sources/{letter.lower() if letter != '#' else 'other'}/"
