"""The overview chart of the timeline page: every event on a true time scale, as inline SVG.

`overview_svg(timeline, root)` returns the chart as markup to place in a template. It is built once,
at build time, and needs nothing in the browser: no script, no external resource, and no inline style
(the Content-Security-Policy allows only the site's stylesheet). Colours are presentation attributes
in `currentColor`, and every shape has a class the stylesheet can target (see CLASSES below).

Design
------
* One horizontal axis, linear in days within each *stretch*. When the first years hold almost none
  of the events (the real content: one year-precision event spanning 2017–2021, then eleven events
  from 2022 to 2025), those years form a *context* stretch drawn at a whole-number fraction of the
  main scale (1/k), separated from the main stretch by a gap with a break mark (//) on the axis, and
  labelled "2017–21" and "1/k scale". Within each stretch, dates are never moved: x is linear in
  time, and the year ticks show each stretch's scale.
* Marks: a dot for a day, a hollow bar spanning the month or the year for month- or year-precision
  dates, and a bar from start to end for ranges (solid when both ends are days, hollow otherwise).
  Marks that would overlap are stacked above the axis, so the same date becomes a column.
  The busiest month is named above its column ("Dec 2024: 6 events").
* Every mark is a link to its event, named "<date>: <title>" by a <title> child: the accessible name
  (SVG-AAM; axe-core's link-name rule accepts it) and the tooltip. The <svg> is a named group, not
  role="img", which would hide the links from assistive technology.
* Many events (or columns too tall to read): one bar per month (per year or decade when months
  would be too thin), its height proportional to its count, linking to the year's heading on the
  timeline page (`#year-YYYY`). Events dated only to a coarser unit get a hollow bar spanning it.
* The viewBox scales with the page (width="100%"); text sizes are chosen to stay readable at a
  320px-wide viewport. Output is deterministic: the same timeline gives the same bytes.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from .model import Event, EventDate, Timeline

# The classes the stylesheet can target.
CLASSES = {
    "overview-chart": "the <svg> element",
    "overview-axis": "axis lines and tick marks (stroke)",
    "overview-break": "the break mark between the context stretch and the main stretch (stroke)",
    "overview-label": "year labels (fill)",
    "overview-note": "the scale note under the context stretch (fill)",
    "overview-link": "each <a> (one per event, or one per bar when aggregated)",
    "overview-mark": "every mark; with overview-day, overview-period, overview-range or overview-bin",
    "overview-hollow": "marks whose date is known only to the month or year (fill-opacity, stroke)",
    "overview-dense": "the span of the busiest month on the axis (fill)",
    "overview-dense-label": "the busiest month's label and its leader line",
}

# Geometry, in viewBox units. The chart is 560 units wide whatever the page width: at a 320px
# viewport it is about 294px wide (1 unit ≈ 0.53px), so 24-unit labels are about 12.5px there.
WIDTH = 560
MARGIN = 14  # left and right
GAP = 20  # the break between the context stretch and the main stretch
CONTEXT_SHARE = 0.22  # the context stretch takes at most this share of the plot width
CONTEXT_WORTH = 0.30  # ... and only exists when, at one scale, it would take more than this
R = 6  # radius of a day's dot; bars are 2R tall and at least 2R wide
SPACE = 2  # the least space between two marks
MAX_STACK = 10 * (2 * R + SPACE)  # taller columns than this are aggregated into counts
MAX_MARKS = 150  # more events than this are aggregated into counts
MAX_BYTES = 40_000  # ... and so is an individual chart larger than this
HIST_HEIGHT = 120  # the tallest bar of an aggregated chart
FONT = 24  # year labels and the busiest-month label
NOTE_FONT = 20  # the scale note
CHAR = 0.65  # the advance of a digit, as a share of the font size (0.64 in DejaVu Sans, less in most fonts)
MIN_BIN = 2.5  # the narrowest aggregated bar worth drawing; coarser bins below it

SVG_NS = "http://www.w3.org/2000/svg"


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


@dataclass(frozen=True)
class Mark:
    href: str
    label: str  # the accessible name
    kind: str  # "day", "period", "range" or "bin"
    hollow: bool
    pieces: tuple[tuple[float, float], ...]  # x extents (a dot has one, of zero width)
    height: float = 2 * R  # bins only


def overview_svg(timeline: Timeline, root: str) -> Markup:
    """The overview chart of `timeline` as inline SVG; links are relative to `root` ("./", "../")."""
    events = list(timeline.events)
    if not events:
        return Markup("")
    axis = _axis(events)
    svg = None
    if len(events) <= MAX_MARKS:
        svg = _individual(events, axis, root)
        if svg is not None and len(svg.encode("utf-8")) > MAX_BYTES:
            svg = None
    if svg is None:
        svg = _aggregated(events, axis, root)
    return Markup(svg)


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


def _interval(event: Event) -> tuple[int, int]:
    start, end = _period(event.date)
    if event.end_date is not None:
        end = max(end, _period(event.end_date)[1])
    return start, end


def _year_start(year: int) -> int:
    return datetime.date(year, 1, 1).toordinal()


def _axis(events: list[Event]) -> Axis:
    """A context stretch for sparse leading years (when worth it), then the main stretch."""
    intervals = [_interval(e) for e in events]
    first_year = min(e.date.year for e in events)
    last_end = max(end for _, end in intervals)
    start = _year_start(first_year)
    end = _next_month(datetime.date.fromordinal(last_end - 1)).toordinal()  # the month after the last day

    # The context: the longest run of leading years holding at most max(1, 5%) of the event starts.
    allowed = max(1, len(events) // 20)
    years = sorted(e.date.year for e in events)
    split = None
    last_year = datetime.date.fromordinal(last_end - 1).year
    for year in range(first_year + 2, last_year + 1):
        if bisect.bisect_left(years, year) <= allowed:  # events starting before `year`
            split = year
    plot = WIDTH - 2 * MARGIN
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
            end = _room_for_last_label(middle, end, total - context_days * main_scale / factor)
            main_scale = total / ((end - middle) + context_days / factor)
            context_width = context_days * main_scale / factor
            context = Stretch(start, middle, MARGIN, MARGIN + context_width)
            main = Stretch(middle, end, MARGIN + context_width + GAP, WIDTH - MARGIN)
            return Axis((context, main), factor)
    end = _room_for_last_label(start, end, plot)
    return Axis((Stretch(start, end, MARGIN, WIDTH - MARGIN),))


def _room_for_last_label(start: int, end: int, width: float) -> int:
    """Extend `end` so the label of the last year tick fits after it (labels sit right of ticks).

    Only by a little: when it would take more than a fifth of the span, that label is left out.
    """
    last_tick = _year_start(datetime.date.fromordinal(end - 1).year)
    need = _text_width("2000", FONT) + 6
    if last_tick <= start or need >= width:
        return end
    # (end - last_tick) * width / (end - start) >= need, solved for end
    wanted = math.ceil((last_tick * width - start * need) / (width - need))
    return wanted if end < wanted <= end + (end - start) / 5 else end


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR


# ---- Individual marks ----

def _individual(events: list[Event], axis: Axis, root: str) -> str | None:
    marks = []
    for event in events:
        start, end = _interval(event)
        label = f"{event.date.display}: {event.title}"
        if event.end_date is not None:
            label = f"{event.date.display} – {event.end_date.display}: {event.title}"
            precise = event.date.day is not None and event.end_date.day is not None
            kind, hollow = "range", not precise
        elif event.date.day is not None:
            kind, hollow = "day", False
        else:
            kind, hollow = "period", True
        if kind == "day":
            x = axis.x(start + 0.5)
            pieces = ((x, x),)
        else:
            pieces = tuple(_widen(x0, x1) for x0, x1 in axis.pieces(start, end))
        marks.append(Mark(f"{root}events/{event.slug}/", label, kind, hollow, pieces))

    heights = _stack(marks)
    stack = max(heights) + 2 * R + SPACE
    if stack > MAX_STACK:
        return None

    dense = _busiest_month(events)
    top = 6 + (FONT + 14 if dense else 0)
    base = top + stack  # just under the lowest marks
    axis_y = base + 4
    parts = []
    for mark, height in zip(marks, heights):
        parts.append(_draw_mark(mark, base - SPACE / 2 - R - height))
    decor = []
    if dense:
        decor += _dense_label(dense, events, heights, axis, base, top)
    decor_axis, bottom = _draw_axis(axis, axis_y)
    return _svg(len(events), axis, events, decor_axis + decor, parts, bottom, dense)


def _widen(x0: float, x1: float) -> tuple[float, float]:
    """A bar at least 2R wide, centred on its true extent, so that it can be seen and clicked."""
    if x1 - x0 >= 2 * R:
        return x0, x1
    middle = (x0 + x1) / 2
    return middle - R, middle + R


def _extent(mark: Mark) -> tuple[float, float]:
    if mark.kind == "day":
        x = mark.pieces[0][0]
        return x - R, x + R
    return mark.pieces[0][0], mark.pieces[-1][1]


def _clearance(a: Mark, b: Mark) -> float:
    """How far apart vertically the centres of two marks must be (0 when they cannot touch)."""
    (a0, a1), (b0, b1) = _extent(a), _extent(b)
    if a0 >= b1 + SPACE or b0 >= a1 + SPACE:
        return 0.0
    if a.kind == b.kind == "day":  # two dots: only their centres' distance matters
        dx = abs(a.pieces[0][0] - b.pieces[0][0])
        return ((2 * R + SPACE) ** 2 - dx * dx) ** 0.5 if dx < 2 * R + SPACE else 0.0
    return 2 * R + SPACE


def _stack(marks: list[Mark]) -> list[float]:
    """The height of each mark above the axis: the lowest where it touches no mark placed before it.

    Marks are placed in date order, so the marks of one date form a column, earliest at the bottom;
    x is never changed.
    """
    heights: list[float] = []
    for index, mark in enumerate(marks):
        near = [(heights[j], c) for j in range(index) if (c := _clearance(mark, marks[j])) > 0]
        for y in sorted({0.0, *(h + c for h, c in near)}):
            if all(abs(y - h) >= c - 1e-6 for h, c in near):
                heights.append(y)
                break
    return heights


def _draw_mark(mark: Mark, cy: float) -> str:
    cls = f"overview-mark overview-{mark.kind}" + (" overview-hollow" if mark.hollow else "")
    if mark.kind == "day":
        shape = f'<circle class="{cls}" cx="{_n(mark.pieces[0][0])}" cy="{_n(cy)}" r="{R}" fill="currentColor"/>'
        return _link(mark, shape)
    # A hollow bar's 2-unit stroke is drawn inside its true extent: inset by half the stroke.
    inset, paint = (1, ' fill-opacity="0.3" stroke="currentColor" stroke-width="2"') if mark.hollow else (0, "")
    shapes = "".join(
        f'<rect class="{cls}" x="{_n(x0 + inset)}" y="{_n(cy - R + inset)}" width="{_n(x1 - x0 - 2 * inset)}"'
        f' height="{_n(2 * R - 2 * inset)}" rx="3" fill="currentColor"{paint}/>'
        for x0, x1 in mark.pieces
    )
    return _link(mark, shapes)


def _link(mark: Mark, shapes: str) -> str:
    """A link named by its <title>: the name for assistive technology (SVG-AAM) and the tooltip.

    Not also aria-label: Chromium then exposes the <title> as a description equal to the name, and
    screen readers read it twice. axe-core's link-name rule accepts the <title> (checked with 4.14).
    """
    return f'<a class="overview-link" href="{escape(mark.href)}"><title>{escape(mark.label)}</title>{shapes}</a>'


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


def _dense_label(dense, events, heights, axis: Axis, base: float, top: float) -> list[str]:
    year, month, count = dense
    start = datetime.date(year, month, 1)
    x0, x1 = axis.x(start.toordinal()), axis.x(_next_month(start).toordinal())
    column_top = base - SPACE / 2 - 2 * R - max(
        h for e, h in zip(events, heights) if (e.date.year, e.date.month) == (year, month))
    centre = (x0 + x1) / 2
    text = f"{calendar.month_abbr[month]} {year}: {count} events"
    width = _text_width(text, FONT)
    if centre > WIDTH / 2:
        anchor, tx = "end", min(WIDTH - MARGIN / 2, centre + R)
    else:
        anchor, tx = "start", max(MARGIN / 2, centre - R)
    ty = top - 12
    if anchor == "end" and tx - width < 0:  # never off the left edge
        tx = width
    out = [
        f'<rect class="overview-dense" x="{_n(x0)}" y="{_n(base + 2)}" width="{_n(max(x1 - x0, 2))}"'
        f' height="5" fill="currentColor"/>',
        f'<text class="overview-dense-label" x="{_n(tx)}" y="{_n(ty)}" text-anchor="{anchor}"'
        f' font-size="{FONT}" font-weight="bold" fill="currentColor">{escape(text)}</text>',
    ]
    if column_top - (ty + 6) > 4:
        out.append(f'<line class="overview-dense-label" x1="{_n(centre)}" y1="{_n(ty + 6)}" x2="{_n(centre)}"'
                   f' y2="{_n(column_top - 2)}" stroke="currentColor" stroke-width="1.5"/>')
    return out


# ---- Aggregated bars ----

GRAINS = ("month", "year", "decade")


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


def _aggregated(events: list[Event], axis: Axis, root: str) -> str:
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
        name = _bin_name(grain, members[0].date, start)
        coarse = grain != _grain(_stretch_of(axis, start))  # events dated less precisely than the bars
        if coarse:
            name += " (month not known)"
        label = f"{name}: {count} event{'' if count == 1 else 's'}"
        height = max(2.0, HIST_HEIGHT * count / most)
        (x0, x1), *_ = axis.pieces(start, end)
        mark = Mark(f"{root}#year-{members[0].date.year}", label, "bin", coarse, ((x0, x1),), height)
        parts.append(_draw_bin(mark, base))

    (grain, start, end), members = max(ordered, key=lambda item: len(item[1]))  # the earliest on a tie
    first = members[0].date
    short = f"{calendar.month_abbr[first.month]} {first.year}" if grain == "month" else _bin_name(grain, first, start)
    text = f"{short}: {len(members)} events"
    x0, x1 = axis.x(start), axis.x(end)
    if (x0 + x1) / 2 > WIDTH / 2:
        anchor, tx = "end", min(WIDTH - MARGIN / 2, x1 + 2)
    else:
        anchor, tx = "start", max(MARGIN / 2, x0 - 2)
    decor, bottom = _draw_axis(axis, base + 4)
    if len(members) >= 3:
        decor.append(f'<text class="overview-dense-label" x="{_n(tx)}" y="{_n(top - 12)}" text-anchor="{anchor}"'
                     f' font-size="{FONT}" font-weight="bold" fill="currentColor">{escape(text)}</text>')
    busiest = (first.year, first.month, len(members)) if grain == "month" and len(members) >= 3 else None
    return _svg(len(events), axis, events, decor, parts, bottom, busiest, aggregated=True)


def _bin_name(grain: str, date: EventDate, start: int) -> str:
    if grain == "month":
        return _month_name(date.year, date.month)
    if grain == "year":
        return str(date.year)
    return f"{datetime.date.fromordinal(start).year}s"


def _draw_bin(mark: Mark, base: float) -> str:
    (x0, x1), = mark.pieces
    width = max(x1 - x0 - 0.6, 0.8)  # a hairline between neighbours
    cls = "overview-mark overview-bin" + (" overview-hollow" if mark.hollow else "")
    style = ' fill-opacity="0.3" stroke="currentColor" stroke-width="1"' if mark.hollow else ""
    shape = (f'<rect class="{cls}" x="{_n(x0 + 0.3)}" y="{_n(base - mark.height)}" width="{_n(width)}"'
             f' height="{_n(mark.height)}" fill="currentColor"{style}/>')
    return _link(mark, shape)


# ---- Axis and frame ----

def _draw_axis(axis: Axis, axis_y: float) -> tuple[list[str], float]:
    """The axis lines, year ticks and labels, and the break; returns them and the chart's bottom."""
    lines, labels = [], []
    label_y = axis_y + 8 + FONT
    bottom = label_y + 6
    free_from = 0.0  # where the next label may start
    for index, stretch in enumerate(axis.stretches):
        lines.append(f"M{_n(stretch.x0)} {_n(axis_y)}H{_n(stretch.x1)}")
        first = datetime.date.fromordinal(stretch.start).year
        last = datetime.date.fromordinal(stretch.end - 1).year
        is_context = len(axis.stretches) > 1 and index == 0
        year_width = stretch.scale * 365.25
        tick_step = _step(year_width, 8)
        for year in range(first + (-first % tick_step), last + 1 + (1 if is_context else 0), tick_step):
            day = _year_start(year)
            if stretch.start <= day <= stretch.end:
                lines.append(f"M{_n(stretch.x(day))} {_n(axis_y)}v7")
        if is_context:
            text = str(first)
            if last > first:  # "2017–21", as in running text; "1998–2003" across a century
                text += f"–{last % 100:02d}" if last // 100 == first // 100 else f"–{last}"
            note = f"1/{axis.factor} scale"
            half = max(_text_width(text, FONT), _text_width(note, NOTE_FONT)) / 2
            middle = max((stretch.x0 + stretch.x1) / 2, half + 2)  # centred, unless that leaves the chart
            labels.append(_text("overview-label", middle, label_y, text, FONT, "middle"))
            labels.append(_text("overview-note", middle, label_y + NOTE_FONT + 6, note, NOTE_FONT, "middle"))
            bottom = label_y + NOTE_FONT + 12
            free_from = middle + _text_width(text, FONT) / 2 + 8
            continue
        label_step = _step(year_width, _text_width("2000", FONT) + 10)
        for year in range(first + (-first % label_step), last + 1, label_step):
            day = _year_start(year)
            x = stretch.x(day)
            if stretch.start <= day and x + 4 >= free_from and x + 4 + _text_width(str(year), FONT) <= WIDTH:
                labels.append(_text("overview-label", x + 4, label_y, str(year), FONT, "start"))
                free_from = x + 4 + _text_width(str(year), FONT) + 8
    out = [f'<path class="overview-axis" d="{"".join(lines)}" fill="none" stroke="currentColor"'
           f' stroke-width="1.5"/>']
    if len(axis.stretches) > 1:
        middle = (axis.stretches[0].x1 + axis.stretches[1].x0) / 2
        slashes = "".join(f"M{_n(middle + dx - 4)} {_n(axis_y + 8)}l8 -16" for dx in (-3.5, 3.5))
        out.append(f'<path class="overview-break" d="{slashes}" fill="none" stroke="currentColor"'
                   f' stroke-width="1.5"/>')
    out.append('<g aria-hidden="true">' + "".join(labels) + "</g>")
    return out, bottom


def _step(year_width: float, need: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step * year_width >= need:
            return step
    return 1000


def _text(cls: str, x: float, y: float, text: str, size: int, anchor: str) -> str:
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}"'
            f' fill="currentColor">{escape(text)}</text>')


def _svg(count: int, axis: Axis, events: list[Event], decor: list[str], marks: list[str], bottom: float,
         dense, aggregated: bool = False) -> str:
    first = min(e.date.year for e in events)
    last = max((e.end_date or e.date).year for e in events)
    years = f"{first} to {last}" if last > first else str(first)
    title = f"Overview: {count} event{'s' if count != 1 else ''}, {years}"
    description = ["Each event is a link, in date order." if not aggregated else
                   "Each bar counts the events of a month or year and links to that year in the timeline."]
    if len(axis.stretches) > 1:
        context, main = axis.stretches
        a = datetime.date.fromordinal(context.start).year
        b = datetime.date.fromordinal(context.end - 1).year
        description.append(f"Years {a} to {b} are drawn at 1/{axis.factor} of the scale of the later years.")
    if dense:
        year, month, n = dense
        description.append(f"Busiest month: {_month_name(year, month)}, with {n} events.")
    height = _n(bottom)
    return (
        f'<svg xmlns="{SVG_NS}" class="overview-chart" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' role="group" aria-labelledby="overview-title" aria-describedby="overview-desc">'
        f'<title id="overview-title">{escape(title)}</title>'
        f'<desc id="overview-desc">{escape(" ".join(description))}</desc>'
        + "".join(decor) + "".join(marks) + "</svg>"
    )


def _n(value: float) -> str:
    """A coordinate, rounded to a tenth: short, and the same on every machine."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
