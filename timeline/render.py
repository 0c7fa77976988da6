"""Stage 3: a Timeline → {output path: bytes}. No file is read or written here but templates.

The work that grows with the number of events — Markdown, each event's page, each event's card
on the lists — is done once per event, looked up in the build cache first, and shared out to the
processor's cores when there is a lot of it. A page whose inputs have not changed since the last
build is not rendered at all: it is returned as `Unchanged`, and write.py keeps the previous file.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup

from . import paging
from .citing import PageNumbering, card_citations, card_text, numbers
from .digests import context_digest, digest, folder_digest
from .exports import ExportContext, export_files
from .jsonld import claim_review_json_ld, event_json_ld
from .lists import ROOT, EventLink, Limits, render_lists
from .markup import PREFIX, CitedHtml, MarkdownRenderer
from .memo import IN_MEMORY_ONLY, Memo
from .model import Citation, Event, Timeline
from .outputs import Reuse, Unchanged, never_kept
from .paging import page_url
from .paging import split_pages as _pages  # noqa: F401  (tests/test_scale.py cuts lists with render._pages)
from .processes import fork_map, shared
from .quotes import text_fragment_url

# How much goes on a page. Read from here when a build starts and passed down to lists.py and
# paging.py, so that a test can make them small on this module.
LIST_LIMIT = 200  # beyond this many events, the timeline is one page per year, and lists are short rows
YEAR_PAGE_LIMIT = 80  # full cards on one page (about 2 KB each): a longer year is cut, between months
ROWS_PAGE_LIMIT = 600  # one-line rows on one page (about 0.25 KB each)
SOURCES_LIMIT = 150  # beyond this many sources (about 1 KB each), one page by initial of the publisher
SOURCES_PAGE_LIMIT = 100  # sources on one page of an initial
CITED_SHOWN = 5  # events named under a source on its list; a source cited more has its own page of them


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


class _CompiledTemplates(BytecodeCache):
    """Each template compiled once per process, however many Environments are made (the preview
    makes one per rebuild). Jinja keeps the source's checksum with the code and compiles an edited
    template again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        bytecode_cache=_COMPILED,
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


class _OneBuild:
    """The memo of a build without a cache: its pages, cards and exports still share their work."""

    def __init__(self) -> None:
        self.values: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        return self.values.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        self.values[key] = value


class _Sent:
    """The memo as a worker process sees it: what it reads from it or adds to it is also noted, to
    be sent back to the parent, whose memo keeps it for the next build. A worker adds only to its
    notes, which are sent and emptied chunk by chunk: its memory does not grow with the build."""

    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.noted: dict[Hashable, Any] | None = None  # None: in the parent, nothing to send

    def get(self, key: Hashable) -> Any:
        if self.noted is None:
            return self.memo.get(key)
        value = self.noted.get(key)
        if value is None:
            value = self.memo.get(key)
            if value is not None:
                self.noted[key] = value
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.noted is None:
            self.memo.put(key, value)
        else:
            self.noted[key] = value

    def to_send(self) -> dict[Hashable, Any]:
        return {k: v for k, v in (self.noted or {}).items() if not (isinstance(k, tuple) and k[0] in IN_MEMORY_ONLY)}


class _EventRenderer:
    """Renders one event's own page and its card; shared with worker processes by fork."""

    def __init__(self, timeline: Timeline, templates_dir: Path, memo: Memo, scope: str, exports: bool):
        self.site = timeline.site
        self.env = make_environment(templates_dir)
        self.env.globals["topic"] = self.site.topic  # a tag's label and description, for every template
        self.fragments: dict[tuple[Hashable, ...], Markup] = {}  # by macro and arguments: see cached()
        self.env.globals["cached"] = self.cached
        self.cache = memo = _Sent(memo)
        self.markdown = MarkdownRenderer(memo)
        self.numbering = PageNumbering(self.markdown)
        self.event_template = self.env.get_template("event.html")
        macros: Any = self.env.get_template("macros.html").module  # its macros are attributes
        self.event_card: Callable[..., Markup] = macros.event_card
        # The exports' share of each event is made where its HTML is: in the same worker.
        self.exports = ExportContext(timeline, self.markdown, memo, scope, self.numbering) if exports else None
        self.paged = len(timeline.events) > LIST_LIMIT  # the timeline is one page per year
        self.places = event_places(timeline) if self.paged else {}  # each card's page: years/2011/2/
        links = [EventLink(e.slug, e.title) for e in timeline.events]
        self.neighbours = {link.slug: (links[i - 1] if i else None, links[i + 1] if i + 1 < len(links) else None)
                           for i, link in enumerate(links)}

    def cached(self, macro: Any, *arguments: Hashable) -> Markup:
        """`cached(macro, …)` in a template: what the macro gives for these arguments, rendered
        once per build (per worker process), for a fragment that many pages share."""
        key = (macro.name, *arguments)
        html = self.fragments.get(key)
        if html is None:
            html = self.fragments[key] = macro(*arguments)
        return html

    def back(self, event: Event) -> str:
        """Where the event's card is, from the site's root: the timeline, or its year's page."""
        return f"{self.places[event.slug]}#{event.slug}" if self.paged else f"#{event.slug}"

    def page_context(self, event: Event) -> dict[str, Any]:
        """What an event page is made from, besides its path and the site's settings (in the scope of
        every key): the event, its neighbours and its card's place. Its template's whole context is
        made from these, and so is the page's cache key (digests.context_digest)."""
        return {"event": event, "neighbours": self.neighbours[event.slug], "back": self.back(event)}

    def view(self, event: Event, use_summary: bool, prefix: str) -> EventView:
        """The event on its own page (`use_summary=False`) or as a card (True): each numbers its
        citations by first use and, on a card, lists only those its text cites (citing.py)."""
        self.markdown.know(event.converted)
        on_page = numbers(self.numbering(event))
        citations = card_citations(event, self.markdown) if use_summary else self.numbering(event)
        cited = numbers(citations) if use_summary else on_page
        text = card_text(event) if use_summary else event.body_markdown
        # The description is the summary's (or the body's) text: taken from the HTML that lists and
        # pages need anyway, rather than from a second Markdown conversion.
        description = self.markdown.plain(card_text(event), on_page)
        verdict = lede = None
        if event.claim_review and not use_summary:
            verdict = self.markdown.render(event.claim_review.verdict_markdown, cited, prefix, "verdict-")
        if event.summary_markdown and not use_summary:
            lede = self.markdown.render(event.summary_markdown, cited, prefix, "lede-")
        return EventView(event, self.markdown.render(text, cited, prefix), event.slug, prefix, description,
                         citations, verdict, lede)

    def page(self, event: Event) -> bytes:
        path = f"events/{event.slug}/index.html"
        given = self.page_context(event)
        item = self.view(event, use_summary=False, prefix=event.slug)
        url = page_url(self.site.base_url, path)
        json_ld = [event_json_ld(event, self.site, url, item.description)]
        review = claim_review_json_ld(event, self.site, url) if event.claim_review else None
        if review is not None:
            json_ld.append(review)
        return self.event_template.render(
            site=self.site, root="../../", path=path, page_url=url, item=item, json_ld=json_ld,
            neighbours=given["neighbours"], back=given["back"]).encode("utf-8")

    def card(self, event: Event, level: int) -> str:
        """The event on a list, with stand-ins for the page's root and citation prefix."""
        item = self.view(event, use_summary=True, prefix=PREFIX)
        return str(self.event_card(item, ROOT, level))


Rendered = list[tuple[str, bytes | None, dict[int, str]]]  # (slug, its page or None, its cards by level)


def _render_jobs(jobs: list[tuple[Event, bool, tuple[int, ...]]], forked: bool = False,
                 ) -> tuple[Rendered, dict[Hashable, Any]]:
    """Pages and cards for some events; in a worker process, also the Markdown it converted."""
    worker: _EventRenderer = shared()
    if forked:
        worker.cache.noted = {}  # the worker's own copy: what it uses now is what the parent must keep
    done: Rendered = []
    for event, page, levels in jobs:
        done.append((event.slug, worker.page(event) if page else None,
                     {level: str(worker.card(event, level)) for level in levels}))
        if worker.exports is not None:
            worker.exports.prepare(event)
        # Each text is this event's own (and its page, card and exports are made): what the
        # renderer remembers of it would only grow with the build.
        worker.markdown.forget()
        worker.numbering.forget()
    return done, worker.cache.to_send() if forked else {}


def render_site(timeline: Timeline, templates_dir: Path, memo: Memo | None = None, kept: Reuse = never_kept,
                progress: Callable[[str], None] | None = None, exports: bool = True,
                sink: Callable[[str, bytes | Unchanged], None] | None = None,
                pages_done: Callable[[], None] | None = None) -> dict[str, bytes | Unchanged]:
    """Every page and export. `memo` (the build cache's) keeps cards, Markdown and exports between
    builds; a page that `kept` says the previous output has, made from the same key, is `Unchanged`.

    With `sink`, each page and export is handed to it as soon as it is made (to be written) and is
    not in the returned dict: at thousands of events, holding every page until the end would take
    more memory than everything else. The preview leaves the exports out (exports=False): nobody
    reads a feed while editing. `pages_done` is called once every event page is with `sink`,
    before the lists are made: the search index of the event pages can be started then.
    """
    files: dict[str, bytes | Unchanged] = {}
    put = sink or files.__setitem__
    cache = memo or _OneBuild()
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
        unchanged = kept(path, context_digest("page", scope, path, context=renderer.page_context(event)))
        needs_page = unchanged is None
        if unchanged is not None:
            put(path, unchanged)
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
    for done, sent in fork_map(_render_jobs, jobs, renderer):  # chunk by chunk, as the workers finish them
        for key, value in sent.items():
            cache.put(key, value)
        for slug, page, new_cards in done:
            if page is not None:
                put(f"events/{slug}/index.html", page)
            for level, card in new_cards.items():
                cards[slug, level] = card
                cache.put(f"card {scope} {by_slug[slug].fingerprint} {level}", card)
    if pages_done is not None:
        pages_done()

    # 2. The lists, assembled from the cards (lists.py).
    limits = Limits(LIST_LIMIT, YEAR_PAGE_LIMIT, ROWS_PAGE_LIMIT, SOURCES_LIMIT, SOURCES_PAGE_LIMIT, CITED_SHOWN)
    # Each handed on as it is made: at 40,000 events, held to the end, they were most of the
    # build's peak memory.
    list_paths = render_lists(timeline, renderer.env, cards, kept, scope, limits, put)
    if exports:
        for path, data in export_files(timeline, renderer.markdown,
                                       [*list_paths, *(f"events/{e.slug}/index.html" for e in events)], cache, scope,
                                       renderer.exports):
            put(path, data)
    return dict(sorted(files.items()))


def event_places(timeline: Timeline) -> dict[str, str]:
    """On a paged timeline, the folder of the year page that holds each event's card, by slug."""
    return paging.event_places(timeline, YEAR_PAGE_LIMIT)
