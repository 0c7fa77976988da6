"""Citation numbers as readers meet them: [1] is the first source a page cites, [2] the next new one.

An event's `sources:` list is in the editor's order; a page numbers its citations in the order its
texts first cite them (Wikipedia's and every journal's rule), so the numbers read 1, 2, 3 down the
page. The event page and the feeds number them alike; a card, which shows only the summary,
numbers and lists only the sources the summary cites.
"""

from __future__ import annotations

import dataclasses

from .markup import MarkdownRenderer
from .model import Citation, Event


def page_texts(event: Event) -> list[str]:
    """The event's texts in the order its own page shows them: the claim review's verdict (at
    the top), the summary (as the lede), then the body."""
    texts = [event.claim_review.verdict_markdown] if event.claim_review else []
    return [*texts, *([event.summary_markdown] if event.summary_markdown else []), event.body_markdown]


def card_text(event: Event) -> str:
    """What a card shows of the event: its summary, or its body when it has none."""
    return event.summary_markdown or event.body_markdown


def numbered(citations: tuple[Citation, ...], first_use: list[str], keep_uncited: bool) -> tuple[Citation, ...]:
    """The citations renumbered by first use; those never cited follow in list order, or are
    left out (`keep_uncited=False`: a card never lists a source its text does not cite)."""
    by_id = {c.source.id: c for c in citations}
    order = list(dict.fromkeys(i for i in first_use if i in by_id))
    if keep_uncited:
        order += [c.source.id for c in citations if c.source.id not in order]
    # A citation whose number stays (first use mostly follows the list) is not copied.
    return tuple(by_id[i] if by_id[i].number == n else dataclasses.replace(by_id[i], number=n)
                 for n, i in enumerate(order, 1))


def page_citations(event: Event, markdown: MarkdownRenderer) -> tuple[Citation, ...]:
    return numbered(event.citations, [i for t in page_texts(event) for i in markdown.cited_order(t)], True)


class PageNumbering:
    """Each event's citations as its own page numbers them, worked out once per build: the page,
    the card (its description) and the exports all ask for them."""

    def __init__(self, markdown: MarkdownRenderer) -> None:
        self.markdown = markdown
        self._by_slug: dict[str, tuple[Citation, ...]] = {}

    def forget(self) -> None:
        self._by_slug.clear()

    def __call__(self, event: Event) -> tuple[Citation, ...]:
        found = self._by_slug.get(event.slug)
        if found is None:
            found = self._by_slug[event.slug] = page_citations(event, self.markdown)
        return found


def card_citations(event: Event, markdown: MarkdownRenderer) -> tuple[Citation, ...]:
    return numbered(event.citations, markdown.cited_order(card_text(event)), False)


def numbers(citations: tuple[Citation, ...]) -> dict[str, int]:
    """Source id → number, as MarkdownRenderer.render takes them."""
    return {c.source.id: c.number for c in citations}
