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
* Many events (or columns too tall): one bar per month (per year or decade when months would be too
  thin), its height proportional to its count, with the labels of years centred under their bars
  and the axis ending with the last bar. A bar links to its year's page (`years/YYYY/`, a month's bar
  to `years/YYYY/#month-YYYY-MM`), or to the year's heading on the home page when that lists every
  event. Bars are as wide as their time: narrower than 24px when there are many (the year list
  under the chart links to the same pages).
* The viewBox scales with the page (width="100%"); text stays readable on a 390px-wide phone.
  Output is deterministic: the same timeline gives the same bytes.

For scripts: each event's mark is a `<g class="overview-event">` holding its label, when it has one,
then its link, whose `data-tags` attribute lists the event's tags (space-separated, as on the cards).
The topic filter (static/timeline.js) hides a mark by adding the class `filtered-out` to that link;
the stylesheet then hides the group's label too. Aggregated charts have no such links: their bars
count every topic.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime
import math
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape

from .model import Event, EventDate, Timeline

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
    "overview-hit": "the invisible target behind a mark (fill transparent, but it takes pointer events)",
    "overview-mark": "every visible mark; with overview-day, overview-period, overview-range or overview-bin",
    "overview-hollow": "marks whose date is known only to the month or year (fill-opacity, stroke)",
    "overview-callout": "an event's label on the chart (fill)",
    "overview-pole": "the line from a mark up to its label (stroke)",
    "overview-dense-label": "the busiest bar's label on an aggregated chart",
}

# Geometry, in viewBox units. The chart is 560 units wide whatever the page width. On a phone 390px
# wide it is about 359px wide (the page's side padding is 4vw): 1 unit ≈ 0.64px there.
WIDTH = 560
MARGIN = 14  # left and right
GAP = 20  # the break between the context stretch and the main stretch
CONTEXT_SHARE = 0.22  # the context stretch takes at most this share of the plot width
CONTEXT_WORTH = 0.30  # ... and only exists when, at one scale, it would take more than this
R = 7  # radius of a day's dot; bars are 2R tall and at least 2R wide
HIT = 40  # the side of a mark's target and the height of a row: 25.6px on that phone (WCAG 2.5.8: 24)
MAX_LEVELS = 10  # columns taller than this are aggregated into counts
MAX_MARKS = 150  # more events than this are aggregated into counts
MAX_BYTES = 40_000  # ... and so is an individual chart larger than this
HIST_HEIGHT = 120  # the tallest bar of an aggregated chart
FONT = 24  # year labels and the busiest bar's label: 15px on that phone
LABEL_FONT = 20  # event labels and the note under the compressed years: 12.8px there
LABEL_CHARS = (32, 22)  # the most characters of an event label: where there is room, and where there is not
MIN_BIN = 2.5  # the narrowest aggregated bar worth drawing; coarser bins below it
# render.LIST_LIMIT, not imported (render imports this module): up to this many events the home page
# shows every event's card, with id=<slug>, so marks can link to them there.
LIST_LIMIT = 200

SVG_NS = "http://www.w3.org/2000/svg"

# Advances in DejaVu Sans (the widest common fallback, and the one screenshots and tests use), as
# shares of the font size, rounded up by groups of characters; anything else counts as a whole em.
_ADVANCE = {
    char: share
    for share, chars in (
        (0.34, " .,:;'’ijlIJ/"), (0.41, "frt()!-"), (0.6, "cesz?\"kvxyLF–"),
        (0.64, "abdghnopqu0123456789EPSTY$"), (0.79, "ABCDGHKNOQRUVXZ&"),
    )
    for char in chars
}

# Words a shortened title should not end on.
_DANGLING = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Stretch:
    """A continuous piece of the axis: days [start, end) drawn linearly on x [x0, x1]."""

    start: int  # proleptic Gregorian ordinals
    end: int
    x0: float
    x1: float

    @property
    def scale(self) -> float:
        return (self.x1 - self.x0) / (self.end - self.start)

    def x(self, day: float) -> float:
        return self.x0 + (day - self.start) * self.scale


@dataclass(frozen=True)
class Axis:
    stretches: tuple[Stretch, ...]  # one, or a context stretch and the main stretch
    factor: int = 1  # the context stretch is drawn at 1/factor of the main scale

    def x(self, day: float) -> float:
        for stretch in self.stretches:
            if day < stretch.end:
                return stretch.x(max(day, stretch.start))
        return self.stretches[-1].x(day)

    def pieces(self, start: int, end: int) -> list[tuple[float, float]]:
        """The x extents of days [start, end): one per stretch it overlaps."""
        found = []
        for stretch in self.stretches:
            lo, hi = max(start, stretch.start), min(end, stretch.end)
            if lo < hi:
                found.append((stretch.x(lo), stretch.x(hi)))
        return found or [(self.x(start), self.x(end))]

    @property
    def compressed(self) -> str:
        """The context stretch's years as running text ("2017–21"), or "" when there is none."""
        if len(self.stretches) < 2:
            return ""
        first = datetime.date.fromordinal(self.stretches[0].start).year
        last = datetime.date.fromordinal(self.stretches[0].end - 1).year
        if last == first:
            return str(first)
        # "2017–21", as in running text; "1998–2003" across a century
        return f"{first}–{last % 100:02d}" if last // 100 == first // 100 else f"{first}–{last}"


@dataclass(frozen=True)
class Mark:
    href: str
    name: str  # the accessible name
    kind: str  # "day", "period", "range" or "bin"
    hollow: bool
    pieces: tuple[tuple[float, float], ...]  # x extents (a dot has one, of zero width)
    height: float = 2 * R  # bins only


@dataclass(frozen=True)
class Callout:
    """An event's label: text in a row, beside its mark or above it on a pole."""

    text: str
    x: float  # where the text starts (anchor "start") or ends (anchor "end")
    anchor: str
    row: int
    pole: float | None = None  # the pole's x, for a label above its mark
    foot: int = 0  # the row of the mark the pole rises from


@dataclass(frozen=True)
class Chart:
    svg: str
    grain: str  # "" for a mark per event, else the bins of the main stretch: "month", "year", "decade"
    on_page: bool  # links go to the home page's own cards or year headings
    compressed: str  # the compressed early years ("2017–21"), or ""


def overview_svg(timeline: Timeline, root: str, *, list_limit: int = LIST_LIMIT) -> Markup:
    """The overview chart of `timeline` as inline SVG; links to other pages are relative to `root`.

    With up to `list_limit` events the home page shows every card, and marks link to them there.
    """
    chart = _chart(timeline, root, list_limit)
    return Markup(chart.svg if chart else "")


def overview_caption(timeline: Timeline, *, list_limit: int = LIST_LIMIT) -> str:
    """The plain text of the chart's <figcaption>: what overview_svg drew, and where its links go."""
    chart = _chart(timeline, "./", list_limit)
    if chart is None:
        return ""
    if not chart.grain:
        text = "Each mark is an event at its date; select one to " + (
            "go to it below." if chart.on_page else "open its page.")
    elif chart.on_page:
        text = f"Events per {chart.grain}; select a bar to go to that year below."
    else:
        target = {"month": "that month on its year's page", "year": "that year's page",
                  "decade": "the page of its first year"}[chart.grain]
        text = f"Events per {chart.grain}; select a bar to open {target}."
    if chart.compressed:
        text += f" The years {chart.compressed} are drawn compressed, to leave room for the later ones."
    return text


def _chart(timeline: Timeline, root: str, list_limit: int) -> Chart | None:
    events = list(timeline.events)
    if not events:
        return None
    on_page = len(events) <= list_limit
    if len(events) <= MAX_MARKS:
        axis = _axis(events, _month_after(max(_interval(e)[1] for e in events)), MARGIN, room=True)
        hrefs = [f"#{e.slug}" if on_page else f"{root}events/{e.slug}/" for e in events]
        svg = _individual(events, axis, hrefs, on_page)
        if svg is not None and len(svg.encode("utf-8")) <= MAX_BYTES:
            return Chart(svg, "", on_page, axis.compressed)
    axis = _aggregated_axis(events)
    svg = _aggregated(events, axis, root, on_page)
    return Chart(svg, _grain(axis.stretches[-1]), on_page, axis.compressed)


# ---- Time ----

def _period(date: EventDate) -> tuple[int, int]:
    """The days [start, end) that a date of its precision covers."""
    if date.month is None:
        start = datetime.date(date.year, 1, 1)
        end_ordinal = start.toordinal() + (366 if calendar.isleap(date.year) else 365)
    elif date.day is None:
        start = datetime.date(date.year, date.month, 1)
        end_ordinal = start.toordinal() + calendar.monthrange(date.year, date.month)[1]
    else:
        start = datetime.date(date.year, date.month, date.day)
        end_ordinal = start.toordinal() + 1
    # Ordinals, not dates: the day after 31 December 9999 has an ordinal but no date.
    return start.toordinal(), end_ordinal


def _next_month(day: datetime.date) -> datetime.date:
    if day.year == datetime.MAXYEAR and day.month == 12:
        return datetime.date.max
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_after(end: int) -> int:
    """The first day of the month after the day before `end` (an exclusive end)."""
    return _next_month(datetime.date.fromordinal(end - 1)).toordinal()


def _interval(event: Event) -> tuple[int, int]:
    start, end = _period(event.date)
    if event.end_date is not None:
        end = max(end, _period(event.end_date)[1])
    return start, end


def _year_start(year: int) -> int:
    return datetime.date(year, 1, 1).toordinal()


def _axis(events: list[Event], end: int, margin: float, room: bool) -> Axis:
    """A context stretch for sparse leading years (when worth it), then the main stretch to `end`.

    The plot leaves `margin` on each side; with `room`, the scale runs a little past `end` so that
    the last year's label fits under its year.
    """
    first_year = min(e.date.year for e in events)
    start = _year_start(first_year)
    right = WIDTH - margin

    # The context: the longest run of leading years holding at most max(1, 5%) of the event starts.
    allowed = max(1, len(events) // 20)
    years = sorted(e.date.year for e in events)
    split = None
    for year in range(first_year + 2, datetime.date.fromordinal(end - 1).year + 1):
        if bisect.bisect_left(years, year) <= allowed:  # events starting before `year`
            split = year
    plot = right - margin
    if split is not None:
        middle = _year_start(split)
        context_days, main_days = middle - start, end - middle
        if context_days / (context_days + main_days) > CONTEXT_WORTH:
            total = plot - GAP
            factor = 2
            while True:
                main_scale = total / (main_days + context_days / factor)
                if context_days * main_scale / factor <= CONTEXT_SHARE * total:
                    break
                factor += 1
            if room:
                end = _room_for_last_label(middle, end, total - context_days * main_scale / factor)
            main_scale = total / ((end - middle) + context_days / factor)
            context_width = context_days * main_scale / factor
            context = Stretch(start, middle, margin, margin + context_width)
            main = Stretch(middle, end, margin + context_width + GAP, right)
            return Axis((context, main), factor)
    if room:
        end = _room_for_last_label(start, end, plot)
    return Axis((Stretch(start, end, margin, right),))


def _room_for_last_label(start: int, end: int, width: float) -> int:
    """Extend `end` so that the last year's label fits centred between its tick and the end.

    Only by a little: when it would take more than a fifth of the span, that label is left out.
    """
    last_tick = _year_start(datetime.date.fromordinal(end - 1).year)
    need = _text_width("2000", FONT) + 4
    if last_tick <= start or need >= width:
        return end
    # (end - last_tick) * width / (end - start) >= need, solved for end
    wanted = math.ceil((last_tick * width - start * need) / (width - need))
    return wanted if end < wanted <= end + (end - start) / 5 else end


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(_ADVANCE.get(char, 1.0) for char in text) * size * (1.15 if bold else 1.0)


# ---- One mark per event ----

def _individual(events: list[Event], axis: Axis, hrefs: list[str], on_page: bool) -> str | None:
    marks = [_event_mark(event, axis, href) for event, href in zip(events, hrefs)]
    reaches = [_reach(mark) for mark in marks]
    levels = _levels(reaches)
    if max(levels) >= MAX_LEVELS:
        return None
    callouts = _place_callouts(events, marks, reaches, levels, top_row=max(max(levels) + 1, 2))
    rows = max([*levels, *(c.row for c in callouts.values())]) + 1
    axis_y = HIT * rows - 2  # the top row's targets start at y=4
    parts = [
        _draw_event(mark, event, reach, level, callouts.get(index), axis_y)
        for index, (mark, event, reach, level) in enumerate(zip(marks, events, reaches, levels))
    ]
    # The axis line stops at the data: the end of the last event, or of its mark if that is wider.
    line_end = max(axis.x(max(_interval(e)[1] for e in events)), *(_visible(m)[1] for m in marks))
    decor, bottom = _draw_axis(axis, axis_y, line_end)
    link_to = "its card below" if on_page else "its page"
    description = f"Each event is a link to {link_to}, in date order; the chart names some of them."
    return _svg(events, axis, description, decor, parts, bottom)


def _event_mark(event: Event, axis: Axis, href: str) -> Mark:
    start, end = _interval(event)
    name = f"{event.date.display}: {event.title}"
    if event.end_date is not None:
        name = f"{event.date.display} – {event.end_date.display}: {event.title}"
        precise = event.date.day is not None and event.end_date.day is not None
        kind, hollow = "range", not precise
    elif event.date.day is not None:
        kind, hollow = "day", False
    else:
        kind, hollow = "period", True
    if kind == "day":
        x = axis.x(start + 0.5)
        return Mark(href, name, kind, hollow, ((x, x),))
    return Mark(href, name, kind, hollow, tuple(_widen(x0, x1, 2 * R) for x0, x1 in axis.pieces(start, end)))


def _widen(x0: float, x1: float, least: float) -> tuple[float, float]:
    """An extent at least `least` wide, centred on the true one, so that it can be seen or tapped."""
    if x1 - x0 >= least:
        return x0, x1
    middle = (x0 + x1) / 2
    return middle - least / 2, middle + least / 2


def _visible(mark: Mark) -> tuple[float, float]:
    if mark.kind == "day":
        x = mark.pieces[0][0]
        return x - R, x + R
    return mark.pieces[0][0], mark.pieces[-1][1]


def _reach(mark: Mark) -> tuple[float, float]:
    """The x extent of a mark's target: the mark, widened to HIT, and inside the chart (which clips)."""
    lo, hi = _widen(*_visible(mark), HIT)
    shift = max(0.0, -lo) - max(0.0, hi - WIDTH)
    return lo + shift, hi + shift


def _levels(reaches: list[tuple[float, float]]) -> list[int]:
    """The row of each mark: the lowest where its target overlaps no target placed before it.

    Marks are placed in date order, so the marks of one date form a column, earliest at the bottom;
    x is never changed.
    """
    levels: list[int] = []
    for index, (lo, hi) in enumerate(reaches):
        taken = {levels[j] for j in range(index) if reaches[j][0] < hi - 0.05 and lo < reaches[j][1] - 0.05}
        levels.append(min(set(range(len(taken) + 1)) - taken))
    return levels


def _row_y(row: int) -> float:
    """The middle of a row, relative to the axis: row 0's targets end 6 units below the axis line."""
    return 6 - HIT * (row + 0.5)


def _shape_boxes(mark: Mark, level: int) -> list[Box]:
    cy = _row_y(level)
    if mark.kind == "day":
        x = mark.pieces[0][0]
        return [(x - R, cy - R, x + R, cy + R)]
    return [(x0, cy - R, x1, cy + R) for x0, x1 in mark.pieces]


def _target_box(reach: tuple[float, float], level: int) -> Box:
    cy = _row_y(level)
    return reach[0], cy - HIT / 2, reach[1], cy + HIT / 2


# ---- Labels ----

def _importance(event: Event) -> tuple:
    """Fact-checked or corrected events first, then the most cited, then the earliest."""
    checked = event.claim_review is not None or bool(event.corrections)
    return (not checked, -len(event.citations), event.sort_key())


def _short(title: str, limit: int) -> str:
    """The title, or its first words within `limit` characters and an ellipsis."""
    if len(title) <= limit:
        return title
    words = title[:limit].split(" ")[:-1]  # the last may be cut, or take the ellipsis's place
    while len(words) > 2 and words[-1].lower() in _DANGLING:  # "plea of…" says less than "plea…"
        words.pop()
    return " ".join(words).rstrip(",:;–-") + "…" if words else title[: limit - 1] + "…"


def _text_band(row: int) -> tuple[float, float]:
    """The top and bottom of a label's text in a row (its baseline is 6 below the middle)."""
    return _row_y(row) - 11, _row_y(row) + 11


def _candidates(mark: Mark, level: int, text: str, top_row: int) -> Iterator[Callout]:
    """Where a label may go, best first: beside its mark, then above it on a pole, one row up or two;
    each first on the side with more of the chart (towards the middle, where there is room)."""
    v0, v1 = _visible(mark)
    inset = min(R, (v1 - v0) / 2)
    # Beside: clear of the mark. Above: the pole at the far end of a bar, so the text runs over it.
    sides = [("end", v0 - 5, v1 - inset), ("start", v1 + 5, v0 + inset)]
    if (v0 + v1) / 2 < WIDTH / 2:
        sides.reverse()
    for anchor, x, _ in sides:
        yield Callout(text, x, anchor, level)
    for row in range(level + 1, min(level + 2, top_row) + 1):
        for anchor, _, pole in sides:
            yield Callout(text, pole + (4 if anchor == "start" else -4), anchor, row, pole, level)


def _callout_boxes(callout: Callout) -> list[Box]:
    """What a label covers: its text, and its pole from just above its mark."""
    width = _text_width(callout.text, LABEL_FONT)
    x0 = callout.x if callout.anchor == "start" else callout.x - width
    top, bottom = _text_band(callout.row)
    boxes = [(x0, top, x0 + width, bottom)]
    if callout.pole is not None:
        boxes.append((callout.pole - 1, top, callout.pole + 1, _row_y(callout.foot) - R - 1))
    return boxes


def _place_callouts(events: list[Event], marks: list[Mark], reaches: list[tuple[float, float]],
                    levels: list[int], top_row: int) -> dict[int, Callout]:
    """Labels for the most important events, greedily: each where it overlaps nothing placed.

    Short forms first, so that more events are named; then each is lengthened where there is room.
    A label may not cover any visible mark, another mark's target or another label (nor come within
    6 units of one); it may cover its own mark's target (tapping it then opens its own event).
    """
    shapes = [box for mark, level in zip(marks, levels) for box in _shape_boxes(mark, level)]
    targets = [_target_box(reach, level) for reach, level in zip(reaches, levels)]
    placed: dict[int, Callout] = {}
    taken: dict[int, list[Box]] = {}  # what each placed label covers, with room around it

    def fits(callout: Callout, own: int) -> bool:
        others = [box for j, boxes in taken.items() if j != own for box in boxes]
        return all(2 <= box[0] and box[2] <= WIDTH - 2
                   and not any(_meet(box, s) for s in shapes)
                   and not any(_meet(box, t) for j, t in enumerate(targets) if j != own)
                   and not any(_meet(box, o) for o in others)
                   for box in _callout_boxes(callout))

    def place(index: int, callout: Callout) -> None:
        placed[index] = callout
        taken[index] = [(x0 - 6, y0, x1 + 6, y1) for x0, y0, x1, y1 in _callout_boxes(callout)]

    order = sorted(range(len(events)), key=lambda i: _importance(events[i]))
    for index in order:
        text = _short(events[index].title, LABEL_CHARS[1])
        found = next((c for c in _candidates(marks[index], levels[index], text, top_row) if fits(c, index)), None)
        if found:
            place(index, found)
    for index in order:
        if index in placed:
            longer = dataclasses.replace(placed[index], text=_short(events[index].title, LABEL_CHARS[0]))
            if fits(longer, index):
                place(index, longer)
    return placed


def _meet(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# ---- Drawing marks ----

def _draw_event(mark: Mark, event: Event, reach: tuple[float, float], level: int, callout: Callout | None,
                axis_y: float) -> str:
    cy = axis_y + _row_y(level)
    # The target first, so that the visible mark is drawn over it: both are inside the link.
    hit = (f'<rect class="overview-hit" x="{_n(reach[0])}" y="{_n(cy - HIT / 2)}" width="{_n(reach[1] - reach[0])}"'
           f' height="{HIT}" fill="transparent"/>')
    tags = f' data-tags="{escape(" ".join(event.tags))}"'
    link = _link(mark, hit + _draw_shapes(mark, cy), tags)
    # The label before the link: drawn under the target it may share with its own mark, which then
    # takes the tap; and nothing see-through is drawn over the text (contrast checkers give up there).
    label = _draw_callout(callout, axis_y) if callout else ""
    return f'<g class="overview-event">{label}{link}</g>'


def _draw_shapes(mark: Mark, cy: float) -> str:
    cls = f"overview-mark overview-{mark.kind}" + (" overview-hollow" if mark.hollow else "")
    if mark.kind == "day":
        return f'<circle class="{cls}" cx="{_n(mark.pieces[0][0])}" cy="{_n(cy)}" r="{R}" fill="currentColor"/>'
    # A hollow bar's 2-unit stroke is drawn inside its true extent: inset by half the stroke.
    inset, paint = (1, ' fill-opacity="0.3" stroke="currentColor" stroke-width="2"') if mark.hollow else (0, "")
    return "".join(
        f'<rect class="{cls}" x="{_n(x0 + inset)}" y="{_n(cy - R + inset)}" width="{_n(x1 - x0 - 2 * inset)}"'
        f' height="{_n(2 * R - 2 * inset)}" rx="3" fill="currentColor"{paint}/>'
        for x0, x1 in mark.pieces
    )


def _draw_callout(callout: Callout, axis_y: float) -> str:
    """A label, hidden from assistive technology: the link's own name already says it all."""
    baseline = axis_y + _row_y(callout.row) + 6
    out = ['<g class="overview-callout" aria-hidden="true">']
    if callout.pole is not None:
        top = axis_y + _text_band(callout.row)[0] + 2
        foot = axis_y + _row_y(callout.foot) - R - 1
        out.append(f'<path class="overview-pole" d="M{_n(callout.pole)} {_n(foot)}V{_n(top)}" fill="none" stroke="currentColor"'
                   f' stroke-width="1.5"/>')
    out.append(f'<text x="{_n(callout.x)}" y="{_n(baseline)}" font-size="{LABEL_FONT}" text-anchor="{callout.anchor}"'
               f' fill="currentColor">{escape(callout.text)}</text></g>')
    return "".join(out)


def _link(mark: Mark, shapes: str, extra: str = "") -> str:
    """A link named by its <title>: the name for assistive technology (SVG-AAM) and the tooltip.

    Not also aria-label: Chromium then exposes the <title> as a description equal to the name, and
    screen readers read it twice. axe-core's link-name rule accepts the <title> (checked with 4.14).
    """
    return (f'<a class="overview-link" href="{escape(mark.href)}"{extra}><title>{escape(mark.name)}</title>'
            f'{shapes}</a>')


def _busiest_month(events: list[Event]) -> tuple[int, int, int] | None:
    """(year, month, count) of the month with most events dated in it (the earliest on a tie), if 3 or more."""
    counts: dict[tuple[int, int], int] = {}
    for event in events:
        if event.date.month is not None:
            key = (event.date.year, event.date.month)
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    (year, month), count = max(sorted(counts.items()), key=lambda item: item[1])
    return (year, month, count) if count >= 3 else None


def _month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


# ---- Aggregated bars ----

def _bin_of(date: EventDate, grain: str) -> tuple[str, int, int]:
    """(grain, start, end) of the bin holding a date: never finer than the date's precision."""
    if grain == "month" and date.month is not None:
        start = datetime.date(date.year, date.month, 1)
        return "month", start.toordinal(), _next_month(start).toordinal()
    if grain in ("month", "year"):
        return "year", _year_start(date.year), _year_start(date.year + 1)
    decade = date.year - date.year % 10
    return "decade", _year_start(decade), _year_start(decade + 10)


def _stretch_of(axis: Axis, day: int) -> Stretch:
    return next((s for s in axis.stretches if day < s.end), axis.stretches[-1])


def _grain(stretch: Stretch) -> str:
    for grain, days in (("month", 30.4), ("year", 365.25)):
        if stretch.scale * days >= MIN_BIN:
            return grain
    return "decade"


def _aggregated_axis(events: list[Event]) -> Axis:
    """An axis that ends with the last bar, with room at each side for the labels centred under bars.

    The grain depends on the scale, and the scale on where the grain's last bin ends: a few rounds.
    """
    axis = _axis(events, _month_after(max(_period(e.date)[1] for e in events)), MARGIN, room=False)
    for _ in range(3):
        grain = _grain(axis.stretches[-1])
        end = max(_bin_of(e.date, grain)[2] for e in events)
        margin = float(MARGIN)
        if grain != "month":  # a label wider than its bar reaches past it, half on each side
            label = _text_width("2000s" if grain == "decade" else "2000", FONT)
            bar = axis.stretches[-1].scale * (365.25 if grain == "year" else 3652.5)
            margin = max(margin, math.ceil(label / 2 - bar / 2 + 6))
        again = _axis(events, end, margin, room=False)
        if again == axis:
            break
        axis = again
    return axis


def _aggregated(events: list[Event], axis: Axis, root: str, on_page: bool) -> str:
    bins: dict[tuple[str, int, int], list[Event]] = {}
    for event in events:
        start = _interval(event)[0]
        bins.setdefault(_bin_of(event.date, _grain(_stretch_of(axis, start))), []).append(event)
    most = max(len(members) for members in bins.values())
    top = 6 + FONT + 14
    base = top + HIST_HEIGHT
    parts = []
    # By date; a wide bin before the narrow ones it holds: drawn behind them, and first in tab order.
    ordered = sorted(bins.items(), key=lambda item: (item[0][1], -item[0][2]))
    for (grain, start, end), members in ordered:
        count = len(members)
        first = members[0].date
        name = _bin_name(grain, first, start)
        coarse = grain != _grain(_stretch_of(axis, start))  # events dated less precisely than the bars
        if coarse:
            name += " (month not known)"
        label = f"{name}: {count} event{'' if count == 1 else 's'}"
        height = max(2.0, HIST_HEIGHT * count / most)
        (x0, x1), *_ = axis.pieces(start, end)
        mark = Mark(_bin_href(grain, first, root, on_page), label, "bin", coarse, ((x0, x1),), height)
        parts.append(_draw_bin(mark, base, top))

    (grain, start, end), members = max(ordered, key=lambda item: len(item[1]))  # the earliest on a tie
    first = members[0].date
    short = f"{calendar.month_abbr[first.month or 1]} {first.year}" if grain == "month" else _bin_name(grain, first, start)
    text = f"{short}: {len(members)} events"
    x0, x1 = axis.x(start), axis.x(end)
    if (x0 + x1) / 2 > WIDTH / 2:
        anchor, tx = "end", min(WIDTH - MARGIN / 2, x1 + 2)
    else:
        anchor, tx = "start", max(MARGIN / 2, x0 - 2)
    decor, bottom = _draw_axis(axis, base + 4, axis.stretches[-1].x1, decades=_grain(axis.stretches[-1]) == "decade")
    if len(members) >= 3:
        decor.append(f'<text class="overview-dense-label" x="{_n(tx)}" y="{_n(top - 12)}" text-anchor="{anchor}"'
                     f' font-size="{FONT}" font-weight="bold" fill="currentColor">{escape(text)}</text>')
    where = "that year below" if on_page else "that year's page"
    description = f"Each bar counts the events of a month, year or decade, and links to {where}."
    return _svg(events, axis, description, decor, parts, bottom)


def _bin_href(grain: str, date: EventDate, root: str, on_page: bool) -> str:
    """A bar's link: its year's heading on the home page, or its year's page (at its month)."""
    if on_page:
        return f"#year-{date.year}"
    if grain == "month" and date.month is not None:
        return f"{root}years/{date.year}/#month-{date.year}-{date.month:02d}"
    return f"{root}years/{date.year}/"  # a decade's: the page of its first year with events


def _bin_name(grain: str, date: EventDate, start: int) -> str:
    if grain == "month" and date.month is not None:
        return _month_name(date.year, date.month)
    if grain == "year":
        return str(date.year)
    return f"{datetime.date.fromordinal(start).year}s"


def _draw_bin(mark: Mark, base: float, top: float) -> str:
    (x0, x1), = mark.pieces
    width = max(x1 - x0 - 0.6, 0.8)  # a hairline between neighbours
    cls = "overview-mark overview-bin" + (" overview-hollow" if mark.hollow else "")
    style = ' fill-opacity="0.3" stroke="currentColor" stroke-width="1"' if mark.hollow else ""
    shape = (f'<rect class="{cls}" x="{_n(x0 + 0.3)}" y="{_n(base - mark.height)}" width="{_n(width)}"'
             f' height="{_n(mark.height)}" fill="currentColor"{style}/>')
    if mark.hollow:  # it spans the bars of its months: a target of its own would cover theirs
        return _link(mark, shape)
    # The whole height of the plot is the target: a short bar is as easy to tap as a tall one.
    hit = (f'<rect class="overview-hit" x="{_n(x0)}" y="{_n(top - 4)}" width="{_n(x1 - x0)}"'
           f' height="{_n(base + 4 - (top - 4))}" fill="transparent"/>')
    return _link(mark, hit + shape)


# ---- Axis and frame ----

def _draw_axis(axis: Axis, axis_y: float, line_end: float, decades: bool = False) -> tuple[list[str], float]:
    """The axis lines (to `line_end`), year ticks and labels, and the break; and the chart's bottom."""
    lines, labels = [], []
    label_y = axis_y + 8 + FONT
    bottom = label_y + 6
    free_from = 0.0  # where the next label may start
    for index, stretch in enumerate(axis.stretches):
        x1 = min(stretch.x1, line_end)
        lines.append(f"M{_n(stretch.x0)} {_n(axis_y)}H{_n(x1)}")
        first = datetime.date.fromordinal(stretch.start).year
        last = datetime.date.fromordinal(stretch.end - 1).year
        tick_step = _step(stretch.scale * 365.25, 8)
        for year in range(first + (-first % tick_step), last + 2, tick_step):
            day = _year_start(year)
            if stretch.start <= day <= stretch.end and stretch.x(day) <= x1 + 0.05:
                lines.append(f"M{_n(stretch.x(day))} {_n(axis_y)}v7")
        if len(axis.stretches) > 1 and index == 0:
            text, note = axis.compressed, "(compressed)"
            half = max(_text_width(text, FONT), _text_width(note, LABEL_FONT)) / 2
            middle = max((stretch.x0 + stretch.x1) / 2, half + 2)  # centred, unless that leaves the chart
            labels.append(_text("overview-label", middle, label_y, text, FONT))
            labels.append(_text("overview-note", middle, label_y + LABEL_FONT + 6, note, LABEL_FONT))
            bottom = label_y + LABEL_FONT + 12
            free_from = middle + _text_width(text, FONT) / 2 + 8
            continue
        found, free_from = _year_labels(stretch, label_y, free_from, decades)
        labels += found
    out = [(f'<path class="overview-axis" d="{"".join(lines)}" fill="none" stroke="currentColor"'
            f' stroke-width="1.5"/>')]
    if len(axis.stretches) > 1:
        middle = (axis.stretches[0].x1 + axis.stretches[1].x0) / 2
        slashes = "".join(f"M{_n(middle + dx - 4)} {_n(axis_y + 8)}l8 -16" for dx in (-3.5, 3.5))
        out.append(f'<path class="overview-break" d="{slashes}" fill="none" stroke="currentColor"'
                   f' stroke-width="1.5"/>')
    out.append('<g aria-hidden="true">' + "".join(labels) + "</g>")
    return out, bottom


def _year_labels(stretch: Stretch, label_y: float, free_from: float, decades: bool) -> tuple[list[str], float]:
    """Labels centred under their years (or decades, "1850s"), as many as fit; and where the next may start."""
    unit = 10 if decades else 1
    step = unit * _step(stretch.scale * 365.25 * unit, _text_width("2000s" if decades else "2000", FONT) + 10)
    first = datetime.date.fromordinal(stretch.start).year
    last = datetime.date.fromordinal(stretch.end - 1).year
    labels = []
    for year in range(first - first % step, last + 1, step):
        lo = max(stretch.x(_year_start(year)), stretch.x0)
        hi = min(stretch.x(_year_start(year + unit)), stretch.x1)
        text = f"{year}s" if decades else str(year)
        half = _text_width(text, FONT) / 2
        x = min((lo + hi) / 2, WIDTH - 1 - half)  # inside the chart, if need be off-centre
        if hi <= lo or x < lo or x - half < max(free_from, 1):
            continue
        labels.append(_text("overview-label", x, label_y, text, FONT))
        free_from = x + half + 8
    return labels, free_from


def _step(year_width: float, need: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step * year_width >= need:
            return step
    return 1000


def _text(cls: str, x: float, y: float, text: str, size: int) -> str:
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="middle"'
            f' fill="currentColor">{escape(text)}</text>')


def _svg(events: list[Event], axis: Axis, description: str, decor: list[str], marks: list[str],
         bottom: float) -> str:
    count = len(events)
    first = min(e.date.year for e in events)
    last = max((e.end_date or e.date).year for e in events)
    years = f"{first} to {last}" if last > first else str(first)
    title = f"Overview: {count} event{'s' if count != 1 else ''}, {years}"
    sentences = [description]
    if len(axis.stretches) > 1:
        context = axis.stretches[0]
        a = datetime.date.fromordinal(context.start).year
        b = datetime.date.fromordinal(context.end - 1).year
        sentences.append(f"The years {a} to {b} are compressed: drawn {axis.factor} times smaller than the later years.")
    dense = _busiest_month(events)
    if dense:
        year, month, n = dense
        sentences.append(f"Busiest month: {_month_name(year, month)}, with {n} events.")
    return (
        f'<svg xmlns="{SVG_NS}" class="overview-chart" viewBox="0 0 {WIDTH} {_n(bottom)}" width="100%"'
        f' role="group" aria-labelledby="overview-title" aria-describedby="overview-desc">'
        f'<title id="overview-title">{escape(title)}</title>'
        f'<desc id="overview-desc">{escape(" ".join(sentences))}</desc>'
        + "".join(decor) + "".join(marks) + "</svg>"
    )


def _n(value: float) -> str:
    """A coordinate, rounded to a tenth: short, and the same on every machine."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text
