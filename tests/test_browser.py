"""The real site in a real browser (Debian's Chromium through Playwright), served over real HTTP.

The site is served at the path of its base_url (for example /clemency-timeline/), as it is when
deployed, so that the 404 page's absolute links can be followed too. One browser serves the module.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from conftest import PROJECT
from playwright.sync_api import expect

from timeline.load import load_content
from timeline.validate import validate

EXTERNAL = ("http://", "https://", "mailto:", "#")


# ---- Reading the built HTML without a browser ----

class _Links(HTMLParser):
    """Collects the href of every <a> and <link>, the ids, and the canonical address of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag in ("a", "link") and attributes.get("href") is not None:
            self.hrefs.append(attributes["href"])
        if tag == "form" and (attributes.get("method") or "get").lower() == "get" and attributes.get("action"):
            self.hrefs.append(attributes["action"])  # the header's search form leads to search/
        if tag == "link" and "canonical" in (attributes.get("rel") or "").split():
            self.canonical = attributes.get("href")


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def _is_internal(href: str) -> bool:
    return not href.strip().lower().startswith(EXTERNAL)


# ---- Fixtures: the server, the browser, pages ----

@pytest.fixture(scope="module")
def published_events():
    """The events the timeline should show, as the project's own loader reads them from content/."""
    timeline, problems = validate(load_content(PROJECT / "content"))
    assert timeline is not None, problems
    return timeline.events


@pytest.fixture(scope="module")
def event_path(real_site):
    """The event page with the most citation markers (so that some source is cited more than once)."""
    pages = sorted((real_site / "events").glob("*/index.html"))
    assert pages, "the site has no event pages"
    best = max(pages, key=lambda p: p.read_text(encoding="utf-8").count('<sup class="cite">'))
    return best.relative_to(real_site).parent.as_posix() + "/"


# ---- The timeline without JavaScript ----

def test_timeline_without_javascript_shows_every_event_in_order_with_sources(new_page, base_url, published_events):
    page = new_page(java_script_enabled=False)
    response = page.goto(base_url)
    assert response is not None and response.status == 200
    assert page.evaluate("() => 1 + 1") == 2  # Playwright's own evaluation still works; the page's scripts don't

    events = page.locator("section.year ol.timeline article.event")
    ids = events.evaluate_all("els => els.map(e => e.id)")
    assert sorted(ids) == sorted(e.slug for e in published_events), "the timeline does not show every event"
    assert len(ids) == len(set(ids))
    for i in range(events.count()):
        expect(events.nth(i)).to_be_visible()

    # The first <time> of an event is its date (a second one, if any, is its end date).
    dates = events.evaluate_all(
        "els => els.map(e => e.querySelector('.event-header time[datetime]')?.getAttribute('datetime'))")
    assert all(dates), f"an event has no <time datetime>: {dict(zip(ids, dates))}"
    assert dates == sorted(dates), f"events are not in date order: {list(zip(dates, ids))}"

    # Each event sits under the heading of its own year.
    placed = page.locator("section.year").evaluate_all("""sections => sections.flatMap(s => {
        const year = s.querySelector('.year-heading').textContent.trim();
        return [...s.querySelectorAll('article.event')]
            .map(e => [year, e.querySelector('.event-header time[datetime]').getAttribute('datetime')]);
    })""")
    assert len(placed) == len(ids)
    misplaced = [(year, date) for year, date in placed if not date.startswith(year)]
    assert not misplaced, f"events under the wrong year heading: {misplaced}"

    sources = events.evaluate_all("""els => els.map(e => [e.id,
        [...e.querySelectorAll('details.card-sources ol.source-list > li a.source-title')].map(a => a.getAttribute('href'))])""")
    unsourced = [slug for slug, hrefs in sources
                 if not any(h and h.startswith(("http://", "https://")) for h in hrefs)]
    assert not unsourced, f"events with no http(s) source link: {unsourced}"

    markers = page.locator("sup.cite a").evaluate_all(
        "els => els.map(a => [a.getAttribute('href'), !!document.getElementById((a.getAttribute('href') || '').slice(1))])")
    assert markers, "the timeline has no citation markers"
    dangling = [href for href, exists in markers if not (href.startswith("#") and exists)]
    assert not dangling, f"citation markers pointing at no element on the page: {dangling}"

    assert page.locator("h1").count() == 1
    year_headings = page.locator("section.year").evaluate_all(
        "sections => sections.map(s => s.querySelector('h1, h2, h3, h4, h5, h6')?.tagName)")
    assert year_headings and all(tag == "H2" for tag in year_headings), year_headings
    assert page.locator("section.year > h2.year-heading").count() == len(year_headings)


# ---- Citations and back-links ----

def test_citation_markers_jump_to_their_source_and_back(new_page, base_url, event_path):
    page = new_page(viewport={"width": 800, "height": 400})  # short, so that every jump has to scroll
    page.goto(base_url + event_path)
    markers = page.locator("article.event-page sup.cite a")
    count = markers.count()
    assert count > 0, f"{event_path} has no citation markers"

    for i in range(count):
        marker = markers.nth(i)
        marker_id = marker.get_attribute("id")
        target_id = (marker.get_attribute("href") or "").removeprefix("#")
        assert marker_id and target_id, "a citation marker needs an id and a #fragment href"
        assert re.fullmatch(r".+-src-\d+", target_id), target_id

        marker.click()
        expect(page).to_have_url(re.compile(re.escape("#" + target_id) + "$"))
        assert urlsplit(page.url).fragment == target_id
        target = page.locator(f"[id='{target_id}']")
        expect(target).to_be_in_viewport()
        assert target.evaluate("el => el.matches('ol.source-list > li') && el.matches(':target')")

        backlink = target.locator(f"a.backlink[href='#{marker_id}']")
        expect(backlink).to_have_count(1)
        backlink.click()
        assert urlsplit(page.url).fragment == marker_id
        expect(marker).to_be_in_viewport()
        assert marker.evaluate("el => el.matches(':target')")


# ---- Links between pages ----

def _fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body) for a GET of url; 4xx and 5xx are answers, not errors."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), ""


def test_every_internal_link_resolves(base_url, real_site):
    """Crawl from the timeline (and the 404 page, which nothing links to) over HTTP."""
    start = [base_url, base_url + "404.html"]
    queue = deque((url, "(start)") for url in start)
    seen = set(start)
    pages: dict[str, _Links] = {}
    wanted_ids: list[tuple[str, str, str]] = []  # (page, fragment, where the link is)
    failures = []

    while queue:
        url, linked_from = queue.popleft()
        status, content_type, body = _fetch(url)
        if status != 200:
            failures.append(f"{url} → HTTP {status} (linked from {linked_from})")
            continue
        if content_type != "text/html" or not url.startswith(base_url):
            continue
        pages[url] = parsed = _parse(body)
        for href in parsed.hrefs:
            if not _is_internal(href):
                continue
            target, fragment = urldefrag(urljoin(url, href))
            if fragment:
                wanted_ids.append((target, fragment, f"{href!r} on {url}"))
            if target not in seen:
                seen.add(target)
                queue.append((target, f"{href!r} on {url}"))

    for target, fragment, where in wanted_ids:
        if target in pages and fragment not in pages[target].ids:
            failures.append(f"{where}: no id {fragment!r} on {target}")
    assert not failures, "broken internal links:\n" + "\n".join(failures)

    # Every page that was built can be reached by following links from the timeline.
    built = {base_url + p.relative_to(real_site).as_posix().removesuffix("index.html")
             for p in real_site.rglob("*.html")}
    unreachable = sorted(built - set(pages))
    assert not unreachable, f"pages no link leads to: {unreachable}"


# ---- The 404 page ----

def test_404_page_links_back_to_the_timeline(new_page, base_url):
    status, _, _ = _fetch(base_url + "no-such-page/")
    assert status == 404, "the test server should answer 404 for a missing path"

    page = new_page()
    response = page.goto(base_url + "404.html")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text("not found", ignore_case=True)
    home = page.locator("main a").filter(has_text=re.compile("timeline", re.IGNORECASE))
    expect(home).to_have_count(1)
    assert home.evaluate("a => a.href") == base_url

    # A host serves the 404 page at whatever address was missing: its links must work from any depth.
    body = response.body()
    deep = base_url + "events/no-such-event/"
    page.route(deep, lambda route: route.fulfill(status=404, body=body, content_type="text/html; charset=utf-8"))
    response = page.goto(deep)
    assert response is not None and response.status == 404
    assert page.locator("link[rel='stylesheet']").evaluate("l => l.href") == base_url + "static/style.css"
    page.locator("main a").filter(has_text=re.compile("timeline", re.IGNORECASE)).click()
    expect(page).to_have_url(base_url)
    expect(page.locator("ol.timeline article.event").first).to_be_visible()


# ---- Loading cleanly ----

@pytest.mark.parametrize("which", ["timeline", "event page"])
def test_pages_load_without_console_errors_or_failed_requests(new_page, base_url, event_path, which):
    url = base_url if which == "timeline" else base_url + event_path
    page = new_page()
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requested.append(r.url))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")

    # Chromium may ask for the favicon late or not at all, so fetch every linked asset of the page directly.
    assets = page.locator("head link[rel~='stylesheet'], head link[rel~='icon']").evaluate_all(
        "links => links.map(l => l.href)")
    assert base_url + "static/style.css" in assets and base_url + "static/favicon.svg" in assets, assets
    for asset in assets:
        answer = page.request.get(asset)
        if answer.status != 200:
            problems.append(f"HTTP {answer.status}: {asset}")
    assert base_url + "static/style.css" in requested, "the browser never asked for the stylesheet"
    assert page.evaluate("() => [...document.styleSheets].some(s => s.href && s.href.endsWith('/static/style.css'))")
    assert not problems, "\n".join(problems)


# ---- Small screens ----

@pytest.mark.parametrize("which", ["timeline", "event page"])
def test_no_horizontal_scrolling_at_320px(new_page, base_url, event_path, which):
    url = base_url if which == "timeline" else base_url + event_path
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(url, wait_until="load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > 320:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 320.5)
            .slice(0, 10)
            .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).replace(/ /g, '.') : ''}`
                      + ` (right edge ${Math.round(e.getBoundingClientRect().right)}px)`)""")
        pytest.fail(f"{which} is {width}px wide at a 320px viewport; too wide: {wide}")
    assert width <= 320
