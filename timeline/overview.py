"""The overview chart of the home page: every event on a true time scale, as inline SVG.

`overview_svg(timeline, root)` returns the chart as markup to place in a template, and
`overview_caption(timeline)` the plain text of its <figcaption>, saying what the chart actually drawn
shows. Both are made at build time and need nothing in the browser: no script, no external resource
and no inline style (the Content-Security-Policy allows only the site's stylesheet). Colours are
`currentColor`, and every shape has a class the stylesheet can target (see CLASSES below).

Design
------
* One horizontal axis, linear in days within each *stretch*. When the first years hold almost none
  of the events (the real content: one event spanning 2017–2021, then eleven from 2022 to 2025),
  those years form a *context* stretch drawn at a whole-number fraction of the main scale, after a
  gap with a break mark, and say so in words: "2017–21" over "(compressed)". Dates are never moved.
* Marks: a dot for a day, a hollow bar spanning the month or the year for month- or year-precision
  dates, a bar from start to end for ranges. Behind each mark its link holds an invisible square
  HIT units wide, so that it is a 24px target on a phone; marks whose squares would overlap are
  stacked in rows above the axis, the earliest lowest, so that one date becomes a column.
* Labels: the events that matter most (a claim review or corrections first, then the most citations,
  then the earliest) are named on the chart by a short form of their title, beside their mark or
  above it on a thin pole, wherever that covers no other label, mark or target; the others are left
  out, so labels never overlap.
* Links: a mark goes to the event's card on the home page (`#slug`) when that page lists every event
  (up to LIST_LIMIT), else to the event's page. Its <title> child is its accessible name (SVG-AAM;
  axe-core's link-name rule accepts it) and its tooltip. The <svg> is a named group, not role="img",
  which would hide the links from assistive technology.
* Many events (or columns too tall): bars counting the events of each month, quarter, year or span
  of years (2000–01, the 1950s, 1800–19...), their heights proportional to their counts, with the
  labels of years or spans centred under their bars and the axis ending with the last bar. A bar
  links to its year's page (`years/YYYY/`, a month's or quarter's bar at the heading of its first
  event's month, a span's to its first year with events), or to the year's heading on the home page
  when that lists every event. Every bar's target is HIT units wide too (a 390px phone fits about
  13 across), so the grain is the finest that leaves each bar that much room; a year's bar among
  bars of months (dates known only to the year) has its target under the axis, by its year's label.
* The viewBox scales with the page (width="100%"); text stays readable on a 390px-wide phone.
  Output is deterministic: the same timeline gives the same bytes.

For scripts: each event's mark is a `<g class="overview-event">` holding its label, when it has one,
then its link, whose `data-tags` attribute lists the event's tags (space-separated, as on the cards).
The topic filter (static/timeline.js) hides a mark by adding the class `filtered-out` to that link;
the stylesheet then hides the group's label too. Aggregated charts have no such links: their bars
count every topic.

Modules: overview_geometry (sizes, text widths), overview_axis (days and where they go on x, and
the events' dates read once), overview_marks (a mark per event, stacked), overview_labels (naming events), overview_bins and
overview_bars (the bar chart), overview_draw (SVG writing); this one chooses between the two charts.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .model import Event, Timeline
from .overview_axis import Axis, Dates, dates_of, interval, make_axis, month_after
from .overview_bars import aggregated, bar_layout
from .overview_bins import Grain
from .overview_draw import draw_axis, draw_event, svg
from .overview_geometry import HIT, MARGIN, MAX_BYTES, MAX_LEVELS, MAX_MARKS
from .overview_labels import place_callouts
from .overview_marks import event_mark, levels_of, reach, visible

# The classes the stylesheet (and a topic filter) can target.
CLASSES = {
    "overview-chart": "the <svg> element",
    "overview-axis": "axis lines and tick marks (stroke)",
    "overview-break": "the break mark between the compressed early years and the rest (stroke)",
    "overview-label": "year labels (fill)",
    "overview-note": "the word under the compressed early years (fill)",
    "overview-event": "the group of one event's label (if any) and link",
    "overview-link": "each <a> (one per event, with data-tags, or one per bar when aggregated)",
    "filtered-out": "added by the topic filter to an event's <a>: hides it and its group's label",
    "overview-hit": "the invisible target of a mark or bar (fill transparent, but it takes pointer events)",
    "overview-mark": "every visible mark; with overview-day, overview-period, overview-range or overview-bin",
    "overview-hollow": "marks whose date is known only to the month or year (fill-opacity, stroke)",
    "overview-callout": "an event's label on the chart (fill)",
    "overview-pole": "the line from a mark up to its label (stroke)",
    "overview-dense-label": "the busiest bar's label on an aggregated chart",
}

# render.LIST_LIMIT, not imported (render imports this module): up to this many events the home page
# shows every event's card, with id=<slug>, so marks can link to them there.
LIST_LIMIT = 200


@dataclass(frozen=True)
class Chart:
    svg: str
    grain: Grain | None  # None for a mark per event, else the grain of the main stretch's bars
    on_page: bool  # links go to the home page's own cards or year headings
    compressed: str  # the compressed early years ("2017–21"), or ""


def overview(timeline: Timeline, root: str, *, list_limit: int = LIST_LIMIT) -> tuple[Markup, str]:
    """The chart as inline SVG and the plain text of its <figcaption>, from one drawing."""
    chart = _chart(timeline, root, list_limit)
    return (Markup(chart.svg), _caption(chart)) if chart else (Markup(""), "")


def overview_svg(timeline: Timeline, root: str, *, list_limit: int = LIST_LIMIT) -> Markup:
    """The overview chart of `timeline` as inline SVG; links to other pages are relative to `root`.

    With up to `list_limit` events the home page shows every card, and marks link to them there.
    """
    return overview(timeline, root, list_limit=list_limit)[0]


def overview_caption(timeline: Timeline, *, list_limit: int = LIST_LIMIT) -> str:
    """The plain text of the chart's <figcaption>: what overview_svg drew, and where its links go."""
    return overview(timeline, "./", list_limit=list_limit)[1]


def _caption(chart: Chart) -> str:
    grain = chart.grain
    if grain is None:
        text = "Each mark is an event at its date; select one to " + (
            "go to it below." if chart.on_page else "open its page.")
    elif chart.on_page:
        year = "that year" if grain.years == 1 else "its first year"
        text = f"Events per {grain.noun}; select a bar to go to {year} below."
    else:
        target = {1: "that month on its year's page", 3: "that quarter on its year's page",
                  12: "that year's page"}.get(grain.months, "the page of its first year")
        text = f"Events per {grain.noun}; select a bar to open {target}."
    if chart.compressed:
        text += f" The years {chart.compressed} are drawn compressed, to leave room for the later ones."
    return text


def _chart(timeline: Timeline, root: str, list_limit: int) -> Chart | None:
    events = list(timeline.events)
    if not events:
        return None
    on_page = len(events) <= list_limit
    dates = dates_of(events)
    if len(events) <= MAX_MARKS:
        axis = make_axis(dates.years, month_after(max(interval(e)[1] for e in events)), MARGIN, room=True)
        hrefs = [f"#{e.slug}" if on_page else f"{root}events/{e.slug}/" for e in events]
        drawn = _individual(events, dates, axis, hrefs, on_page)
        if drawn is not None and len(drawn.encode("utf-8")) <= MAX_BYTES:
            return Chart(drawn, None, on_page, axis.compressed)
    layout = bar_layout(dates)
    drawn = aggregated(dates, layout, root, on_page)
    return Chart(drawn, layout.grains[-1], on_page, layout.axis.compressed)


def _individual(events: list[Event], dates: Dates, axis: Axis, hrefs: list[str], on_page: bool) -> str | None:
    """One mark per event, stacked and labelled; None when a column would be too tall."""
    marks = [event_mark(event, axis, href) for event, href in zip(events, hrefs)]
    reaches = [reach(mark) for mark in marks]
    levels = levels_of(reaches)
    if max(levels) >= MAX_LEVELS:
        return None
    callouts = place_callouts(events, marks, reaches, levels, top_row=max(max(levels) + 1, 2))
    rows = max([*levels, *(c.row for c in callouts.values())]) + 1
    axis_y = HIT * rows - 2  # the top row's targets start at y=4
    parts = [
        draw_event(mark, event, reach_, level, callouts.get(index), axis_y)
        for index, (mark, event, reach_, level) in enumerate(zip(marks, events, reaches, levels))
    ]
    # The axis line stops at the data: the end of the last event, or of its mark if that is wider.
    line_end = max(axis.x(max(interval(e)[1] for e in events)), *(visible(m)[1] for m in marks))
    decor, bottom = draw_axis(axis, axis_y, line_end)
    link_to = "its card below" if on_page else "its page"
    description = f"Each event is a link to {link_to}, in date order; the chart names some of them."
    return svg(dates, axis, description, decor, parts, bottom)
