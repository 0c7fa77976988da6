"""The overview chart (timeline/overview.py): a true time scale, legible dense periods, accessible links.

The SVG is read back as XML and its geometry measured; then it is shown in Chromium, at a phone's and
a desktop's width, to check what a reader gets: focusable links inside the chart, their names as the
browser computes them, readable text; and the Nu HTML Checker reads it inside a page.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from conftest import PROJECT
from timeline.load import load_content
from timeline.model import Event, EventDate, Location, SiteConfig, Timeline
from timeline.overview import overview_svg
from timeline.validate import validate

SVG = "{http://www.w3.org/2000/svg}"
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


# ---- Helpers ----

@pytest.fixture(scope="module")
def real() -> Timeline:
    timeline, problems = validate(load_content(PROJECT / "content"))
    assert timeline is not None, problems
    return timeline


def event(slug: str, date: str, title: str = "", end: str | None = None) -> Event:
    """An event from ISO-like dates: '2024', '2024-12' or '2024-12-12'."""
    return Event(slug=slug, title=title or f"Event {slug}", date=_date(date), where=Location("test"),
                 citations=(), body_markdown="", end_date=_date(end) if end else None)


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
    """(href, accessible name from <title>, shapes) of each link, in document order."""
    found = []
    for a in root.iter(f"{SVG}a"):
        title = a.find(f"{SVG}title")
        assert title is not None, "a link without a <title>"
        shapes = [child for child in a if child.tag in (f"{SVG}circle", f"{SVG}rect")]
        assert shapes, "a link with no shape"
        found.append((a.get("href"), title.text, shapes))
    return found


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


# ---- The real content ----

def test_one_link_per_real_event_with_its_href_and_name(real):
    svg = overview_svg(real, "../")
    found = links(parse(svg))
    assert len(found) == len(real.events) == 12
    for (href, name, _), item in zip(found, real.events):
        assert href == f"../events/{item.slug}/"
        assert item.date.display in name and item.title in name
        assert name.startswith(item.date.display)
        if item.end_date:
            assert item.end_date.display in name
    assert found[0][1] == "2017 – 2021: Trump’s first term: 143 pardons and 94 commutations"


def test_real_chart_is_compact_and_deterministic(real):
    svg = str(overview_svg(real, "./"))
    assert len(svg.encode("utf-8")) < 8 * 1024
    timeline_again, _ = validate(load_content(PROJECT / "content"))
    assert str(overview_svg(timeline_again, "./")) == svg


def test_real_dates_sit_on_a_linear_scale_in_the_main_stretch(real):
    root = parse(overview_svg(real, "./"))
    x = {href.split("/")[-2]: centre_x(shapes[0]) for href, _, shapes in links(root)}
    main = stretches(root)[-1]
    dots = [e for e in real.events if e.date.day is not None]
    assert all(main[0] <= x[e.slug] <= main[1] for e in dots)
    xs = [x[e.slug] for e in dots]
    assert xs == sorted(xs) and len(set(xs)) < len(xs)  # monotonic; the same day shares one x
    # Two intervals: 6 Oct 2022 → 22 Dec 2023 and 22 Dec 2023 → 23 Dec 2024, in x and in days.
    a, b, c = x["marijuana-possession-pardon"], x["marijuana-pardon-expanded"], x["federal-death-row-commutations"]
    ratio_x = (b - a) / (c - b)
    ratio_days = (day("2023-12-22") - day("2022-10-06")) / (day("2024-12-23") - day("2023-12-22"))
    assert ratio_x == pytest.approx(ratio_days, rel=0.003)  # x is rounded to 0.1 unit


def test_the_compressed_years_are_a_labelled_break_at_the_stated_scale(real):
    root = parse(overview_svg(real, "./"))
    (c0, c1), (m0, m1) = stretches(root)
    assert c1 < m0, "the two stretches must be drawn apart"
    assert root.find(f".//{SVG}path[@class='overview-break']") is not None
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2017–21" in texts and {"2022", "2023", "2024", "2025"} <= set(texts)
    note = next(t for t in texts if t and t.endswith(" scale"))
    factor = int(re.fullmatch(r"1/(\d+) scale", note).group(1))
    assert f"1/{factor} of the scale" in root.find(f"{SVG}desc").text
    # Measured: the 2017–2021 bar spans 5 whole years of the context stretch; the dots give the main scale.
    by_slug = {href.split("/")[-2]: shapes for href, _, shapes in links(root)}
    (bar,) = by_slug["trump-first-term-clemency"]
    x0, _, x1, _ = box(bar)
    assert (x0, x1) == pytest.approx((c0, c1), abs=0.2)
    context_scale = (x1 - x0) / (day("2022-01-01") - day("2017-01-01"))
    a, b = centre_x(by_slug["marijuana-possession-pardon"][0]), centre_x(by_slug["federal-death-row-commutations"][0])
    main_scale = (b - a) / (day("2024-12-23") - day("2022-10-06"))
    assert main_scale / context_scale == pytest.approx(factor, rel=0.01)
    assert factor >= 2
    assert (m1 - m0) > 0.7 * (m1 - c0), "2022–2025 must keep most of the width"


def test_december_2024_is_a_column_of_marks_that_do_not_overlap(real):
    root = parse(overview_svg(real, "./"))
    found = links(root)
    shapes = [(href, shape) for href, _, group in found for shape in group]
    for (href_a, a), (href_b, b) in combinations(shapes, 2):
        assert not overlap(a, b), f"{href_a} overlaps {href_b}"
    same_day = [group[0] for href, name, group in found if name.startswith("12 December 2024:")]
    assert len(same_day) == 3
    assert len({s.get("cx") for s in same_day}) == 1
    heights = [float(s.get("cy")) for s in same_day]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 3  # stacked upwards, in order
    label = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "overview-dense-label"]
    assert label == ["Dec 2024: 6 events"]
    assert "Busiest month: December 2024, with 6 events." in root.find(f"{SVG}desc").text


def test_svg_root_is_a_named_group_that_scales_with_the_page(real):
    root = parse(overview_svg(real, "./"))
    assert root.get("width") == "100%" and root.get("height") is None
    assert re.fullmatch(r"0 0 \d+ [\d.]+", root.get("viewBox"))
    assert root.get("role") == "group", 'role="img" would hide the links from assistive technology'
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith("overview-") for i in ids) and len(ids) == len(set(ids))
    for attribute in ("aria-labelledby", "aria-describedby"):
        target = root.find(f".//*[@id='{root.get(attribute)}']")
        assert target is not None and target.text
    assert root.find(f"{SVG}title").text == "Overview: 12 events, 2017 to 2025"


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
    assert [href for href, _, _ in links(root)] == ["./events/quiet/", "./events/hostile/"]


def _all_checks_of_safety(svg: str) -> None:
    root = parse(svg)
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in ("style", "script", "foreignObject", "image", "use", "iframe"), tag
        assert "style" not in element.attrib, f"<{tag}> has a style attribute"
        assert not [k for k in element.attrib if k.lower().startswith("on")], f"<{tag}> has an event handler"
        for name in ("href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(name)
            assert value is None or value.startswith("./"), value
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
    by_slug = {href.split("/")[-2]: group for href, _, group in links(root)}
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
        # Its true extent, or a short one widened about its centre to the size of a dot (12 units).
        assert x1 - x0 == pytest.approx(max(true_width, 12), abs=0.2), slug
        assert ("overview-hollow" in shape.get("class")) is hollow, slug
    assert x("2023-07-01") - x("2023-06-01") < 12 < x("2022-09-01") - x("2022-03-01")  # both cases seen


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
    column = [group[0] for href, _, group in found if "/same-" in href]
    assert len({s.get("cx") for s in column}) == 1
    assert len({s.get("cy") for s in column}) == 6


def test_a_column_too_tall_becomes_a_count():
    events = [event(f"busy-{i:02d}", "2024-05-10") for i in range(14)] + [event("other", "2020-02-02")]
    root = parse(overview_svg(timeline_of(events), "./"))
    found = links(root)
    names = [name for _, name, _ in found]
    assert "May 2024: 14 events" in names and counts(names) == 15
    assert {href for href, _, _ in found} == {"./#year-2024", "./#year-2020"}


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


@pytest.mark.parametrize("first, last", [(2015, 2025), (1800, 2025)])
def test_4000_events_are_counted_per_month_or_year_in_under_60_kb(first, last):
    timeline = timeline_of(many_events(4000, first, last))
    started = time.perf_counter()
    svg = str(overview_svg(timeline, "./"))
    elapsed = time.perf_counter() - started
    assert len(svg.encode("utf-8")) < 60 * 1024
    assert elapsed < 2.0
    assert svg == str(overview_svg(timeline, "./"))
    root = parse(svg)
    found = links(root)
    names = [name for _, name, _ in found]
    assert 10 < len(found) < 1000
    assert counts(names) == 4000
    years = {str(y) for y, _ in timeline.years()}
    assert all(re.fullmatch(r"\./#year-\d{4}", href) and href[-4:] in years for href, _, _ in found)
    # Bar heights are proportional to their counts.
    heights = [(int(re.search(r"(\d+) events?$", name).group(1)), float(group[0].get("height")))
               for _, name, group in found]
    most, tallest = max(heights)
    assert all(h == pytest.approx(max(2.0, tallest * c / most), abs=0.15) for c, h in heights)
    if last - first < 20:
        assert any(re.fullmatch(r"[A-Z][a-z]+ \d{4}: \d+ events?", name) for name in names)  # months
        assert any("(month not known)" in name for name in names)  # year-only dates, not put in a month


def test_x_is_linear_in_time_within_each_stretch():
    start = datetime.date(2021, 1, 1)
    dated = [(f"main-{i:02d}", start + datetime.timedelta(days=20 * i)) for i in range(60)]
    dated += [("early-1", datetime.date(2005, 3, 4)), ("early-2", datetime.date(2009, 7, 1)),
              ("early-3", datetime.date(2012, 11, 30))]
    root = parse(overview_svg(timeline_of([event(slug, d.isoformat()) for slug, d in dated]), "./"))
    x = {href.split("/")[-2]: centre_x(group[0]) for href, _, group in links(root)}
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
    assert ("group", "Overview: 12 events, 2017 to 2025") in [(role, name) for role, name, _ in named]

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
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    messages = json.loads(result.stdout)["messages"]
    by_file = {}
    for message in messages:
        by_file.setdefault(message.get("url", "").rsplit("/", 1)[-1], []).append(message["message"])
    assert by_file.pop("canary.html", None), f"vnu reported nothing for a broken page: {messages}"
    assert not by_file, by_file
