"""One mark per event: its shape on the axis, its target, and the row it is stacked in.

A dot for a day, a bar spanning the month or the year for month- or year-precision dates, a bar from
start to end for ranges. Behind each mark its link holds an invisible square HIT units wide; marks
whose squares would overlap are stacked in rows above the axis, the earliest lowest.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Event
from .overview_axis import Axis, interval
from .overview_geometry import HIT, WIDTH, Box, R


@dataclass(frozen=True)
class Mark:
    href: str
    name: str  # the accessible name
    kind: str  # "day", "period", "range" or "bin"
    hollow: bool
    pieces: tuple[tuple[float, float], ...]  # x extents (a dot has one, of zero width)
    height: float = 2 * R  # bins only


def event_mark(event: Event, axis: Axis, href: str) -> Mark:
    start, end = interval(event)
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
    return Mark(href, name, kind, hollow, tuple(widen(x0, x1, 2 * R) for x0, x1 in axis.pieces(start, end)))


def widen(x0: float, x1: float, least: float) -> tuple[float, float]:
    """An extent at least `least` wide, centred on the true one, so that it can be seen or tapped."""
    if x1 - x0 >= least:
        return x0, x1
    middle = (x0 + x1) / 2
    return middle - least / 2, middle + least / 2


def visible(mark: Mark) -> tuple[float, float]:
    if mark.kind == "day":
        x = mark.pieces[0][0]
        return x - R, x + R
    return mark.pieces[0][0], mark.pieces[-1][1]


def reach(mark: Mark) -> tuple[float, float]:
    """The x extent of a mark's target: the mark, widened to HIT, and inside the chart (which clips)."""
    lo, hi = widen(*visible(mark), HIT)
    shift = max(0.0, -lo) - max(0.0, hi - WIDTH)
    return lo + shift, hi + shift


def levels_of(reaches: list[tuple[float, float]]) -> list[int]:
    """The row of each mark: the lowest where its target overlaps no target placed before it.

    Marks are placed in date order, so the marks of one date form a column, earliest at the bottom;
    x is never changed.
    """
    levels: list[int] = []
    for index, (lo, hi) in enumerate(reaches):
        taken = {levels[j] for j in range(index) if reaches[j][0] < hi - 0.05 and lo < reaches[j][1] - 0.05}
        levels.append(min(set(range(len(taken) + 1)) - taken))
    return levels


def row_y(row: int) -> float:
    """The middle of a row, relative to the axis: row 0's targets end 6 units below the axis line."""
    return 6 - HIT * (row + 0.5)


def shape_boxes(mark: Mark, level: int) -> list[Box]:
    cy = row_y(level)
    if mark.kind == "day":
        x = mark.pieces[0][0]
        return [(x - R, cy - R, x + R, cy + R)]
    return [(x0, cy - R, x1, cy + R) for x0, x1 in mark.pieces]


def target_box(reach: tuple[float, float], level: int) -> Box:
    cy = row_y(level)
    return reach[0], cy - HIT / 2, reach[1], cy + HIT / 2
