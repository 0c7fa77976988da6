"""Stage 3: a Timeline → {output path: bytes}. No file is read or written here but templates."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .exports import render_exports
from .jsonld import claim_review_json_ld, event_json_ld
from .markup import CitedHtml, MarkdownRenderer
from .model import RATINGS, Event, Timeline
from .quotes import text_fragment_url


@dataclass(frozen=True)
class EventView:
    """An event as one page shows it: its text rendered with citation anchors unique to that page."""

    event: Event
    text: CitedHtml
    anchor: str  # the id of the event on the page: its slug, so that timeline#slug is a permalink
    prefix: str  # the prefix of its citation anchors: the slug, or a short e1, e2 … on long lists
    description: str  # plain text of the summary (or body), for <meta name="description">
    verdict: CitedHtml | None = None  # the claim review's verdict, on the event's own page

    @property
    def citations(self):
        return self.event.citations

    @property
    def backlinks(self) -> dict[int, list[str]]:
        """Per citation number, every marker on the page that points to it."""
        merged = {n: list(a) for n, a in self.text.backlinks.items()}
        for number, anchors in (self.verdict.backlinks if self.verdict else {}).items():
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
    )
    env.filters["host"] = lambda url: urlsplit(url).hostname or url
    env.filters["text_fragment"] = text_fragment_url
    return env


def render_site(timeline: Timeline, templates_dir: Path) -> dict[str, bytes]:
    env = make_environment(templates_dir)
    markdown = MarkdownRenderer()
    pages: dict[str, str] = {}

    def numbers(event: Event) -> dict[str, int]:
        return {c.source.id: c.number for c in event.citations}

    def view(event: Event, use_summary: bool, prefix: str = "") -> EventView:
        text = event.summary_markdown if use_summary and event.summary_markdown else event.body_markdown
        description = markdown.plain(event.summary_markdown or event.body_markdown)
        prefix = prefix or event.slug
        verdict = None
        if event.claim_review and not use_summary:
            verdict = markdown.render(event.claim_review.verdict_markdown, numbers(event), prefix, "verdict-")
        return EventView(event, markdown.render(text, numbers(event), prefix), event.slug, prefix, description, verdict)

    def page(path: str, template: str, **context) -> None:
        depth = path.count("/")
        root = ("../" * depth or "./") if path != "404.html" else _base_path(timeline.site.base_url)
        pages[path] = env.get_template(template).render(
            site=timeline.site, root=root, path=path, page_url=_page_url(timeline.site.base_url, path), **context
        )

    # On lists, citation anchors are e1-src-1 rather than <slug>-src-1: they repeat a dozen times a card.
    summaries = {e.slug: view(e, use_summary=True, prefix=f"e{i}") for i, e in enumerate(timeline.events, 1)}
    tags = timeline.tags()
    page("index.html", "index.html", years=[(y, [summaries[e.slug] for e in es]) for y, es in timeline.years()],
         count=len(timeline.events), tags=tags)
    for event in timeline.events:
        path = f"events/{event.slug}/index.html"
        item = view(event, use_summary=False)
        url = _page_url(timeline.site.base_url, path)
        json_ld = [event_json_ld(event, timeline.site, url, item.description)]
        if event.claim_review:
            json_ld.append(claim_review_json_ld(event, timeline.site, url))
        page(path, "event.html", item=item, json_ld=json_ld)
    page("tags/index.html", "tags.html", tags=tags)
    for tag, events in tags:
        page(f"tags/{tag}/index.html", "tag.html", tag=tag, items=[summaries[e.slug] for e in events])
    page("sources/index.html", "sources.html",
         sources=[(s, timeline.citing_events(s.id)) for s in timeline.sources])
    page("corrections/index.html", "corrections.html", corrections=timeline.corrections())
    page("fact-checking/index.html", "policy.html", policy=timeline.site.policy, ratings=RATINGS,
         source_count=len(timeline.sources),
         snapshot_count=sum(1 for s in timeline.sources if s.snapshot is not None))
    page("404.html", "404.html")
    files = {path: text.encode("utf-8") for path, text in pages.items()}
    files.update(render_exports(timeline, markdown, pages))
    return dict(sorted(files.items()))


def _base_path(base_url: str) -> str:
    """The site's path on its host ('/' or '/project/'): the 404 page is served at any depth."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def _page_url(base_url: str, path: str) -> str:
    """The canonical address of an output file: '.../events/x/' rather than '.../events/x/index.html'."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    pretty = path[: -len("index.html")] if posixpath.basename(path) == "index.html" else path
    return base + pretty
