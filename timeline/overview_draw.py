"""SVG writing for the overview chart: marks and their links, labels, the axis, and the frame.

Only markup is made here; where things go was decided before. Every shape has a class the stylesheet
can target and paints with currentColor; text from content is escaped.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable

from markupsafe import escape

from .model import Event
from .overview_axis import Axis, Dates, Stretch, year_of, year_start, years_text
from .overview_geometry import FONT, HIT, LABEL_FONT, WIDTH, R, n, text_width
from .overview_labels import Callout, text_band
from .overview_marks import Mark, row_y

SVG_NS = "http://www.w3.org/2000/svg"


# ---- Marks ----

def draw_event(mark: Mark, event: Event, reach: tuple[float, float], level: int, callout: Callout | None,
               axis_y: float) -> str:
    cy = axis_y + row_y(level)
    # The target first, so that the visible mark is drawn over it: both are inside the link.
    hit = (f'<rect class="overview-hit" x="{n(reach[0])}" y="{n(cy - HIT / 2)}" width="{n(reach[1] - reach[0])}"'
           f' height="{HIT}" fill="transparent"/>')
    tags = f' data-tags="{escape(" ".join(event.tags))}"'
    a = link(mark, hit + _draw_shapes(mark, cy), tags)
    # The label before the link: drawn under the target it may share with its own mark, which then
    # takes the tap; and nothing see-through is drawn over the text (contrast checkers give up there).
    label = _draw_callout(callout, axis_y) if callout else ""
    return f'<g class="overview-event">{label}{a}</g>'


def _draw_shapes(mark: Mark, cy: float) -> str:
    cls = f"overview-mark overview-{mark.kind}" + (" overview-hollow" if mark.hollow else "")
    if mark.kind == "day":
        return f'<circle class="{cls}" cx="{n(mark.pieces[0][0])}" cy="{n(cy)}" r="{R}" fill="currentColor"/>'
    # A hollow bar's 2-unit stroke is drawn inside its true extent: inset by half the stroke.
    inset, paint = (1, ' fill-opacity="0.3" stroke="currentColor" stroke-width="2"') if mark.hollow else (0, "")
    return "".join(
        f'<rect class="{cls}" x="{n(x0 + inset)}" y="{n(cy - R + inset)}" width="{n(x1 - x0 - 2 * inset)}"'
        f' height="{n(2 * R - 2 * inset)}" rx="3" fill="currentColor"{paint}/>'
        for x0, x1 in mark.pieces
    )


def _draw_callout(callout: Callout, axis_y: float) -> str:
    """A label, hidden from assistive technology: the link's own name already says it all."""
    baseline = axis_y + row_y(callout.row) + 6
    out = ['<g class="overview-callout" aria-hidden="true">']
    if callout.pole is not None:
        top = axis_y + text_band(callout.row)[0] + 2
        foot = axis_y + row_y(callout.foot) - R - 1
        out.append(f'<path class="overview-pole" d="M{n(callout.pole)} {n(foot)}V{n(top)}" fill="none" stroke="currentColor"'
                   f' stroke-width="1.5"/>')
    out.append(f'<text x="{n(callout.x)}" y="{n(baseline)}" font-size="{LABEL_FONT}" text-anchor="{callout.anchor}"'
               f' fill="currentColor">{escape(callout.text)}</text></g>')
    return "".join(out)


def link(mark: Mark, shapes: str, extra: str = "") -> str:
    """A link named by its <title>: the name for assistive technology (SVG-AAM) and the tooltip.

    Not also aria-label: Chromium then exposes the <title> as a description equal to the name, and
    screen readers read it twice. axe-core's link-name rule accepts the <title> (checked with 4.14).
    """
    return (f'<a class="overview-link" href="{escape(mark.href)}"{extra}><title>{escape(mark.name)}</title>'
            f'{shapes}</a>')


# ---- Axis ----

def draw_axis(axis: Axis, axis_y: float, line_end: float, unit: int = 1,
              label: Callable[[int, int], str] = years_text) -> tuple[list[str], float]:
    """The axis lines (to `line_end`), year ticks and labels, and the break; and the chart's bottom.

    Labels name spans of `unit` years (`label(first, last)`), centred under them: years by default.
    """
    lines, labels = [], []
    label_y = axis_y + 8 + FONT
    bottom = label_y + 6
    free_from = 0.0  # where the next label may start
    for index, stretch in enumerate(axis.stretches):
        x1 = min(stretch.x1, line_end)
        lines.append(f"M{n(stretch.x0)} {n(axis_y)}H{n(x1)}")
        first = year_of(stretch.start)
        last = year_of(stretch.end - 1)
        tick_step = _step(stretch.scale * 365.25, 8)
        for year in range(first + (-first % tick_step), last + 2, tick_step):
            day = year_start(year)
            if stretch.start <= day <= stretch.end and stretch.x(day) <= x1 + 0.05:
                lines.append(f"M{n(stretch.x(day))} {n(axis_y)}v7")
        if len(axis.stretches) > 1 and index == 0:
            text, note = axis.compressed, "(compressed)"
            half = max(text_width(text, FONT), text_width(note, LABEL_FONT)) / 2
            middle = max((stretch.x0 + stretch.x1) / 2, half + 2)  # centred, unless that leaves the chart
            labels.append(_text("overview-label", middle, label_y, text, FONT))
            labels.append(_text("overview-note", middle, label_y + LABEL_FONT + 6, note, LABEL_FONT))
            bottom = label_y + LABEL_FONT + 12
            free_from = middle + text_width(text, FONT) / 2 + 8
            continue
        found, free_from = _year_labels(stretch, label_y, free_from, unit, label)
        labels += found
    out = [(f'<path class="overview-axis" d="{"".join(lines)}" fill="none" stroke="currentColor"'
            f' stroke-width="1.5"/>')]
    if len(axis.stretches) > 1:
        middle = (axis.stretches[0].x1 + axis.stretches[1].x0) / 2
        slashes = "".join(f"M{n(middle + dx - 4)} {n(axis_y + 8)}l8 -16" for dx in (-3.5, 3.5))
        out.append(f'<path class="overview-break" d="{slashes}" fill="none" stroke="currentColor"'
                   f' stroke-width="1.5"/>')
    out.append('<g aria-hidden="true">' + "".join(labels) + "</g>")
    return out, bottom


def _year_labels(stretch: Stretch, label_y: float, free_from: float, unit: int,
                 label: Callable[[int, int], str]) -> tuple[list[str], float]:
    """Labels centred under their spans of years, as many as fit; and where the next may start."""
    step = unit * _step(stretch.scale * 365.25 * unit, text_width(label(2000, 2000 + unit - 1), FONT) + 10)
    first = year_of(stretch.start)
    last = year_of(stretch.end - 1)
    labels = []
    for year in range(first - first % step, last + 1, step):
        lo = max(stretch.x(year_start(year)), stretch.x0)
        hi = min(stretch.x(year_start(year + unit)), stretch.x1)
        text = label(max(year, first), min(year + unit - 1, last))  # the first span may be cut
        half = text_width(text, FONT) / 2
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
    return (f'<text class="{cls}" x="{n(x)}" y="{n(y)}" font-size="{size}" text-anchor="middle"'
            f' fill="currentColor">{escape(text)}</text>')


# ---- The frame ----

def svg(dates: Dates, axis: Axis, description: str, decor: list[str], marks: list[str],
        bottom: float) -> str:
    count, first, last = dates.count, dates.years[0], dates.last
    years = f"{first} to {last}" if last > first else str(first)
    title = f"Overview: {count} event{'s' if count != 1 else ''}, {years}"
    sentences = [description]
    if len(axis.stretches) > 1:
        context = axis.stretches[0]
        a = year_of(context.start)
        b = year_of(context.end - 1)
        sentences.append(f"The years {a} to {b} are compressed: drawn {axis.factor} times smaller than the later years.")
    dense = _busiest_month(dates)
    if dense:
        year, month, most = dense
        sentences.append(f"Busiest month: {month_name(year, month)}, with {most} events.")
    return (
        f'<svg xmlns="{SVG_NS}" class="overview-chart" viewBox="0 0 {WIDTH} {n(bottom)}" width="100%"'
        f' role="group" aria-labelledby="overview-title" aria-describedby="overview-desc">'
        f'<title id="overview-title">{escape(title)}</title>'
        f'<desc id="overview-desc">{escape(" ".join(sentences))}</desc>'
        + "".join(decor) + "".join(marks) + "</svg>"
    )


def _busiest_month(dates: Dates) -> tuple[int, int, int] | None:
    """(year, month, count) of the month with most events dated in it (the earliest on a tie), if 3 or more."""
    counts = {(g.first.year, g.first.month): g.count for g in dates.groups if g.first.month is not None}
    if not counts:
        return None
    (year, month), count = max(sorted(counts.items()), key=lambda item: item[1])
    return (year, month, count) if count >= 3 else None


def month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"
