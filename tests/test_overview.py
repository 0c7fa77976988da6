"""The overview chart (timeline/overview.py): a true time scale, labelled events, targets a thumb can hit.

The SVG is read back as XML and its geometry measured; then it is shown in Chromium, at a phone's and
a desktop's width, to check what a reader gets: focusable links inside the chart, their names as the
browser computes them, readable text, labels that overlap nothing, 24px targets; and the Nu HTML
Checker reads it inside a page.
"""

from __future__ import annotations

import calendar
import datetime
import json
import math
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations

import pytest
from conftest import PROJECT

from timeline.load import load_content
from timeline.model import (
    Citation,
    ClaimReview,
    Correction,
    Event,
    EventDate,
    Location,
    SiteConfig,
    Source,
    Timeline,
)
from timeline.overview import LIST_LIMIT, overview_caption, overview_svg
from timeline.overview_geometry import LABEL_FONT, WIDTH, text_width
from timeline.validate import validate

SVG = "{http://www.w3.org/2000/svg}"
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


# ---- Helpers ----

@pytest.fixture(scope="module")
def real() -> Timeline:
    timeline, problems = validate(load_content(PROJECT / "content"))
    assert timeline is not None, problems
    return timeline


# The shape of the first site's content when the chart was made: four years of context as one bar,
# then 2022–2025 with a busy December 2024 (three events on the 12th). Fixed here, so that the
# geometry tests keep their numbers when editors add events to content/.
CLEMENCY = [
    ("trump-first-term-clemency", "2017", "2021", "Trump’s first term: 143 pardons and 94 commutations", 2, False),
    ("marijuana-possession-pardon", "2022-10-06", None, "Marijuana possession pardon", 4, False),
    ("marijuana-pardon-expanded", "2023-12-22", None, "Marijuana pardon expanded", 2, False),
    ("article-125-military-pardon", "2024-06-26", None, "Article 125 pardon", 3, False),
    ("hunter-biden-pardon", "2024-12-01", None, "A son pardoned", 2, False),
    ("biden-39-pardons-1499-commutations", "2024-12-12", None, "39 pardons and 1,499 commutations", 4, False),
    ("smirnov-agrees-to-plead-guilty", "2024-12-12", None, "An informant agrees to plead guilty", 2, False),
    ("time-trump-interview-j6-pardons", "2024-12-12", None, "An interview pledges pardons", 3, False),
    ("smirnov-plea-accepted", "2024-12-16", None, "A plea accepted", 3, True),
    ("federal-death-row-commutations", "2024-12-23", None, "Death row commutations", 1, False),
    ("biden-pre-emptive-pardons", "2025-01-20", None, "Pre-emptive pardons", 2, False),
    ("trump-inauguration-j6-clemency", "2025-01-20", None, "Inauguration-day clemency", 4, False),
]


@pytest.fixture(scope="module")
def clemency() -> Timeline:
    return timeline_of([event(slug, date, title, end, cited=cited, reviewed=reviewed)
                        for slug, date, end, title, cited, reviewed in CLEMENCY])


def event(slug: str, date: str, title: str = "", end: str | None = None, *, tags: tuple[str, ...] = (),
          cited: int = 0, reviewed: bool = False, corrected: bool = False) -> Event:
    """An event from ISO-like dates: '2024', '2024-12' or '2024-12-12'; with `cited` citations, a
    claim review or a correction when asked (what decides which events the chart labels)."""
    source = Source("s", "https://example.org/", "A source", "A publisher", EventDate(2024), Location("test"))
    review = ClaimReview("A claim", "Someone", None, "false", "No.", EventDate(2025)) if reviewed else None
    return Event(slug=slug, title=title or f"Event {slug}", date=_date(date), where=Location("test"),
                 citations=tuple(Citation(source, n + 1) for n in range(cited)), body_markdown="",
                 end_date=_date(end) if end else None, tags=tags, claim_review=review,
                 corrections=(Correction(EventDate(2025), "Fixed."),) if corrected else ())


def _date(text: str) -> EventDate:
    return EventDate(*(int(part) for part in text.split("-")))


def timeline_of(events: list[Event]) -> Timeline:
    site = SiteConfig("Test", "A test timeline.", "https://example.org/", "en")
    return Timeline(site, tuple(sorted(events, key=Event.sort_key)))


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def links(root: ET.Element) -> list[tuple[str, str, list[ET.Element]]]:
    """(href, accessible name from <title>, visible shapes) of each link, in document order."""
    found = []
    for a in root.iter(f"{SVG}a"):
        title = a.find(f"{SVG}title")
        assert title is not None, "a link without a <title>"
        shapes = [child for child in a if "overview-mark" in child.get("class", "")]
        assert shapes, "a link with no shape"
        found.append((a.get("href"), title.text, shapes))
    return found


def targets(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(href, box) of each link's invisible target: it takes the taps, so it must be painted."""
    found = []
    for a in root.iter(f"{SVG}a"):
        hits = [child for child in a if child.get("class") == "overview-hit"]
        for hit in hits:
            assert hit.get("fill") == "transparent", "fill=none would let taps through"
            found.append((a.get("href"), box(hit)))
    return found


def callouts(root: ET.Element) -> list[tuple[ET.Element, ET.Element, tuple[float, float, float, float]]]:
    """(the event's <a>, the label's <text>, the text's box) of each label on the chart.

    The box is measured as Chromium draws DejaVu Sans (0.93 em above the baseline, 0.24 below), with
    the chart's own estimate of the width: the browser test checks that estimate against the real one.
    """
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "overview-event":
            continue
        a = group.find(f"{SVG}a")
        label = group.find(f"{SVG}g[@class='overview-callout']")
        if label is None:
            continue
        assert label.get("aria-hidden") == "true", "the link's name already says it: not read twice"
        text = label.find(f"{SVG}text")
        x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
        width = text_width(text.text, size)
        x0 = {"start": x, "end": x - width, "middle": x - width / 2}[text.get("text-anchor")]
        found.append((a, text, (x0, y - 0.93 * size, x0 + width, y + 0.24 * size)))
    return found


def meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Do two boxes overlap (by more than the 0.1-unit rounding of coordinates)?"""
    return a[0] < b[2] - 0.1 and b[0] < a[2] - 0.1 and a[1] < b[3] - 0.1 and b[1] < a[3] - 0.1


# At a 390px-wide viewport the chart is the page's width less its side padding (4vw each side,
# clamp(0.75rem, 4vw, 2rem) in style.css) and at most its max-width: the px that one viewBox unit
# takes there. The browser test below checks this against the real page.
PHONE = 390
_CHART_MAX = re.search(r"\.overview-chart \{[^}]*max-width: ([\d.]+)rem",
                       (PROJECT / "static" / "style.css").read_text(encoding="utf-8"))
PHONE_SCALE = min(PHONE - 2 * 0.04 * PHONE, float(_CHART_MAX.group(1)) * 16) / WIDTH


def centre_x(shape: ET.Element) -> float:
    if shape.tag == f"{SVG}circle":
        return float(shape.get("cx"))
    return float(shape.get("x")) + float(shape.get("width")) / 2


def box(shape: ET.Element) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1, including a hollow bar's stroke (drawn inside its true extent)."""
    if shape.tag == f"{SVG}circle":
        x, y, r = (float(shape.get(k)) for k in ("cx", "cy", "r"))
        return x - r, y - r, x + r, y + r
    x, y, w, h = (float(shape.get(k)) for k in ("x", "y", "width", "height"))
    half = float(shape.get("stroke-width", 0)) / 2
    return x - half, y - half, x + w + half, y + h + half


def overlap(a: ET.Element, b: ET.Element) -> bool:
    if a.tag == b.tag == f"{SVG}circle":
        distance = math.dist((float(a.get("cx")), float(a.get("cy"))), (float(b.get("cx")), float(b.get("cy"))))
        return distance < float(a.get("r")) + float(b.get("r")) - 0.15  # coordinates are rounded to 0.1
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = box(a), box(b)
    return ax0 < bx1 - 0.1 and bx0 < ax1 - 0.1 and ay0 < by1 - 0.1 and by0 < ay1 - 0.1


def stretches(root: ET.Element) -> list[tuple[float, float]]:
    """The x extent of each continuous stretch of the axis, from its path ("M x y H x1" per stretch)."""
    axis = root.find(f".//{SVG}path[@class='overview-axis']")
    assert axis is not None
    return [(float(a), float(b)) for a, b in re.findall(r"M([\d.]+) [\d.]+H([\d.]+)", axis.get("d"))]


def day(text: str) -> int:
    return datetime.date.fromisoformat(text).toordinal()


def counts(names: list[str]) -> int:
    return sum(int(re.search(r": (\d+) events?$", name).group(1)) for name in names)


# ---- The real content, and a timeline of its shape ----

@pytest.mark.parametrize("name", ["real", "clemency"])
def test_one_link_per_event_with_its_href_and_name(name, request):
    timeline = request.getfixturevalue(name)
    svg = overview_svg(timeline, "../")
    found = links(parse(svg))
    assert len(found) == len(timeline.events) > 0
    for (href, label, _), item in zip(found, timeline.events, strict=True):
        if len(timeline.events) <= LIST_LIMIT:
            assert href == f"#{item.slug}"  # its card on the home page, which lists every event
        else:
            assert href == f"../events/{item.slug}/"
        assert item.date.display in label and item.title in label
        assert label.startswith(item.date.display)
        if item.end_date:
            assert item.end_date.display in label
    if timeline is request.getfixturevalue("clemency"):
        assert found[0][1] == "2017 – 2021: Trump’s first term: 143 pardons and 94 commutations"


def test_real_chart_is_compact_and_deterministic(real, clemency):
    # A dozen events in under 8 KB; a mark, its link and maybe a label for each more in under 700 bytes.
    assert len(str(overview_svg(clemency, "./")).encode("utf-8")) < 8 * 1024
    svg = str(overview_svg(real, "./"))
    assert len(svg.encode("utf-8")) < 8 * 1024 + 700 * max(0, len(real.events) - 12)
    timeline_again, _ = validate(load_content(PROJECT / "content"))
    assert str(overview_svg(timeline_again, "./")) == svg


def test_dates_sit_on_a_linear_scale_in_the_main_stretch(clemency):
    root = parse(overview_svg(clemency, "./"))
    x = {href.removeprefix("#"): centre_x(shapes[0]) for href, _, shapes in links(root)}
    main = stretches(root)[-1]
    dots = [e for e in clemency.events if e.date.day is not None]
    assert all(main[0] <= x[e.slug] <= main[1] for e in dots)
    xs = [x[e.slug] for e in dots]
    assert xs == sorted(xs) and len(set(xs)) < len(xs)  # monotonic; the same day shares one x
    # Two intervals: 6 Oct 2022 → 22 Dec 2023 and 22 Dec 2023 → 23 Dec 2024, in x and in days.
    a, b, c = x["marijuana-possession-pardon"], x["marijuana-pardon-expanded"], x["federal-death-row-commutations"]
    ratio_x = (b - a) / (c - b)
    ratio_days = (day("2023-12-22") - day("2022-10-06")) / (day("2024-12-23") - day("2023-12-22"))
    assert ratio_x == pytest.approx(ratio_days, rel=0.003)  # x is rounded to 0.1 unit


def test_the_compressed_years_are_a_labelled_break_at_the_stated_scale(clemency):
    root = parse(overview_svg(clemency, "./"))
    (c0, c1), (m0, m1) = stretches(root)
    assert c1 < m0, "the two stretches must be drawn apart"
    assert root.find(f".//{SVG}path[@class='overview-break']") is not None
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("class") in ("overview-label", "overview-note")]
    assert "2017–21" in texts and {"2022", "2023", "2024", "2025"} <= set(texts)
    # Said in words, not "1/6 scale" or only a break mark: under the years, and in the description.
    assert texts[texts.index("2017–21") + 1] == "(compressed)"
    assert not [t for t in texts if "/" in t or "scale" in t]
    factor = int(re.search(r"2017 to 2021 are compressed: drawn (\d+) times smaller than the later years\.",
                           root.find(f"{SVG}desc").text).group(1))
    assert "The years 2017–21 are drawn compressed" in overview_caption(clemency)
    # Measured: the 2017–2021 bar spans 5 whole years of the context stretch; the dots give the main scale.
    by_slug = {href.removeprefix("#"): shapes for href, _, shapes in links(root)}
    (bar,) = by_slug["trump-first-term-clemency"]
    x0, _, x1, _ = box(bar)
    assert (x0, x1) == pytest.approx((c0, c1), abs=0.2)
    context_scale = (x1 - x0) / (day("2022-01-01") - day("2017-01-01"))
    a, b = centre_x(by_slug["marijuana-possession-pardon"][0]), centre_x(by_slug["federal-death-row-commutations"][0])
    main_scale = (b - a) / (day("2024-12-23") - day("2022-10-06"))
    assert main_scale / context_scale == pytest.approx(factor, rel=0.01)
    assert factor >= 2
    assert (m1 - m0) > 0.7 * (m1 - c0), "2022–2025 must keep most of the width"


def test_december_2024_is_a_column_of_marks_that_do_not_overlap(clemency):
    root = parse(overview_svg(clemency, "./"))
    found = links(root)
    shapes = [(href, shape) for href, _, group in found for shape in group]
    for (href_a, a), (href_b, b) in combinations(shapes, 2):
        assert not overlap(a, b), f"{href_a} overlaps {href_b}"
    for (href_a, a), (href_b, b) in combinations(targets(root), 2):
        assert not meet(a, b), f"the targets of {href_a} and {href_b} overlap"
    same_day = [group[0] for href, name, group in found if name.startswith("12 December 2024:")]
    assert len(same_day) == 3
    assert len({s.get("cx") for s in same_day}) == 1
    heights = [float(s.get("cy")) for s in same_day]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 3  # stacked upwards, in order
    # The events of the column are named by labels now; its count stays in the description.
    assert "Busiest month: December 2024, with 6 events." in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("name", ["real", "clemency"])
def test_svg_root_is_a_named_group_that_scales_with_the_page(name, request):
    timeline = request.getfixturevalue(name)
    root = parse(overview_svg(timeline, "./"))
    assert root.get("width") == "100%" and root.get("height") is None
    assert re.fullmatch(r"0 0 \d+ [\d.]+", root.get("viewBox"))
    assert root.get("role") == "group", 'role="img" would hide the links from assistive technology'
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith("overview-") for i in ids) and len(ids) == len(set(ids))
    for attribute in ("aria-labelledby", "aria-describedby"):
        target = root.find(f".//*[@id='{root.get(attribute)}']")
        assert target is not None and target.text
    assert root.find(f"{SVG}title").text == chart_title(timeline)
    if name == "clemency":
        assert chart_title(timeline) == "Overview: 12 events, 2017 to 2025"


def chart_title(timeline: Timeline) -> str:
    """The chart's name, from the timeline: its count of events and the years it spans."""
    years = [d.year for e in timeline.events for d in (e.date, e.end_date) if d is not None]
    count = len(timeline.events)
    span = f"{min(years)} to {max(years)}" if min(years) != max(years) else f"{min(years)}"
    return f"Overview: {count} event{'s' if count != 1 else ''}, {span}"


# ---- Content that tries to break it ----

HOSTILE = """<script>alert("x")</script> & 'single' "double" </svg><a href="javascript:1">"""


def test_hostile_titles_stay_text(real):
    events = [event("hostile", "2024-12-12", HOSTILE), event("quiet", "2024-01-05", "Tom & Jerry's \"day\"")]
    svg = str(overview_svg(timeline_of(events), "./"))
    assert "<script" not in svg and "javascript:" not in svg.split("<title>")[0]
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    names = [name for _, name, _ in links(root)]
    assert names == ["5 January 2024: Tom & Jerry's \"day\"", f"12 December 2024: {HOSTILE}"]
    assert [href for href, _, _ in links(root)] == ["#quiet", "#hostile"]
    labels = [text.text for _, text, _ in callouts(root)]
    assert labels and all(HOSTILE.startswith(label.removesuffix("…")) or "Jerry" in label for label in labels)
    other_page = parse(str(overview_svg(timeline_of(events), "./", list_limit=1)))
    assert [href for href, _, _ in links(other_page)] == ["./events/quiet/", "./events/hostile/"]


def _all_checks_of_safety(svg: str) -> None:
    root = parse(svg)
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in ("style", "script", "foreignObject", "image", "use", "iframe"), tag
        assert "style" not in element.attrib, f"<{tag}> has a style attribute"
        assert not [k for k in element.attrib if k.lower().startswith("on")], f"<{tag}> has an event handler"
        for name in ("href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(name)
            assert value is None or re.match(r"\./[a-z]|#[a-z]", value), value  # this site, or this page
    assert "url(" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_no_style_script_handler_or_external_resource(real):
    _all_checks_of_safety(str(overview_svg(real, "./")))
    _all_checks_of_safety(str(overview_svg(timeline_of(many_events(4000, 2015, 2025)), "./")))


def test_no_events_no_chart():
    assert overview_svg(timeline_of([]), "./") == ""


# ---- Precision, ranges and stacking ----

def test_month_year_and_range_marks_span_their_true_time():
    events = [
        event("a", "2021-02-10"), event("b", "2024-11-20"),  # two days give the scale
        event("month", "2023-06"), event("year", "2022"),
        event("range", "2023-09-01", end="2023-11-30"),
        event("vague-range", "2022-03", end="2022-08"),
    ]
    root = parse(overview_svg(timeline_of(events), "./"))
    assert len(stretches(root)) == 1
    by_slug = {href.removeprefix("#"): group for href, _, group in links(root)}
    a, b = float(by_slug["a"][0].get("cx")), float(by_slug["b"][0].get("cx"))
    scale = (b - a) / (day("2024-11-20") - day("2021-02-10"))

    def x(date: str) -> float:
        return a + (day(date) - day("2021-02-10") - 0.0) * scale - 0.5 * scale  # a dot sits at noon

    expected = {
        "month": ("2023-06-01", "2023-07-01", True), "year": ("2022-01-01", "2023-01-01", True),
        "range": ("2023-09-01", "2023-12-01", False), "vague-range": ("2022-03-01", "2022-09-01", True),
    }
    for slug, (start, end, hollow) in expected.items():
        (shape,) = by_slug[slug]
        assert shape.tag == f"{SVG}rect"
        x0, _, x1, _ = box(shape)
        true_width = x(end) - x(start)
        assert (x0 + x1) / 2 == pytest.approx((x(start) + x(end)) / 2, abs=0.2), slug
        # Its true extent, or a short one widened about its centre to the size of a dot (14 units).
        assert x1 - x0 == pytest.approx(max(true_width, 14), abs=0.2), slug
        assert ("overview-hollow" in shape.get("class")) is hollow, slug
    assert x("2023-07-01") - x("2023-06-01") < 14 < x("2022-09-01") - x("2022-03-01")  # both cases seen


def test_same_and_nearby_dates_stack_without_overlap():
    events = [event(f"same-{i}", "2024-05-10") for i in range(6)]
    events += [event("near", "2024-05-12"), event("month", "2024-05"), event("span", "2024-05-01", end="2024-05-20")]
    events += [event("early", "2023-01-15"), event("late", "2025-03-03")]
    root = parse(overview_svg(timeline_of(events), "./"))
    found = links(root)
    assert len(found) == len(events)
    shapes = [s for _, _, group in found for s in group]
    for a, b in combinations(shapes, 2):
        assert not overlap(a, b)
    for (href_a, a), (href_b, b) in combinations(targets(root), 2):
        assert not meet(a, b), f"the targets of {href_a} and {href_b} overlap"
    column = [group[0] for href, _, group in found if "#same-" in href]
    assert len({s.get("cx") for s in column}) == 1
    assert len({s.get("cy") for s in column}) == 6


def test_a_column_too_tall_becomes_a_count():
    events = [event(f"busy-{i:02d}", "2024-05-10") for i in range(14)] + [event("other", "2020-02-02")]
    root = parse(overview_svg(timeline_of(events), "./"))
    found = links(root)
    names = [name for _, name, _ in found]
    assert "May 2024: 14 events" in names and counts(names) == 15
    assert {href for href, _, _ in found} == {"#year-2024", "#year-2020"}  # the home page lists them all
    assert overview_caption(timeline_of(events)) == ("Events per month; select a bar to go to that year below."
                                                     " The years 2020–23 are drawn compressed, to leave room for"
                                                     " the later ones.")


# ---- Labels, targets, links and the caption ----

def labelled_timeline() -> Timeline:
    """A column of same-day events, a fact-checked one, a corrected one, well and little cited ones."""
    events = [
        event("first", "2021-03-04", "A quiet start with a long title that needs shortening", cited=1),
        event("checked", "2021-11-01", "The claim that the minister never said it", reviewed=True),
        event("corrected", "2022-09-15", "Figures for the budget revised", corrected=True),
        event("cited", "2023-05-20", "The most cited event of them all", cited=5),
        *(event(f"same-{i}", "2024-02-10", f"Same day number {i} with words", cited=i) for i in range(5)),
        event("late", "2024-11-30", "Last of all", cited=2, tags=("late", "end")),
    ]
    return timeline_of(events)


def test_key_events_are_labelled_without_overlapping_anything():
    timeline = labelled_timeline()
    root = parse(overview_svg(timeline, "./"))
    found = callouts(root)
    labelled = [a.get("href").removeprefix("#") for a, _, _ in found]
    assert "checked" in labelled  # the most important: placed first, on an empty chart
    assert 4 <= len(found) < len(timeline.events)  # a readable subset, not every event
    titles = {e.slug: e.title for e in timeline.events}
    for a, text, _ in found:
        title = titles[a.get("href").removeprefix("#")]
        # The title, or its first whole words and an ellipsis.
        assert text.text == title or (text.text.endswith("…") and (title + " ").startswith(text.text[:-1] + " "))
        assert len(text.text) <= 30
        assert float(text.get("font-size")) * PHONE_SCALE >= 12  # readable on a phone
    height = float(root.get("viewBox").split()[3])
    shapes = [(a.get("href"), box(shape)) for a in root.iter(f"{SVG}a") for shape in a
              if "overview-mark" in shape.get("class", "")]
    hits = targets(root)
    for index, (a, text, area) in enumerate(found):
        href = a.get("href")
        assert 0 <= area[0] and area[2] <= WIDTH and 0 <= area[1] and area[3] <= height, text.text
        for other, (_, other_text, other_area) in enumerate(found):
            assert other == index or not meet(area, other_area), f"{text.text!r} overlaps {other_text.text!r}"
        for owner, shape in shapes:
            assert not meet(area, shape), f"{text.text!r} covers the mark of {owner}"
        for owner, hit in hits:
            assert owner == href or not meet(area, hit), f"{text.text!r} covers the target of {owner}"


def test_labels_are_chosen_by_importance_then_date():
    # Two events on one day, a column of two: room for both labels.
    both = parse(overview_svg(timeline_of([event("a", "2024-05-01", cited=1), event("b", "2024-05-01", cited=3),
                                           event("z", "2020-01-01")]), "./"))
    assert {a.get("href") for a, _, _ in callouts(both)} >= {"#a", "#b"}
    # A month apart, a row of marks with room for two labels: the corrected and the most cited get them.
    row = [event(f"m{month:02d}", f"2024-{month:02d}-10", f"Monthly event number {month}", cited=1)
           for month in range(1, 13)]
    row[9] = event("m10", "2024-10-10", "The most cited monthly event", cited=6)
    row[6] = event("m07", "2024-07-10", "A corrected monthly event", corrected=True)
    labelled = [a.get("href") for a, _, _ in callouts(parse(overview_svg(timeline_of(row), "./")))]
    assert {"#m07", "#m10"} <= set(labelled) and len(labelled) < len(row)
    # With nothing to tell them apart, the earliest.
    row[6], row[9] = (event(f"m{m:02d}", f"2024-{m:02d}-10", f"Monthly event number {m}", cited=1) for m in (7, 10))
    labelled = [a.get("href") for a, _, _ in callouts(parse(overview_svg(timeline_of(row), "./")))]
    assert "#m01" in labelled
    # Thirty events a day apart: only some can be named, and the fact-checked one always is.
    crowd = [event(f"e{i:02d}", f"2024-03-{i % 28 + 1:02d}", f"Crowded event {i}") for i in range(8)]
    crowd.append(event("key", "2024-03-05", "The key one", corrected=True))
    root = parse(overview_svg(timeline_of(crowd), "./"))
    labelled = [a.get("href") for a, _, _ in callouts(root)]
    assert "#key" in labelled and len(labelled) < len(crowd)
    assert overview_svg(timeline_of(crowd), "./") == overview_svg(timeline_of(list(reversed(crowd))), "./")


@pytest.mark.parametrize("name", ["real", "labelled", "stacked"])
def test_every_mark_is_a_24px_target_on_a_390px_phone(real, name):
    edges = [event("first", "2020-01-01"), event("last", "2024-12-31")]  # at the very ends of the axis
    timeline = {"real": real, "labelled": labelled_timeline(),
                "stacked": timeline_of([event(f"s{i}", "2024-05-10") for i in range(9)] + edges)}
    root = parse(overview_svg(timeline[name], "./"))
    found = links(root)
    hits = dict(targets(root))
    assert len(hits) == len(found), "one target per mark"
    height = float(root.get("viewBox").split()[3])
    for href, _, shapes in found:
        x0, y0, x1, y1 = hits[href]
        assert (x1 - x0) * PHONE_SCALE >= 24 and (y1 - y0) * PHONE_SCALE >= 24, href
        assert 0 <= x0 and x1 <= WIDTH and 0 <= y0 and y1 <= height, href  # the chart's edges clip it
        for shape in shapes:  # the visible mark is inside its own target
            s0, t0, s1, t1 = box(shape)
            assert x0 - 0.1 <= s0 and s1 <= x1 + 0.1 and y0 - 0.1 <= t0 and t1 <= y1 + 0.1, href
    for (href_a, a), (href_b, b) in combinations(hits.items(), 2):
        assert not meet(a, b), f"the targets of {href_a} and {href_b} overlap"
    # The target is drawn first in its link, so the visible mark is painted over it.
    for a in root.iter(f"{SVG}a"):
        assert [child.get("class") for child in a][1] == "overview-hit"


def test_event_links_carry_their_tags_for_the_topic_filter():
    root = parse(overview_svg(labelled_timeline(), "./"))
    tags = {a.get("href"): a.get("data-tags") for a in root.iter(f"{SVG}a")}
    assert tags["#late"] == "late end" and tags["#first"] == ""
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "overview-event"]
    assert len(groups) == len(tags)
    for group in groups:  # its label (if any), then its link: the stylesheet hides both when the link is hidden
        assert [child.tag for child in group][-1] == f"{SVG}a" and len(group) <= 2
    counted = parse(overview_svg(timeline_of(many_events(400, 2015, 2025)), "./"))
    assert not [a for a in counted.iter(f"{SVG}a") if a.get("data-tags") is not None]  # bars: every topic


def test_links_go_to_cards_on_the_home_page_and_to_pages_on_a_big_site():
    timeline = labelled_timeline()
    assert {href for href, _, _ in links(parse(overview_svg(timeline, "../")))} == {
        f"#{e.slug}" for e in timeline.events}
    # More events than the home page lists: marks open the events' pages.
    assert {href for href, _, _ in links(parse(overview_svg(timeline, "../", list_limit=3)))} == {
        f"../events/{e.slug}/" for e in timeline.events}
    # A big site: bars open year pages, a quarter's at the heading of its first event's month there.
    events = many_events(300, 2023, 2025)
    found = links(parse(overview_svg(timeline_of(events), "./")))
    assert found and all(re.fullmatch(r"\./years/(\d{4})/(#month-\1-\d\d)?", href) for href, _, _ in found)
    first = min((e.date for e in events if e.date.year == 2024 and e.date.month and e.date.month <= 3),
                key=EventDate.sort_key)
    assert (f"./years/2024/#month-2024-{first.month:02d}", "January–March 2024") in [
        (href, name.split(":")[0]) for href, name, _ in found]


def year_chart(first: int, last: int, n: int = 600) -> ET.Element:
    return parse(overview_svg(timeline_of(many_events(n, first, last)), "./"))


@pytest.mark.parametrize("first, last, label", [(2015, 2025, r"\d{4}"), (1950, 2025, r"\d{4}s"),
                                               (2000, 2025, r"\d{4}–\d\d"), (1800, 2025, r"\d{4}–\d\d")])
def test_aggregated_bars_are_centred_under_their_labels(first, last, label):
    """Years, decades ("1950s") or spans of years ("2000–01", "1800–19") name their bars, centred under them."""
    root = year_chart(first, last)
    bars = {name.split(":")[0]: shapes[0] for _, name, shapes in links(root)}
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "overview-label"]
    assert len(labels) >= 2
    for text in labels:
        assert re.fullmatch(label, text.text) and text.get("text-anchor") == "middle"
        x, half = float(text.get("x")), text_width(text.text, float(text.get("font-size"))) / 2
        assert centre_x(bars[text.text]) == pytest.approx(x, abs=0.15), text.text
        assert 0 <= x - half and x + half <= WIDTH, text.text
    assert next(iter(bars)).startswith(str(first))  # the axis starts with the first bar's first year


def test_the_axis_ends_at_the_data():
    # Counted: the line stops at the right edge of the last bar, and so does the last tick.
    for root in (year_chart(2000, 2025), year_chart(2015, 2025, 4000)):
        end = max(box(shapes[0])[2] for _, _, shapes in links(root))
        assert stretches(root)[-1][1] == pytest.approx(end, abs=0.4)
        ticks = [float(x) for x in re.findall(r"M([\d.]+) [\d.]+v7", root.find(f".//{SVG}path").get("d"))]
        assert max(ticks) <= end + 0.4  # the bars leave a hairline between them
    # One mark per event: the line stops at the last mark, not at the room left for the last year's label.
    for timeline in (labelled_timeline(), timeline_of([event("a", "2023-02-03"), event("b", "2024-01-10")])):
        root = parse(overview_svg(timeline, "./"))
        last = max((box(shape) for _, _, shapes in links(root) for shape in shapes), key=lambda b: b[2])
        assert (last[0] + last[2]) / 2 - 0.1 <= stretches(root)[-1][1] <= last[2] + 0.1


def test_the_caption_says_what_the_chart_shows(clemency):
    small = labelled_timeline()
    assert overview_caption(small) == "Each mark is an event at its date; select one to go to it below."
    assert overview_caption(small, list_limit=3) == "Each mark is an event at its date; select one to open its page."
    # The finest grain that leaves every bar a 24px target on a phone: at most about 13 across.
    for first, last, caption in [
        (2024, 2024, "Events per month; select a bar to open that month on its year's page."),
        (2023, 2025, "Events per quarter; select a bar to open that quarter on its year's page."),
        (2015, 2025, "Events per year; select a bar to open that year's page."),
        (2000, 2025, "Events per 2 years; select a bar to open the page of its first year."),
        (1950, 2025, "Events per decade; select a bar to open the page of its first year."),
        (1700, 2025, "Events per 50 years; select a bar to open the page of its first year."),
    ]:
        assert overview_caption(timeline_of(many_events(300, first, last))) == caption, (first, last)
    assert overview_caption(timeline_of(many_events(190, 1990, 2025))) == (
        "Events per 5 years; select a bar to go to its first year below.")
    assert overview_caption(timeline_of([])) == ""
    caption = overview_caption(clemency)
    assert caption.startswith("Each mark is an event") and "2017–21 are drawn compressed" in caption
    # The caption and the chart agree: bars when it speaks of bars.
    for timeline in (small, timeline_of(many_events(300, 2000, 2025))):
        drawn = parse(overview_svg(timeline, "./"))
        bars = any("overview-bin" in shape.get("class") for _, _, shapes in links(drawn) for shape in shapes)
        assert bars == ("select a bar" in overview_caption(timeline))


# ---- Thousands of events ----

def many_events(n: int, first: int, last: int, seed: int = 7) -> list[Event]:
    rng = random.Random(seed)
    events = []
    for i in range(n):
        year, month, day_ = rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)
        kind = rng.random()
        date = f"{year}" if kind < 0.03 else f"{year}-{month:02d}" if kind < 0.1 else f"{year}-{month:02d}-{day_:02d}"
        events.append(event(f"event-{i:04d}", date, f"A headline of ordinary length for synthetic event {i}"))
    return events


def bar_href_matches(href: str, name: str, years: set[int]) -> bool:
    """Does a bar open its year's page: at its month's heading for a month, at its first event's month for
    a quarter, and for a span of years ("1950s", "1800–19") the page of its first year with events?"""
    if match := re.fullmatch(r"([A-Z][a-z]+) (\d{4})", name):
        number = list(calendar.month_name).index(match.group(1))
        return href == f"./years/{match.group(2)}/#month-{match.group(2)}-{number:02d}"
    if match := re.fullmatch(r"([A-Z][a-z]+)–[A-Z][a-z]+ (\d{4})", name):
        first = list(calendar.month_name).index(match.group(1))
        return any(href == f"./years/{match.group(2)}/#month-{match.group(2)}-{m:02d}" for m in range(first, first + 3))
    if match := re.fullmatch(r"(\d{4})( \(month not known\))?", name):
        return href == f"./years/{match.group(1)}/"
    match = re.fullmatch(r"(\d{4})(s|–(\d\d|\d{4}))", name)
    assert match, name
    start = int(match.group(1))
    end = start + 9 if match.group(2) == "s" else int(match.group(3)) + (start // 100 * 100 if len(match.group(3)) == 2 else 0)
    year = re.fullmatch(r"\./years/(\d{4})/", href)
    return bool(year) and start <= int(year.group(1)) <= end and int(year.group(1)) in years


@pytest.mark.parametrize("first, last", [(2024, 2024), (2023, 2025), (2015, 2025), (1800, 2025)])
def test_4000_events_are_counted_per_month_quarter_year_or_span_in_under_60_kb(first, last):
    timeline = timeline_of(many_events(4000, first, last))
    svg = str(overview_svg(timeline, "./"))  # its time is bench/stages.py's "overview SVG" line, not a test's
    assert len(svg.encode("utf-8")) < 60 * 1024
    assert svg == str(overview_svg(timeline, "./"))
    root = parse(svg)
    found = links(root)
    names = [name for _, name, _ in found]
    assert 10 < len(found) <= 30  # at most about 13 bars across, and the years' bars under bars of months
    assert counts(names) == 4000
    years = {y for y, _ in timeline.years()}
    for href, name, _ in found:
        assert bar_href_matches(href, name.split(":")[0], years), (href, name)
    # Bar heights are proportional to their counts.
    heights = [(int(re.search(r"(\d+) events?$", name).group(1)), float(group[0].get("height")))
               for _, name, group in found]
    most, tallest = max(heights)
    assert all(h == pytest.approx(max(2.0, tallest * c / most), abs=0.15) for c, h in heights)
    if first == last:
        assert any(re.fullmatch(r"[A-Z][a-z]+ \d{4}: \d+ events?", name) for name in names)  # months
    if last - first < 5:
        assert any("(month not known)" in name for name in names)  # year-only dates, not put in a month


def test_x_is_linear_in_time_within_each_stretch():
    start = datetime.date(2021, 1, 1)
    dated = [(f"main-{i:02d}", start + datetime.timedelta(days=20 * i)) for i in range(60)]
    dated += [("early-1", datetime.date(2005, 3, 4)), ("early-2", datetime.date(2009, 7, 1)),
              ("early-3", datetime.date(2012, 11, 30))]
    root = parse(overview_svg(timeline_of([event(slug, d.isoformat()) for slug, d in dated]), "./"))
    x = {href.removeprefix("#"): centre_x(group[0]) for href, _, group in links(root)}
    assert len(x) == 63
    pieces = stretches(root)
    assert len(pieces) == 2
    for x0, x1 in pieces:
        points = sorted((d.toordinal(), x[slug]) for slug, d in dated if x0 <= x[slug] <= x1)
        assert len(points) >= 3
        (d0, first), (d1, last) = points[0], points[-1]
        for d, value in points:  # on the line through the first and the last, so also in date order
            assert value == pytest.approx(first + (last - first) * (d - d0) / (d1 - d0), abs=0.1)
    assert x["early-3"] < pieces[0][1] < pieces[1][0] < x["main-00"]


def test_a_sparse_early_context_is_compressed_also_when_counted():
    events = many_events(600, 2019, 2025) + [event("early", "1995-03-04"), event("early-2", "2001")]
    root = parse(overview_svg(timeline_of(events), "./"))
    assert len(stretches(root)) == 2
    assert counts([name for _, name, _ in links(root)]) == 602


def test_the_compressed_years_hold_at_most_one_event_in_twenty():
    """They run up to the year of the first event past that share (at least one event may be there)."""
    main = [event(f"m{i:02d}", f"{2020 + i % 5}-{i % 12 + 1:02d}-{i % 28 + 1:02d}") for i in range(38)]
    for early, compressed in [(["2000-01-01", "2005-01-01"], "2000–19"),  # 40 events: 2 may be early
                              (["2000-01-01", "2005-01-01", "2010-01-01"], "2000–09")]:
        timeline = timeline_of(main + [event(f"early-{i}", date) for i, date in enumerate(early)])
        assert f"The years {compressed} are drawn compressed" in overview_caption(timeline)


def test_a_bar_counts_an_event_in_the_stretch_where_it_starts():
    events = many_events(600, 2019, 2025) + [event("early", "1995-03-04", end="2021-06-01"), event("early-2", "2001")]
    root = parse(overview_svg(timeline_of(events), "./"))
    (_, context_end), _ = stretches(root)
    found = links(root)
    assert counts([name for _, name, shapes in found if centre_x(shapes[0]) < context_end]) == 2
    assert counts([name for _, name, _ in found]) == 602


def test_a_bar_chart_is_named_by_its_count_years_and_busiest_month():
    """As a chart of one mark per event is: every event counted, its years up to the last end, and the
    busiest month (the earliest on a tie) whatever the grain of the bars."""
    events = many_events(400, 2015, 2020) + [event("long", "2019-05", end="2023-02-01")]
    timeline = timeline_of(events)
    root = parse(overview_svg(timeline, "./"))
    assert root.find(f"{SVG}title").text == chart_title(timeline) == "Overview: 401 events, 2015 to 2023"
    months = Counter((e.date.year, e.date.month) for e in events if e.date.month)
    most = max(months.values())
    year, month = min(key for key, count in months.items() if count == most)
    assert f"Busiest month: {calendar.month_name[month]} {year}, with {most} events." in root.find(f"{SVG}desc").text


# ---- Bars a thumb can hit ----

def bar_targets(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float], tuple[float, float, float, float]]]:
    """(name, target's box, bar's box) of each bar's link: one invisible target per bar."""
    found = []
    for a in root.iter(f"{SVG}a"):
        hits = [box(child) for child in a if child.get("class") == "overview-hit"]
        bars = [box(child) for child in a if "overview-bin" in child.get("class", "")]
        assert len(hits) == 1 and len(bars) == 1, a.find(f"{SVG}title").text
        assert [child.get("class") for child in a][1] == "overview-hit", "the target first: the bar is drawn over it"
        found.append((a.find(f"{SVG}title").text, hits[0], bars[0]))
    return found


def assert_every_bar_is_a_24px_target(root: ET.Element) -> None:
    height = float(root.get("viewBox").split()[3])
    found = bar_targets(root)
    assert found
    for name, (x0, y0, x1, y1), (b0, _, b1, _) in found:
        assert (x1 - x0) * PHONE_SCALE >= 24 and (y1 - y0) * PHONE_SCALE >= 24, (name, x1 - x0, y1 - y0)
        assert 0 <= x0 and x1 <= WIDTH and 0 <= y0 and y1 <= height, name  # the chart's edges clip it
        assert x0 - 0.1 <= b0 and b1 <= x1 + 0.1, name  # the whole width of the bar is its own
    for (name_a, a, _), (name_b, b, _) in combinations(found, 2):
        assert not meet(a, b), f"the targets of {name_a} and {name_b} overlap"


BAR_CHARTS = {
    "months": (300, 2024, 2024), "quarters": (300, 2023, 2025), "years": (600, 2015, 2025),
    "two-years": (2000, 2000, 2025), "decades": (600, 1950, 2025), "twenty-years": (4000, 1800, 2025),
    "centuries": (1000, 1000, 2025), "millennia": (300, 1, 9999),
}


@pytest.mark.parametrize("name", BAR_CHARTS)
def test_every_bar_is_a_24px_target_on_a_390px_phone(name):
    """Bars as wide as their time: the finest grain that leaves each bar a target HIT wide. A year's bar
    among bars of months (dates known only to the year) has its target under the axis, by its year."""
    n, first, last = BAR_CHARTS[name]
    timeline = timeline_of(many_events(n, first, last))
    root = parse(overview_svg(timeline, "./"))
    assert_every_bar_is_a_24px_target(root)
    on_page = parse(overview_svg(timeline_of(many_events(min(n, 190), first, last)), "./"))
    assert_every_bar_is_a_24px_target(on_page)
    axis_y = float(re.search(r"M[\d.]+ ([\d.]+)H", root.find(f".//{SVG}path").get("d")).group(1))
    for label, (_, y0, _, _), _ in bar_targets(root):
        assert (y0 >= axis_y) == ("(month not known)" in label), label


def test_bars_beside_a_gap_or_the_compressed_years_get_the_room_beside_them():
    # Lone bars: targets wider than the bars, never overlapping; the compressed years are one bar or more.
    lonely = [event(f"a{i}", f"{year}-05-{i % 28 + 1:02d}") for i, year in enumerate((1900, 1950, 2000, 2024) * 50)]
    sparse = many_events(600, 2019, 2025) + [event("early", "1995-03-04"), event("early-2", "2001")]
    for events in (lonely, sparse):
        root = parse(overview_svg(timeline_of(events), "./"))
        assert_every_bar_is_a_24px_target(root)
    widths = [(hit[2] - hit[0], bar[2] - bar[0]) for _, hit, bar in bar_targets(parse(overview_svg(timeline_of(lonely), "./")))]
    assert any(hit > bar + 10 for hit, bar in widths)


def test_dates_known_only_to_the_year_get_bars_of_years_or_more():
    for first, last in [(2020, 2025), (1950, 2025)]:
        vague = [event(f"v{i}", str(first + i % (last - first + 1))) for i in range(200)]
        root = parse(overview_svg(timeline_of(vague), "./"))
        assert_every_bar_is_a_24px_target(root)
        assert not [name for _, name, _ in links(root) if "month not known" in name]
    mixed = many_events(200, 2024, 2024) + [event(f"v{i}", "2024") for i in range(40)]
    assert "Events per month" in overview_caption(timeline_of(mixed))
    assert_every_bar_is_a_24px_target(parse(overview_svg(timeline_of(mixed), "./")))


@pytest.mark.parametrize("name", ["two-years", "quarters"])
def test_in_a_browser_every_bar_takes_the_taps_on_its_whole_target(new_page, name, tmp_path):
    n, first, last = BAR_CHARTS[name]
    path = tmp_path / "page.html"
    path.write_text(page_html(str(overview_svg(timeline_of(many_events(n, first, last)), "./"))), encoding="utf-8")
    page = new_page(viewport={"width": PHONE, "height": 844})
    page.goto(path.as_uri())
    found = page.locator("svg.overview-chart").evaluate("""svg => ({scale: svg.getScreenCTM().a,
      links: [...svg.querySelectorAll("a")].map(a => {
        const r = a.querySelector(".overview-hit").getBoundingClientRect();
        const at = (x, y) => document.elementFromPoint(x, y)?.closest("a") === a;
        return {name: a.querySelector("title").textContent, width: r.width, height: r.height,
                corners: [at(r.left + 1, r.top + 1), at(r.right - 1, r.top + 1), at(r.left + 1, r.bottom - 1),
                          at(r.right - 1, r.bottom - 1)]};
      })})""")
    assert found["scale"] == pytest.approx(PHONE_SCALE, rel=0.01)  # as the geometry tests assume
    for link in found["links"]:
        assert link["width"] >= 24 and link["height"] >= 24, link
        assert all(link["corners"]), link  # a tap anywhere on it lands on this bar's link


# ---- The ends of the calendar (years 1 and 9999 are valid dates) ----

@pytest.mark.parametrize("dates", [
    pytest.param(["0001-01-01", "0001-02", "0001", "0001-01-01/0001-03-31", "0001-06/0002"], id="year-1"),
    pytest.param(["9999-12-31", "9999-12", "9999", "9999-06-01/9999-12-31", "9998/9999-12-31"], id="year-9999"),
    pytest.param(["0001", "2024-05-01", "9999-12-31"], id="both-ends"),
    pytest.param(["0001-01-01/9999-12-31"], id="the-whole-calendar"),
])
def test_the_ends_of_the_calendar_are_drawn(dates):
    """No date arithmetic runs past 31 December 9999 or before 1 January 1: one mark per event, inside the chart."""
    events = [event(f"e{i}", *d.split("/")) for i, d in enumerate(dates)]
    root = parse(overview_svg(timeline_of(events), "./"))
    found = links(root)
    assert len(found) == len(events)
    for href, _, shapes in found:
        for shape in shapes:
            x0, _, x1, _ = box(shape)
            assert 0 <= x0 and x1 <= WIDTH, href
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "overview-label"]
    if dates[0].startswith("9999") or dates[0].startswith("0001-01-01"):
        assert dates[0].split("-")[0].lstrip("0") in " ".join(texts), texts


@pytest.mark.parametrize("first, last", [(1, 1), (1, 4), (1, 30), (1, 300), (9999, 9999), (9996, 9999),
                                         (9970, 9999), (9700, 9999), (1, 9999)])
def test_bars_at_the_ends_of_the_calendar(first, last):
    events = many_events(400, first, last)
    if last == 9999:
        events += [event("to-the-end", "9999-06", end="9999-12-31"), event("last-day", "9999-12-31")]
    if first == 1:
        events += [event("first-day", "0001-01-01"), event("first-year", "0001")]
    root = parse(overview_svg(timeline_of(events), "./"))
    assert counts([name for _, name, _ in links(root)]) == len(events)
    assert_every_bar_is_a_24px_target(root)
    names = [name.split(":")[0] for _, name, _ in links(root)]
    assert not [name for name in names if re.match(r"0\b|0s|\d+–0\d\b", name)], names  # no year 0


# ---- In a browser ----

def page_html(svg: str) -> str:
    css = (PROJECT / "static" / "style.css").read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Overview test</title><style>{css}</style></head>
<body><main class="wrap"><h1>Timeline</h1><p><a id="before" href="#before">Before</a></p>
<div class="overview">{svg}</div><p><a id="after" href="#after">After</a></p></main></body></html>
"""


@pytest.mark.parametrize("width", [320, 1200])
def test_links_are_focusable_named_and_inside_the_chart(real, new_page, width, tmp_path):
    svg = str(overview_svg(real, "./"))
    expected = links(parse(svg))
    path = tmp_path / "page.html"
    path.write_text(page_html(svg), encoding="utf-8")
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(path.as_uri())

    chart = page.locator("svg.overview-chart").bounding_box()
    assert chart["width"] <= width and chart["height"] > 60
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling

    page.focus("#before")
    for href, _, _ in expected:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == href
        link = page.locator(f'svg a[href="{href}"]').bounding_box()
        assert link["width"] > 0 and link["height"] > 0
        assert chart["x"] - 0.5 <= link["x"] and link["x"] + link["width"] <= chart["x"] + chart["width"] + 0.5
        assert chart["y"] - 0.5 <= link["y"] and link["y"] + link["height"] <= chart["y"] + chart["height"] + 0.5
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "after"

    # The names Chromium gives the links and the chart, as a screen reader gets them.
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    named = [(n["role"]["value"], n.get("name", {}).get("value", ""), n.get("description", {}).get("value", ""))
             for n in tree if not n.get("ignored")]
    assert [name for role, name, _ in named if role == "link" and name not in ("Before", "After")] == \
        [name for _, name, _ in expected]
    assert all(not description for role, _, description in named if role == "link")  # not read twice
    assert ("group", chart_title(real)) in [(role, name) for role, name, _ in named]

    # Year labels are readable at this width.
    sizes = page.eval_on_selector_all(
        "svg text.overview-label", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize) *"
        " e.ownerSVGElement.getScreenCTM().a)")
    assert sizes and min(sizes) >= 11.5


def test_the_chart_passes_the_nu_html_checker(real, tmp_path):
    java = shutil.which("java")
    assert java, "java (17 or later) is needed to run the Nu HTML Checker"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci` in {PROJECT}"
    good = tmp_path / "overview.html"
    good.write_text(page_html(str(overview_svg(real, "./"))), encoding="utf-8")
    counted = tmp_path / "counted.html"
    counted.write_text(page_html(str(overview_svg(timeline_of(many_events(500, 2015, 2025)), "./"))),
                       encoding="utf-8")
    canary = tmp_path / "canary.html"  # must fail, or vnu's silence means nothing
    canary.write_text(page_html('<svg viewBox="0 0 10 10" role="bogus"><a href="#x"><circle r="1"/></a></svg>'),
                      encoding="utf-8")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout", "--exit-zero-always",
         str(good), str(counted), str(canary)],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    messages = json.loads(result.stdout)["messages"]
    by_file = {}
    for message in messages:
        by_file.setdefault(message.get("url", "").rsplit("/", 1)[-1], []).append(message["message"])
    assert by_file.pop("canary.html", None), f"vnu reported nothing for a broken page: {messages}"
    assert not by_file, by_file


# The geometry a reader's browser gives the chart on the real home page, at a phone's size.
MEASURE = """svg => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const scale = svg.getScreenCTM().a;
  return {
    chart: box(svg),
    links: [...svg.querySelectorAll("a")].map(a => ({
      href: a.getAttribute("href"), box: box(a), marks: [...a.querySelectorAll(".overview-mark")].map(box),
      card: a.getAttribute("href").startsWith("#") &&
            !!document.querySelector(`article.event[id="${a.getAttribute("href").slice(1)}"]`)})),
    labels: [...svg.querySelectorAll(".overview-callout text")].map(t => ({
      text: t.textContent, box: box(t), size: parseFloat(getComputedStyle(t).fontSize) * scale,
      width: t.getComputedTextLength() * scale, own: t.closest(".overview-event").querySelector("a").getAttribute("href")})),
    scale,
  };
}"""


def test_on_a_phone_every_mark_is_a_24px_target_and_labels_overlap_nothing(new_page, base_url):
    page = new_page(viewport={"width": PHONE, "height": 844})
    page.goto(base_url)
    svg = page.locator("figure.overview svg.overview-chart")
    svg.scroll_into_view_if_needed()
    found = svg.evaluate(MEASURE)
    assert found["scale"] == pytest.approx(PHONE_SCALE, rel=0.01)  # as the geometry tests assume
    assert len(found["links"]) >= 2 and found["labels"]

    def overlap(a, b, slack=0.5):
        return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack

    for link in found["links"]:
        x0, y0, x1, y1 = link["box"]
        assert x1 - x0 >= 24 and y1 - y0 >= 24, link
        assert link["card"], f"{link['href']} is not a card on this page"
        # A tap anywhere on the target, or on the visible mark, lands on this link and no other.
        points = [(x0 + 1, y0 + 1), (x1 - 1, y0 + 1), (x0 + 1, y1 - 1), (x1 - 1, y1 - 1)]
        points += [((m[0] + m[2]) / 2, (m[1] + m[3]) / 2) for m in link["marks"]]
        for x, y in points:
            hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.getAttribute('href')", [x, y])
            assert hit == link["href"], (link["href"], x, y, hit)
    for index, label in enumerate(found["labels"]):
        assert label["size"] >= 12, label  # readable
        # The chart's estimate of a label's width may err only on the wide side: then nothing it placed overlaps.
        assert label["width"] <= text_width(label["text"], LABEL_FONT) * found["scale"] + 0.5, label
        chart = found["chart"]
        assert chart[0] <= label["box"][0] and label["box"][2] <= chart[2], label
        for other in found["labels"][index + 1:]:
            assert not overlap(label["box"], other["box"]), (label["text"], other["text"])
        for link in found["links"]:
            for mark in link["marks"]:
                assert not overlap(label["box"], mark), (label["text"], link["href"])
            if link["href"] != label["own"]:
                assert not overlap(label["box"], link["box"]), (label["text"], link["href"])

    # The topic filter hides a mark by a class on its link (static/timeline.js); its label goes with it.
    own = found["labels"][0]["own"]
    hidden = page.evaluate("""href => {
      const a = document.querySelector(`svg.overview-chart a[href="${href}"]`);
      a.classList.add("filtered-out");
      return [getComputedStyle(a).display, getComputedStyle(a.parentNode.querySelector(".overview-callout")).display];
    }""", own)
    assert hidden == ["none", "none"]
