"""What readers see, on a fixture site (tests/reader_site.py) served over HTTP to Chromium:
the topic filter and the order switch (with the year links and the chart following them), cards
that list only the sources they cite, citations numbered by first use, previous/next events,
topic labels, and the site without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import serving, write_files
from html_checks import articles
from playwright.sync_api import expect
from reader_site import EVENTS, reader_files

from timeline.cli import main


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("reader")
    write_files(project, reader_files())
    assert main(["--content", str(project / "content"), "--out", str(project / "_site")]) == 0
    return project / "_site"


@pytest.fixture(scope="module")
def reader_url(reader_site, tmp_path_factory):
    with serving(reader_site, tmp_path_factory) as url:
        yield url


def slug(name: str) -> str:
    return name.split("-", 3)[3]


ALL = [slug(name) for name in sorted(EVENTS)]
TAGGED = {tag: [slug(n) for n in sorted(EVENTS) if tag in EVENTS[n][2]] for tag in ("alpha", "beta")}


def visible_event_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#timeline article.event", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def visible_year_links(page) -> list[str]:
    return page.eval_on_selector_all("#year-links a", "els => els.filter(e => e.offsetParent !== null)"
                                                      ".map(e => e.textContent.trim())")


def visible_chart_marks(page) -> int:
    return page.eval_on_selector_all(".overview-chart a[data-tags]",
                                     "els => els.filter(e => getComputedStyle(e).display !== 'none').length")


def test_the_topic_filter_moves_the_list_the_year_links_and_the_chart(reader_url, new_page):
    page = new_page()
    page.goto(reader_url)
    assert visible_event_ids(page) == ALL
    assert visible_year_links(page) == ["2022", "2023", "2024"]
    marks = visible_chart_marks(page)
    assert marks == len(ALL)

    page.select_option("#tag-filter", "beta")
    assert page.url.endswith("?tag=beta")
    assert visible_event_ids(page) == TAGGED["beta"]
    expect(page.locator("#filter-status")).to_have_text(
        f"Showing {len(TAGGED['beta'])} of {len(ALL)} events on the topic “Beta topic”, oldest first.")
    years_with_beta = sorted({n[:4] for n in EVENTS if "beta" in EVENTS[n][2]})
    assert visible_year_links(page) == years_with_beta
    assert visible_chart_marks(page) == len(TAGGED["beta"])

    page.reload()
    assert visible_event_ids(page) == TAGGED["beta"]
    page.go_back()
    assert visible_event_ids(page) == ALL
    assert visible_chart_marks(page) == len(ALL)


def test_the_order_switch_reverses_the_events_and_the_year_links(reader_url, new_page):
    page = new_page()
    page.goto(reader_url)
    toggle = page.locator("#order-toggle")
    label = toggle.inner_text()
    page.click("#order-toggle")
    assert visible_event_ids(page) == ALL[::-1]
    assert visible_year_links(page) == ["2024", "2023", "2022"]
    assert "order=newest" in page.url
    # One toggle pattern: the state is aria-pressed, and the name does not change with it.
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert toggle.inner_text().endswith(label)
    page.select_option("#tag-filter", "alpha")
    assert visible_event_ids(page) == TAGGED["alpha"][::-1]
    page.reload()
    assert visible_event_ids(page) == TAGGED["alpha"][::-1]
    page.click("#order-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert visible_event_ids(page) == TAGGED["alpha"]


def test_an_unknown_topic_in_the_address_shows_everything(reader_url, new_page):
    page = new_page()
    page.goto(reader_url + "?tag=%3Cscript%3E")
    assert visible_event_ids(page) == ALL
    expect(page.locator("#tag-filter")).to_have_value("")


def test_without_javascript_every_event_is_there_and_sources_open_without_script(reader_url, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(reader_url + "?tag=alpha&order=newest")
    assert page.locator("#timeline-controls").is_hidden()
    assert visible_event_ids(page) == ALL  # the address is ignored: every event, oldest first
    first = page.locator("#timeline article.event").first
    sources = first.locator("details.card-sources")
    assert not sources.locator("a.source-title").first.is_visible()
    sources.locator("summary").click()  # <details>: no script needed
    assert sources.locator("a.source-title").first.is_visible()


def test_the_header_search_form_leads_to_the_search_page_at_both_sizes(reader_url, new_page):
    for width, height in ((390, 844), (1280, 800)):
        page = new_page(viewport={"width": width, "height": height})
        page.goto(reader_url + "events/" + ALL[0] + "/")
        field = page.get_by_role("searchbox", name="Search")
        expect(field).to_be_visible()
        field.fill("thing")
        field.press("Enter")
        page.wait_for_url(re.compile(r"/search/\?q=thing$"))


def test_previous_and_next_events_and_the_way_back_to_the_card(reader_url, new_page):
    page = new_page()
    page.goto(reader_url + f"events/{ALL[1]}/")
    expect(page.locator("a[rel=prev]")).to_contain_text(EVENTS[min(EVENTS)][0])
    page.click("a[rel=next]")
    assert page.url.endswith(f"events/{ALL[2]}/")
    page.click("text=Back to this event in the timeline")
    assert page.url.endswith(f"#{ALL[2]}")
    expect(page.locator(f"#{ALL[2]}")).to_be_in_viewport()
    page.goto(reader_url + f"events/{ALL[0]}/")
    assert page.locator("a[rel=prev]").count() == 0 and page.locator("a[rel=next]").count() == 1


def test_citations_are_numbered_by_first_use_and_cards_list_only_what_they_cite(reader_site):
    pages = [reader_site / "index.html", *sorted(reader_site.glob("events/*/index.html")),
             *sorted(reader_site.glob("tags/*/index.html"))]
    seen = 0
    for page in pages:
        for article in articles(page):
            firsts = list(dict.fromkeys(article["markers"]))
            assert firsts == list(range(1, len(firsts) + 1)), (page, article)
            if "events" in page.parts:  # the event page lists every source, the cited first
                assert article["listed"][: len(firsts)] == firsts
            else:  # a card lists exactly what it cites
                assert article["listed"] == firsts, (page, article)
            seen += 1
    assert seen >= 2 * len(EVENTS)
    # The fixture's texts cite their sources out of list order: the renumbering was needed.
    page = reader_site / "events" / "fourth-thing" / "index.html"
    html = page.read_text(encoding="utf-8").split('<section class="sources"')[1]
    third = html.index("The third source")
    assert third < html.index("The second source") < html.index("The first source")


def test_a_marker_never_breaks_from_the_word_before_it(reader_site):
    html = (reader_site / "events" / "first-thing" / "index.html").read_text(encoding="utf-8")
    markers = html.count('<sup class="cite">')
    assert markers and html.count('\u2060<sup class="cite">') == markers


def test_topics_show_their_labels_and_descriptions(reader_site):
    card = (reader_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="./tags/beta/">Beta topic</a>' in card
    assert '>Alpha topic (' in card  # the filter's option
    tag_page = (reader_site / "tags" / "beta" / "index.html").read_text(encoding="utf-8")
    assert "<title>Topic: Beta topic" in tag_page and "What the beta page collects." in tag_page


def test_a_claim_review_card_says_whose_claim_and_what_it_was(reader_site):
    card = next(a for a in (reader_site / "index.html").read_text(encoding="utf-8").split("<article")
                if 'id="fourth-thing"' in a)
    text = re.sub(r"<[^>]+>", "", card)
    assert "A spokesperson’s claim: Everything went to plan." in text and "rated Mostly false" in text


def test_the_timeline_page_is_light_and_blocks_rendering_on_no_script(reader_site):
    index = (reader_site / "index.html").read_text(encoding="utf-8")
    head = index.split("</head>")[0]
    assert '<script src="./static/timeline.js" defer></script>' in head
    assert head.count("<script") == 1  # the only script is deferred
    weight = len(index.encode()) + sum((reader_site / "static" / name).stat().st_size
                                       for name in ("style.css", "timeline.js"))
    assert weight <= 80 * 1024, f"{weight} bytes"


MARKER_LINES = """() => Array.from(document.querySelectorAll('sup.cite')).map(sup => {
  // The last visible character before the marker: it must sit on the marker's line.
  let node = sup.previousSibling;
  while (node && !(node.nodeType === 3 && node.textContent.replace(/\\u2060/g, '').trim())) {
    node = node.previousSibling;
  }
  if (!node) return null;
  const text = node.textContent.replace(/[\\u2060\\s]+$/, '');
  const range = document.createRange();
  range.setStart(node, text.length - 1);
  range.setEnd(node, text.length);
  const before = range.getBoundingClientRect();
  const marker = sup.getBoundingClientRect();
  return Math.abs(before.bottom - marker.bottom) < before.height ? null : sup.textContent + ' after ' + text.slice(-20);
}).filter(Boolean)"""


def test_no_marker_wraps_away_from_its_word_at_any_width(base_url, real_site, new_page):
    pages = sorted(p.parent.name for p in real_site.glob("events/*/index.html"))
    assert pages
    for width in (320, 390, 768, 1280):
        page = new_page(viewport={"width": width, "height": 900})
        for slug in pages:
            page.goto(f"{base_url}events/{slug}/")
            assert page.evaluate(MARKER_LINES) == [], (width, slug)
