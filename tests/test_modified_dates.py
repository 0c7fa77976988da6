"""When the record of an event changes (a claim review, a correction, `updated:`), every place that
publishes its modified date says so: the Atom feed, the JSON Feed, the sitemap, the page's JSON-LD
and the calendar; and the page itself says "Last updated". Read back with real parsers."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import extruct
import feedparser
import icalendar
import pytest
from conftest import minimal_files

EVENT = "content/events/2024-12-12-something-happened.md"
PAGE = "events/something-happened/index.html"
URL = "https://example.org/test/events/something-happened/"  # conftest's base_url
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def review(date: str) -> str:
    return ("claim_review:\n  claim: Nothing happened.\n  claimant: A Critic\n  rating: 'false'\n"
            f"  date: '{date}'\n  verdict: Something did happen.[^example-statement]\n")


def correction(date: str) -> str:
    return f"corrections:\n  - date: '{date}'\n    text: The first version gave the wrong place.\n"


@dataclass
class Modified:
    """The event's modified date as each format gives it."""

    atom: datetime.date
    json_feed: str
    sitemap: str | None
    json_ld: str
    dtstamp: datetime.datetime
    last_modified: datetime.datetime
    page: str  # the event page's HTML


def build(make_project, run, front: str = "") -> Modified:
    event = minimal_files()[EVENT].replace("---\nSomething", front + "---\nSomething")
    project = make_project({**minimal_files(), EVENT: event})
    result = run(project)
    assert result.code == 0, result.err
    site = project / "_site"

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    (entry,) = [e for e in feed.entries if e.id == URL]
    (item,) = [i for i in json.loads((site / "feed.json").read_text())["items"] if i["id"] == URL]
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
            for u in ET.parse(site / "sitemap.xml").getroot().iter(f"{SITEMAP}url")}
    page = (site / PAGE).read_text()
    (article,) = [d for d in extruct.extract(page, base_url=URL, syntaxes=["json-ld"])["json-ld"]
                  if d["@type"] == "Article"]
    (vevent,) = icalendar.Calendar.from_ical((site / "timeline.ics").read_bytes()).walk("VEVENT")
    return Modified(
        atom=datetime.date(*entry.updated_parsed[:3]),
        json_feed=item["date_modified"],
        sitemap=urls[URL],
        json_ld=article["dateModified"],
        dtstamp=vevent["DTSTAMP"].dt,
        last_modified=vevent["LAST-MODIFIED"].dt,
        page=page,
    )


def midnight(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)


def assert_modified_everywhere(found: Modified, day: str) -> None:
    assert found.atom == datetime.date.fromisoformat(day)
    assert found.json_feed == f"{day}T00:00:00Z"
    assert found.sitemap == day
    assert found.json_ld == day
    assert found.dtstamp == found.last_modified == midnight(day)


def test_an_event_with_no_later_change_keeps_its_own_date(make_project, run):
    found = build(make_project, run)
    assert_modified_everywhere(found, "2024-12-12")
    assert "Last updated" not in found.page


@pytest.mark.parametrize("front, day, shown", [
    (review("2025-03-04"), "2025-03-04", "4 March 2025"),
    ("updated: '2025-02-01'\n", "2025-02-01", "1 February 2025"),
    (correction("2025-01-05"), "2025-01-05", "5 January 2025"),
    # The latest of them all, whatever the order they are written in.
    (review("2025-03-04") + "updated: '2025-02-01'\n" + correction("2025-01-05"), "2025-03-04", "4 March 2025"),
    ("updated: '2025-04-30'\n" + review("2025-03-04") + correction("2025-01-05"), "2025-04-30", "30 April 2025"),
], ids=["claim-review", "updated", "correction", "review-latest", "updated-latest"])
def test_a_later_change_moves_the_modified_date_everywhere(make_project, run, front, day, shown):
    found = build(make_project, run, front)
    assert_modified_everywhere(found, day)
    assert f'<p class="event-updated" data-pagefind-ignore>Last updated <time datetime="{day}">{shown}</time></p>' in found.page


def test_a_change_on_the_event_day_is_no_update(make_project, run):
    found = build(make_project, run, review("2024-12-12") + "updated: '2024-12-12'\n")
    assert_modified_everywhere(found, "2024-12-12")
    assert "Last updated" not in found.page


def test_a_review_dated_to_the_month_gives_its_first_day_but_no_sitemap_day(make_project, run):
    found = build(make_project, run, review("2025-03"))
    assert found.atom == datetime.date(2025, 3, 1) and found.json_feed == "2025-03-01T00:00:00Z"
    assert found.dtstamp == found.last_modified == midnight("2025-03-01")
    assert found.json_ld == "2025-03"  # honest precision, as schema.org's ISO 8601 dates allow
    assert found.sitemap is None  # a month is no lastmod; the event's own, older day would be wrong
    assert '<p class="event-updated" data-pagefind-ignore>Last updated <time datetime="2025-03">March 2025</time></p>' in found.page
