"""The exports (feeds, calendar, TimelineJS, CSV, sitemap, robots.txt), read back by real parsers.

render_exports is called directly, on the project's own content and on small timelines: each file
must parse with the reader its users have, say what the content says, and never let text out of
its escaping.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import icalendar
import pytest
from conftest import PROJECT, minimal_files
from jsonschema import Draft202012Validator

from timeline.exports import render_exports
from timeline.load import load_content
from timeline.markup import MarkdownRenderer
from timeline.render import page_url as _page_url
from timeline.render import render_site
from timeline.validate import validate

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/test/"  # base_url of conftest's SITE_YAML
EXPORTS = {"feed.xml", "feed.json", "timeline.ics", "timeline.json", "timeline.csv", "sitemap.xml", "robots.txt"}
HOSTILE = "</title><script>alert(1)</script> & <b>co</b> ]]> \"q\" 'a'"

# The JSON Feed 1.1 shape this project promises (https://jsonfeed.org/version/1.1).
JSON_FEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "home_page_url", "feed_url", "language", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "pattern": "^https?://"},
        "feed_url": {"type": "string", "pattern": "^https?://.*feed\\.json$"},
        "description": {"type": "string"},
        "language": {"type": "string", "minLength": 2},
        "authors": {"type": "array", "items": {"type": "object", "minProperties": 1}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "url", "title", "content_html", "summary", "date_published", "date_modified",
                             "tags"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "title": {"type": "string", "minLength": 1},
                    "content_html": {"type": "string", "minLength": 1},
                    "summary": {"type": "string"},
                    "date_published": {"$ref": "#/$defs/rfc3339"},
                    "date_modified": {"$ref": "#/$defs/rfc3339"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "additionalProperties": False,
            },
        },
    },
    "$defs": {"rfc3339": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00Z$"}},
}

# Knight Lab TimelineJS 3's JSON format (timeline.knightlab.com/docs/json-format.html): `events`
# is required, each slide needs start_date with a year, and we always give a headline.
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "events"],
    "properties": {
        "title": {"type": "object", "required": ["text"], "properties": {"text": {"$ref": "#/$defs/text"}},
                  "additionalProperties": False},
        "events": {"type": "array", "items": {"$ref": "#/$defs/slide"}},
    },
    "additionalProperties": False,
    "$defs": {
        "date": {
            "type": "object",
            "required": ["year"],
            "properties": {
                "year": {"type": "string", "pattern": "^[0-9]{1,4}$"},
                "month": {"type": "string", "pattern": "^([1-9]|1[0-2])$"},
                "day": {"type": "string", "pattern": "^([1-9]|[12][0-9]|3[01])$"},
            },
            "dependentRequired": {"day": ["month"]},
            "additionalProperties": False,
        },
        "text": {
            "type": "object",
            "required": ["headline", "text"],
            "properties": {"headline": {"type": "string", "minLength": 1}, "text": {"type": "string"}},
            "additionalProperties": False,
        },
        "slide": {
            "type": "object",
            "required": ["start_date", "text", "unique_id"],
            "properties": {
                "start_date": {"$ref": "#/$defs/date"},
                "end_date": {"$ref": "#/$defs/date"},
                "text": {"$ref": "#/$defs/text"},
                "group": {"type": "string", "minLength": 1},
                "unique_id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "autolink": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
    },
}


def event_md(date: str, title: str, body: str = "It happened.[^example-statement]", extra: str = "") -> str:
    return f"---\ntitle: {json.dumps(title)}\ndate: '{date}'\nsources: [example-statement]\n{extra}---\n{body}\n"


def correction(date: str, text: str) -> str:
    return f"  - date: '{date}'\n    text: {json.dumps(text)}\n"


def html_pages(timeline) -> list[str]:
    """The site's HTML output paths, as render_site gives them."""
    return [path for path in render_site(timeline, PROJECT / "templates") if path.endswith(".html")]


def export(timeline, pages=None) -> dict[str, bytes]:
    return render_exports(timeline, MarkdownRenderer(), html_pages(timeline) if pages is None else pages)


@pytest.fixture(scope="module")
def real():
    """The project's own content, and its exports."""
    timeline, problems = validate(load_content(PROJECT / "content"))
    assert timeline is not None, problems
    assert len(timeline.events) >= 10
    pages = html_pages(timeline)
    return timeline, pages, render_exports(timeline, MarkdownRenderer(), pages)


@pytest.fixture
def small(make_project):
    """small({path: text}) → the timeline of minimal_files() with those files added or replaced."""

    def make(files: dict[str, str]):
        project = make_project({**minimal_files(), **files})
        timeline, problems = validate(load_content(project / "content"))
        assert timeline is not None, problems
        return timeline

    return make


def atom_date(day: str) -> tuple:
    return tuple(datetime.date.fromisoformat(day).timetuple())[:6]


def entry_by_title(feed, title: str):
    found = [e for e in feed.entries if e.title == title]
    assert len(found) == 1, [e.title for e in feed.entries]
    return found[0]


def hrefs(fragment: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


# ---------------------------------------------------------------------------------------------
# The whole set


def test_the_exports_are_the_seven_files(real):
    _, _, files = real
    assert set(files) == EXPORTS
    assert all(isinstance(data, bytes) and data for data in files.values())


def test_two_calls_give_identical_bytes(real):
    timeline, pages, files = real
    again = render_exports(timeline, MarkdownRenderer(), list(reversed(pages)))
    assert again == files
    assert list(again) == list(files)


def test_canonical_urls_are_the_ones_render_uses(real):
    timeline, pages, files = real
    locs = {e.text for e in ET.fromstring(files["sitemap.xml"]).iter(f"{SITEMAP}loc")}
    assert locs == {_page_url(timeline.site.base_url, p) for p in pages if p != "404.html"}


# ---------------------------------------------------------------------------------------------
# feed.xml


def test_atom_feed_has_one_entry_per_event_newest_first(real):
    timeline, _, files = real
    feed = feedparser.parse(files["feed.xml"])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(timeline.events) + sum(len(e.corrections) for e in timeline.events)
    base = timeline.site.base_url
    assert feed.feed.title == timeline.site.title
    assert feed.feed.subtitle == timeline.site.description
    assert feed.feed.author == timeline.site.title
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": base + "feed.xml", "alternate": base}
    for event in timeline.events:
        entry = entry_by_title(feed, event.title)
        assert entry.link == f"{base}events/{event.slug}/"
        assert entry.id == entry.link
        day = datetime.date(event.date.year, event.date.month or 1, event.date.day or 1)
        assert entry.published_parsed[:6] == atom_date(day.isoformat())
        assert entry.summary and "[^" not in entry.summary
        assert [t.term for t in entry.tags] == list(event.tags)
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)
    assert feed.feed.updated_parsed == max(e.updated_parsed for e in feed.entries)


def test_atom_content_links_are_absolute_and_end_with_the_sources(real):
    timeline, _, files = real
    feed = feedparser.parse(files["feed.xml"])
    event = next(e for e in timeline.events if len(e.citations) >= 2)
    entry = entry_by_title(feed, event.title)
    content = entry.content[0]
    assert content.type == "text/html"
    page = f"{timeline.site.base_url}events/{event.slug}/"
    links = hrefs(content.value)
    assert any(link.startswith(f"{page}#{event.slug}-src-") for link in links), links
    assert all(link.startswith("https://") for link in links), links
    sources = content.value.split("<h2>Sources</h2>")[1]
    for citation in event.citations:
        expected = citation.source.archive_url if citation.source.is_dead else citation.source.url
        assert expected in hrefs(sources)
    assert sources.count("<li>") == len(event.citations)


def test_citation_links_land_on_anchors_of_the_event_pages(real):
    timeline, _, files = real
    site = render_site(timeline, PROJECT / "templates")
    items = json.loads(files["feed.json"])["items"]
    checked = 0
    for item in items:
        for link in hrefs(item["content_html"]):
            page, _, fragment = link.partition("#")
            if page.startswith(timeline.site.base_url) and fragment:
                path = page[len(timeline.site.base_url):] + "index.html"
                assert f'id="{fragment}"' in site[path].decode(), link
                checked += 1
    assert checked >= len(timeline.events)


def test_atom_dates_come_from_the_content_and_corrections_get_entries(small):
    timeline = small({
        "content/events/2024-06-month.md": event_md("2024-06", "Month only", extra=(
            "corrections:\n" + correction("2024-07-02", "The amount was wrong.")
            + correction("2024-07-02", "The name was misspelt.") + correction("2024-06-20", "A typo."))),
        "content/events/2023-year.md": event_md("2023", "Year only"),
    })
    feed = feedparser.parse(export(timeline)["feed.xml"])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == 3 + 3
    month = entry_by_title(feed, "Month only")
    assert month.published_parsed[:6] == atom_date("2024-06-01")
    assert month.updated_parsed[:6] == atom_date("2024-07-02")
    assert "The amount was wrong." in month.content[0].value
    year = entry_by_title(feed, "Year only")
    assert year.published_parsed[:6] == year.updated_parsed[:6] == atom_date("2023-01-01")
    corrections = [e for e in feed.entries if e.title == "Correction: Month only"]
    assert len(corrections) == 3
    assert len({e.id for e in corrections} | {e.id for e in feed.entries}) == len(feed.entries)
    assert all(e.link == BASE + "events/month/" for e in corrections)
    assert sorted(e.updated_parsed[:6] for e in corrections) == [
        atom_date("2024-06-20"), atom_date("2024-07-02"), atom_date("2024-07-02")]
    assert {e.summary for e in corrections} == {"The amount was wrong.", "The name was misspelt.", "A typo."}
    assert feed.feed.updated_parsed[:6] == atom_date("2024-12-12")  # the newest entry: the minimal event


def test_relative_links_of_editors_are_resolved_against_the_event_page(small):
    timeline = small({
        "content/events/2024-12-12-something-happened.md": event_md(
            "2024-12-12", "Something happened",
            body="See [the other one](../other-event/) and [this](#here).[^example-statement]"),
    })
    files = export(timeline)
    content = feedparser.parse(files["feed.xml"]).entries[0].content[0].value
    links = hrefs(content)
    assert BASE + "events/other-event/" in links
    assert BASE + "events/something-happened/#here" in links
    slide = json.loads(files["timeline.json"])["events"][0]
    assert BASE + "events/other-event/" in hrefs(slide["text"]["text"])
    assert BASE + "events/something-happened/" in hrefs(slide["text"]["text"])


def test_a_base_url_without_a_final_slash_still_gives_page_urls(small):
    timeline = small({"content/site.yaml": minimal_files()["content/site.yaml"].replace("/test/", "/test")})
    files = export(timeline)
    assert feedparser.parse(files["feed.xml"]).entries[0].link == BASE + "events/something-happened/"
    assert f"Sitemap: {BASE}sitemap.xml" in files["robots.txt"].decode()


def test_an_empty_timeline_gives_valid_files_without_a_clock(small, make_project):
    # Validation refuses a site with no events; a Timeline built another way may still have none.
    project = make_project(minimal_files())
    timeline, _ = validate(load_content(project / "content"))
    timeline = dataclasses.replace(timeline, events=(), sources=())
    assert not timeline.events
    files = export(timeline)
    feed = feedparser.parse(files["feed.xml"])
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated_parsed[:6] == atom_date("1970-01-01")
    assert not icalendar.Calendar.from_ical(files["timeline.ics"]).walk("VEVENT")
    assert json.loads(files["timeline.json"])["events"] == []


# ---------------------------------------------------------------------------------------------
# feed.json


def test_json_feed_matches_the_schema_and_the_atom_feed(real):
    # feedparser 6.0 (the released version) reads no JSON Feed: a JSON Schema of 1.1 checks it here.
    timeline, _, files = real
    feed = json.loads(files["feed.json"])
    Draft202012Validator.check_schema(JSON_FEED_SCHEMA)
    Draft202012Validator(JSON_FEED_SCHEMA).validate(feed)
    base = timeline.site.base_url
    assert (feed["home_page_url"], feed["feed_url"], feed["language"]) == (base, base + "feed.json", "en")
    atom = feedparser.parse(files["feed.xml"])
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]
    assert [i["title"] for i in feed["items"]] == [e.title for e in atom.entries]
    assert len(feed["items"]) == len(timeline.events)
    for event in timeline.events:
        item = next(i for i in feed["items"] if i["url"] == f"{base}events/{event.slug}/")
        assert item["tags"] == list(event.tags)
        assert item["date_published"].startswith(
            f"{event.date.year:04d}-{event.date.month or 1:02d}-{event.date.day or 1:02d}")
        page = f"{base}events/{event.slug}/"
        cited = [h for h in hrefs(item["content_html"]) if h.startswith(f"{page}#{event.slug}-src-")]
        assert cited, item["content_html"]


def test_json_feed_has_correction_items(small):
    timeline = small({
        "content/events/2024-12-12-something-happened.md": event_md(
            "2024-12-12", "Something happened", extra="corrections:\n" + correction("2025-01-03", "Fixed.")),
    })
    feed = json.loads(export(timeline)["feed.json"])
    Draft202012Validator(JSON_FEED_SCHEMA).validate(feed)
    assert [i["title"] for i in feed["items"]] == ["Correction: Something happened", "Something happened"]
    assert feed["items"][0]["date_modified"] == "2025-01-03T00:00:00Z"
    assert feed["items"][1]["date_modified"] == "2025-01-03T00:00:00Z"
    assert feed["items"][1]["date_published"] == "2024-12-12T00:00:00Z"


# ---------------------------------------------------------------------------------------------
# timeline.ics


def vevents(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    return {str(e["UID"]): e for e in events}


def test_calendar_has_one_all_day_event_per_event(real):
    timeline, _, files = real
    data = files["timeline.ics"]
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["CALSCALE"]) == "GREGORIAN"
    # An X- property is TEXT (RFC 5545 3.8.8.2): its comma is escaped, which icalendar leaves as is.
    name = timeline.site.title.replace(",", "\\,")
    assert "," in timeline.site.title and f"X-WR-CALNAME:{name}\r\n".encode() in data
    assert calendar["PRODID"]
    found = vevents(data)
    assert len(calendar.walk("VEVENT")) == len(found) == len(timeline.events)
    site_id = re.sub(r"^https?://", "", timeline.site.base_url).rstrip("/")  # host and path: unique per site
    for event in timeline.events:
        vevent = found[f"{event.slug}@{site_id}"]
        start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
        assert type(start) is datetime.date and type(end) is datetime.date
        assert start == datetime.date(event.date.year, event.date.month or 1, event.date.day or 1)
        assert end > start
        assert str(vevent["URL"]) == f"{timeline.site.base_url}events/{event.slug}/"
        assert str(vevent["SUMMARY"]) == event.title
        assert str(vevent["URL"]) in str(vevent["DESCRIPTION"])
        assert isinstance(vevent["DTSTAMP"].dt, datetime.datetime)
        assert vevent["DTSTAMP"].dt.date() <= datetime.date(2100, 1, 1)  # from the content
        assert list(vevent["CATEGORIES"].cats) == list(event.tags)


def test_calendar_lines_are_crlf_and_folded_at_75_octets(real):
    _, _, files = real
    data = files["timeline.ics"]
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
    for line in lines:
        line.decode("utf-8")  # no line ends inside a character


def test_calendar_spans_the_precision_of_the_date(small):
    timeline = small({
        "content/events/2024-06-month.md": event_md("2024-06", "Month only"),
        "content/events/2024-12-december.md": event_md("2024-12", "December"),
        "content/events/2023-year.md": event_md("2023", "Year", extra="end_date: '2024-02'\n"),
        "content/events/2024-03-04-days.md": event_md("2024-03-04", "Days", extra="end_date: '2024-03-08'\n"),
    })
    found = vevents(export(timeline)["timeline.ics"])
    spans = {uid: (e["DTSTART"].dt, e["DTEND"].dt) for uid, e in found.items()}
    d = datetime.date
    assert spans == {
        "month@example.org/test": (d(2024, 6, 1), d(2024, 7, 1)),
        "december@example.org/test": (d(2024, 12, 1), d(2025, 1, 1)),
        "year@example.org/test": (d(2023, 1, 1), d(2024, 3, 1)),
        "days@example.org/test": (d(2024, 3, 4), d(2024, 3, 9)),
        "something-happened@example.org/test": (d(2024, 12, 12), d(2024, 12, 13)),
    }
    assert "known only to the month" in str(found["month@example.org/test"]["DESCRIPTION"])
    assert "known only to the year" in str(found["year@example.org/test"]["DESCRIPTION"])
    assert "known only" not in str(found["days@example.org/test"]["DESCRIPTION"])
    assert found["month@example.org/test"]["DTSTAMP"].dt == datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)


def test_calendar_text_is_escaped_and_long_lines_fold_between_characters(small):
    title = "Commas, semicolons; back\\slashes – " + "é" * 60
    timeline = small({"content/events/2024-12-12-something-happened.md": event_md("2024-12-12", title)})
    data = export(timeline)["timeline.ics"]
    assert b"SUMMARY:Commas\\, semicolons\\; back\\\\slashes" in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    for line in data.split(b"\r\n"):
        line.decode("utf-8")
    assert str(vevents(data)["something-happened@example.org/test"]["SUMMARY"]) == title


# ---------------------------------------------------------------------------------------------
# timeline.json


def test_timelinejs_json_has_the_required_fields(real):
    timeline, _, files = real
    data = json.loads(files["timeline.json"])
    Draft202012Validator.check_schema(TIMELINEJS_SCHEMA)
    Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    assert len(data["events"]) == len(timeline.events)
    for slide in data["events"]:
        assert slide["start_date"]["year"] and slide["text"]["headline"]
    assert [s["unique_id"] for s in data["events"]] == [e.slug for e in timeline.events]
    assert data["title"]["text"]["headline"] == html.escape(timeline.site.title)
    for event, slide in zip(timeline.events, data["events"]):
        assert slide["text"]["headline"] == html.escape(event.title)
        assert slide["group"] == event.tags[0]
        page = f"{timeline.site.base_url}events/{event.slug}/"
        assert page in hrefs(slide["text"]["text"])
        assert all(link.startswith("https://") for link in hrefs(slide["text"]["text"]))
        assert ("end_date" in slide) == (event.end_date is not None)


def test_timelinejs_dates_keep_their_precision(small):
    timeline = small({
        "content/events/2024-06-month.md": event_md("2024-06", "Month only", extra="end_date: '2024-08-03'\n"),
        "content/events/2023-year.md": event_md("2023", "Year only"),
    })
    data = json.loads(export(timeline)["timeline.json"])
    Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    dates = {s["unique_id"]: (s["start_date"], s.get("end_date")) for s in data["events"]}
    assert dates == {
        "year": ({"year": "2023"}, None),
        "month": ({"year": "2024", "month": "6"}, {"year": "2024", "month": "8", "day": "3"}),
        "something-happened": ({"year": "2024", "month": "12", "day": "12"}, None),
    }


# ---------------------------------------------------------------------------------------------
# timeline.csv


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheet programs look for
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_has_a_header_and_one_row_per_event(real):
    timeline, _, files = real
    rows = csv_rows(files["timeline.csv"])
    assert rows[0] == ["date", "end_date", "title", "summary", "url", "tags", "sources"]
    assert len(rows) == len(timeline.events) + 1
    for event, row in zip(timeline.events, rows[1:]):
        record = dict(zip(rows[0], row))
        assert record["date"] == event.date.iso
        assert record["end_date"] == (event.end_date.iso if event.end_date else "")
        assert record["title"] == event.title
        assert record["url"] == f"{timeline.site.base_url}events/{event.slug}/"
        assert record["tags"].split(";") == list(event.tags)
        assert len(record["sources"].split(" ")) == len(event.citations)
        assert "[^" not in record["summary"] and "<" not in record["summary"]


def test_csv_neutralises_formulas(small):
    timeline = small({
        "content/events/2024-12-12-something-happened.md": event_md("2024-12-12", "=cmd|' /C calc'!A0"),
        "content/events/2024-06-plus.md": event_md(
            "2024-06", "+1+1", extra="summary: '-2+3 @SUM(A1)[^example-statement]'\n"),
        "content/events/2024-05-at.md": event_md("2024-05", "@SUM(1,1)"),
        "content/events/2024-04-safe.md": event_md("2024-04", "A safe = title"),
    })
    rows = {row[2]: row for row in csv_rows(export(timeline)["timeline.csv"])[1:]}
    assert set(rows) == {"'=cmd|' /C calc'!A0", "'+1+1", "'@SUM(1,1)", "A safe = title"}
    assert rows["'+1+1"][0] == "2024-06"
    assert rows["'+1+1"][3] == "'-2+3 @SUM(A1)"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows.values() for cell in row)


# ---------------------------------------------------------------------------------------------
# sitemap.xml and robots.txt


def test_sitemap_lists_every_page_but_404(real):
    timeline, pages, files = real
    root = ET.fromstring(files["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    urls = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")}
    base = timeline.site.base_url
    assert "404.html" in pages
    assert len(urls) == len(pages) - 1
    assert base in urls and base + "tags/" in urls and base + "404.html" not in urls
    assert not any(loc.endswith("index.html") for loc in urls)
    for event in timeline.events:
        lastmod = urls[f"{base}events/{event.slug}/"]
        latest = max(event.modified_dates, key=lambda d: d.sort_key())  # date, updated, corrections, review
        if latest.day is None:
            assert lastmod is None
        else:
            assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", lastmod.text)
    assert urls[base] is None


def test_sitemap_lastmod_only_for_a_known_day(small):
    timeline = small({
        "content/events/2024-06-month.md": event_md("2024-06", "Month only"),
        "content/events/2024-05-fixed.md": event_md(
            "2024-05", "Fixed", extra="corrections:\n" + correction("2024-07-09", "Fixed.")),
    })
    root = ET.fromstring(export(timeline)["sitemap.xml"])
    lastmod = {u.find(f"{SITEMAP}loc").text: getattr(u.find(f"{SITEMAP}lastmod"), "text", None)
               for u in root.iter(f"{SITEMAP}url")}
    assert lastmod[BASE + "events/month/"] is None
    assert lastmod[BASE + "events/fixed/"] == "2024-07-09"
    assert lastmod[BASE + "events/something-happened/"] == "2024-12-12"


def test_sitemap_takes_only_html_pages(small):
    files = export(small({}), ["index.html", "404.html", "events/x/index.html", "static/style.css", "a.html"])
    locs = [e.text for e in ET.fromstring(files["sitemap.xml"]).iter(f"{SITEMAP}loc")]
    assert locs == [BASE, BASE + "a.html", BASE + "events/x/"]


def test_robots_txt_points_to_the_sitemap(real):
    timeline, _, files = real
    assert files["robots.txt"].decode().splitlines() == [
        "User-agent: *", "Allow: /", f"Sitemap: {timeline.site.base_url}sitemap.xml"]


# ---------------------------------------------------------------------------------------------
# Hostile text


def test_hostile_text_stays_escaped_in_every_format(small):
    timeline = small({
        "content/events/2024-12-12-something-happened.md": event_md(
            "2024-12-12", HOSTILE,
            body="Text <script>alert(2)</script> & <img src=x onerror=alert(3)>.[^example-statement]",
            extra="corrections:\n" + correction("2024-12-20", "</li><script>alert(4)</script>")),
    })
    files = export(timeline)
    for name in ("feed.xml", "feed.json", "timeline.json", "sitemap.xml"):
        assert b"<script" not in files[name] and b"<img" not in files[name], name

    feed = feedparser.parse(files["feed.xml"])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert {e.title for e in feed.entries} == {HOSTILE, "Correction: " + HOSTILE}
    root = ET.fromstring(files["feed.xml"])
    titles = [t.text for t in root.iter(f"{ATOM}title")]
    assert HOSTILE in titles
    content = next(c.text for c in root.iter(f"{ATOM}content") if "Sources" in c.text)
    assert "<script" not in content and "onerror" not in content  # the sanitiser's work survives
    assert "&lt;/li&gt;&lt;script&gt;" in "".join(c.text for c in root.iter(f"{ATOM}content"))

    items = json.loads(files["feed.json"])["items"]
    assert {i["title"] for i in items} == {HOSTILE, "Correction: " + HOSTILE}
    assert all("<script" not in i["content_html"] for i in items)

    slide = json.loads(files["timeline.json"])["events"][0]
    assert slide["text"]["headline"] == html.escape(HOSTILE)
    assert "<script" not in slide["text"]["text"]

    assert str(vevents(files["timeline.ics"])["something-happened@example.org/test"]["SUMMARY"]) == HOSTILE
    assert csv_rows(files["timeline.csv"])[1][2] == HOSTILE


def test_control_characters_never_reach_a_file(small):
    # load.py refuses them in files; a Timeline built another way must still give valid files.
    timeline = small({})
    dirty = "Bad\x00 \x1b[31mtitle\x0b\x7f\x85 end"
    event = dataclasses.replace(timeline.events[0], title=dirty, tags=("tag",))
    site = dataclasses.replace(timeline.site, title="Site\x01 title", description="Desc\x08ription")
    timeline = dataclasses.replace(timeline, site=site, events=(event,))
    files = export(timeline)
    for name, data in files.items():
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data.replace(b"\r\n", b"")), name
        assert "\x85" not in data.decode("utf-8"), name
    ET.fromstring(files["feed.xml"])
    feed = feedparser.parse(files["feed.xml"])
    assert feed.bozo == 0 and feed.entries[0].title == "Bad [31mtitle end"
    assert feed.feed.title == "Site title"
    assert str(vevents(files["timeline.ics"])["something-happened@example.org/test"]["SUMMARY"]) == "Bad [31mtitle end"
