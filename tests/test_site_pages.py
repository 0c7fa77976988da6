"""Every page of the real site and of a 2,000-event generated one, read as built, against the
content it was built from: each event page leads with its summary and links to the events before
and after it; on every page and card, citations are numbered by first use and a card lists only
the sources its text cites. Nothing here names an event or counts the live content."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT
from html_checks import articles
from markupsafe import Markup

from timeline.load import load_content
from timeline.validate import validate

SITES = {"real": ("real_site", lambda site: PROJECT / "content"),
         "big": ("big_site", lambda site: site.parent / "content")}


@pytest.fixture(params=sorted(SITES))
def built(request):
    fixture, content = SITES[request.param]
    site = request.getfixturevalue(fixture)
    timeline, problems = validate(load_content(content(site)))
    assert timeline is not None, problems
    return site, timeline


def text_of(html: str) -> str:
    without_markers = re.sub(r'\u2060?<sup class="cite">.*?</sup>', "", html)
    return " ".join(Markup(re.sub(r"<[^>]+>", " ", without_markers)).unescape().split())


def test_every_event_page_leads_with_its_summary_and_links_its_neighbours(built):
    site, timeline = built
    events = timeline.events
    assert events
    for i, event in enumerate(events):
        html = (site / "events" / event.slug / "index.html").read_text(encoding="utf-8")
        article = html.split('<article class="event event-page"')[1].split("</article>")[0]
        lede = re.search(r'<div class="lede">(.*?)</div>', article, re.DOTALL)
        if event.summary_markdown:
            assert lede, f"{event.slug}: no summary on its page"
            summary = text_of(lede.group(1))
            description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
            assert summary == Markup(description).unescape(), event.slug
            # The summary comes before the text, right under the headline (and any claim review).
            assert article.index('<div class="lede">') < article.index('<div class="event-text">')
        else:
            assert not lede, f"{event.slug}: a lede without a summary"
        previous = re.search(r'<a href="\.\./\.\./events/([^/]+)/" rel="prev">', html)
        following = re.search(r'<a href="\.\./\.\./events/([^/]+)/" rel="next">', html)
        assert (previous.group(1) if previous else None) == (events[i - 1].slug if i else None), event.slug
        assert (following.group(1) if following else None) == (
            events[i + 1].slug if i + 1 < len(events) else None), event.slug


def test_citations_read_one_two_three_and_cards_list_only_what_they_cite(built):
    site, timeline = built
    pages = sorted(site.rglob("*.html"))
    cards = event_pages = 0
    for page in pages:
        on_event_page = page.parent.parent.name == "events"
        for article in articles(page):
            firsts = list(dict.fromkeys(article["markers"]))
            assert firsts == list(range(1, len(firsts) + 1)), (page, article["id"], article["markers"])
            if on_event_page:
                assert article["listed"][: len(firsts)] == firsts, (page, article)
                event_pages += 1
            else:
                assert article["listed"] == firsts, (page, article["id"])
                cards += 1
    assert event_pages == len(timeline.events)
    assert cards >= len(timeline.events)  # every event has a card on the timeline or its year page
