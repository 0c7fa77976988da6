"""Stage 3: a Timeline → {output path: bytes}. No file is read or written here but templates.

The work that grows with the number of events — Markdown, each event's page, each event's card
on the lists — is done once per event, looked up in the build cache first, and shared out to the
processor's cores when there is a lot of it. A page whose inputs have not changed since the last
build is not rendered at all: it is returned as `Unchanged`, and write.py keeps the previous file.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .cache import IN_MEMORY_ONLY, BuildCache, digest, folder_digest
from .exports import ExportContext, render_exports
from .jsonld import claim_review_json_ld, event_json_ld
from .markup import PREFIX, CitedHtml, MarkdownRenderer
from .model import RATING_DEFINITIONS, RATINGS, Event, Timeline
from .overview import overview_svg
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
    verdict: CitedHtml | None = None  # the claim review's verdict, on the event's own page
    lede: CitedHtml | None = None  # the summary, leading the event's own page

    @property
    def citations(self):
        return self.event.citations

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
        self.markdown = MarkdownRenderer(memo)
        self.event_template = self.env.get_template("event.html")
        self.event_card = self.env.get_template("macros.html").module.event_card
        # The exports' share of each event is made where its HTML is: in the same worker.
        self.exports = ExportContext(timeline, self.markdown, memo, scope) if exports else None

    def view(self, event: Event, use_summary: bool, prefix: str) -> EventView:
        self.markdown.know(event.converted)
        numbers = {c.source.id: c.number for c in event.citations}
        text = event.summary_markdown if use_summary and event.summary_markdown else event.body_markdown
        # The description is the summary's (or the body's) text: taken from the HTML that lists and
        # pages need anyway, rather than from a second Markdown conversion.
        description = self.markdown.plain(event.summary_markdown or event.body_markdown, numbers)
        verdict = lede = None
        if event.claim_review and not use_summary:
            verdict = self.markdown.render(event.claim_review.verdict_markdown, numbers, prefix, "verdict-")
        if event.summary_markdown and not use_summary:
            lede = self.markdown.render(event.summary_markdown, numbers, prefix, "lede-")
        return EventView(event, self.markdown.render(text, numbers, prefix), event.slug, prefix, description,
                         verdict, lede)

    def page(self, event: Event) -> bytes:
        path = f"events/{event.slug}/index.html"
        item = self.view(event, use_summary=False, prefix=event.slug)
        url = page_url(self.site.base_url, path)
        json_ld = [event_json_ld(event, self.site, url, item.description)]
        if event.claim_review:
            json_ld.append(claim_review_json_ld(event, self.site, url))
        return self.event_template.render(
            site=self.site, root="../../", path=path, page_url=url, item=item, json_ld=json_ld).encode("utf-8")

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
        page_key = f"page {scope} {event.fingerprint}"  # both digests already: no need to hash again
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

    def row(event: Event) -> Markup:  # on topic pages, two levels down
        if event.slug not in rows:
            rows[event.slug] = Markup(
                f'<li><time datetime="{event.date.iso}">{event.date.display}</time> '
                f'<a href="../../events/{event.slug}/">{escape(event.title)}</a></li>')
        return rows[event.slug]

    years = timeline.years()
    tag_groups = timeline.tags()
    tags = [(tag, _links(es)) for tag, es in tag_groups]
    overview = overview_svg(timeline, "./")
    tag_parts = _link_parts(tags)
    if not big:
        page("index.html", "index.html", [overview or "", *tag_parts, *(x for y, es in years for x in (str(y), *placed_ids(es, 3)))],
             lambda: {"years": [(y, [placed(e, "./", 3) for e in es]) for y, es in years]},
             count=len(events), tags=tags, overview=overview, paged=False)
    else:
        year_links = [(y, _links(es)) for y, es in years]
        page("index.html", "index.html", [overview or "", *tag_parts, *_link_parts(year_links)],
             years=year_links, count=len(events), tags=tags, overview=overview, paged=True)
        for number, (year, year_events) in enumerate(years):
            neighbours = (years[number - 1][0] if number else None,
                          years[number + 1][0] if number + 1 < len(years) else None)
            page(f"years/{year}/index.html", "year.html", [repr(neighbours), *placed_ids(year_events, 3)],
                 lambda es=year_events: {"items": [placed(e, "../../", 3) for e in es]},
                 year=year, neighbours=neighbours)
    page("tags/index.html", "tags.html", tag_parts, tags=tags)
    for tag, tag_events in tag_groups:
        if len(tag_events) > LIST_LIMIT or big:
            tag_rows = [row(e) for e in tag_events]
            page(f"tags/{tag}/index.html", "tag.html", ["rows", *tag_rows], tag=tag, count=len(tag_events),
                 rows=tag_rows, items=[])
        else:
            page(f"tags/{tag}/index.html", "tag.html", ["cards", *placed_ids(tag_events, 2)],
                 lambda es=tag_events: {"items": [placed(e, "../../", 2) for e in es]},
                 tag=tag, count=len(tag_events), rows=[])
    cited = [(s, _links(timeline.citing_events(s.id))) for s in timeline.sources]
    page("sources/index.html", "sources.html", [x for s, links in cited for x in (s.digest, *_link_parts([("", links)]))],
         sources=cited)
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

