"""The overview chart's time axis: which days an event covers, and where a day goes on x.

Days are proleptic Gregorian ordinals. One stretch maps days linearly to x; sparse leading years
can form a *context* stretch drawn at a whole-number fraction of the main scale. `dates_of` reads
the events' dates once, for everything the chart counts (events per month, the years they span).
"""

from __future__ import annotations

import calendar
import datetime
import math
from dataclasses import dataclass

from .model import Event, EventDate
from .overview_geometry import (
    CONTEXT_SHARE,
    CONTEXT_WORTH,
    FONT,
    GAP,
    WIDTH,
    text_width,
)


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
        return years_text(year_of(self.stretches[0].start), year_of(self.stretches[0].end - 1))


def years_text(first: int, last: int) -> str:
    """Years as in running text: "2017", "2017–21", "1998–2003" across a century ("5–9" before 1000)."""
    if last == first:
        return str(first)
    return f"{first}–{last % 100:02d}" if last // 100 == first // 100 and first >= 1000 else f"{first}–{last}"


# ---- Time ----

# Ordinals, not dates, past the last day: the day after 31 December 9999 has an ordinal but no date.
END_DAY = datetime.date.max.toordinal() + 1


def period(date: EventDate) -> tuple[int, int]:
    """The days [start, end) that a date of its precision covers."""
    if date.month is None:
        return year_start(date.year), year_start(date.year + 1)
    if date.day is None:
        return month_start(date.year, date.month), month_end(date.year, date.month)
    start = datetime.date(date.year, date.month, date.day).toordinal()
    return start, start + 1


def month_start(year: int, month: int) -> int:
    return datetime.date(year, month, 1).toordinal()


def month_end(year: int, month: int) -> int:
    """The day after the month's last (an ordinal: after December 9999 there is no date)."""
    return month_start(year, month) + calendar.monthrange(year, month)[1]


def month_after(end: int) -> int:
    """The first day of the month after the day before `end` (an exclusive end)."""
    day = datetime.date.fromordinal(min(max(end - 1, 1), END_DAY - 1))
    return month_end(day.year, day.month)


def interval(event: Event) -> tuple[int, int]:
    start, end = period(event.date)
    if event.end_date is not None:
        end = max(end, period(event.end_date)[1])
    return start, end


def year_start(year: int) -> int:
    """1 January of `year`, clamped to the calendar: before year 1 its first day, after 9999 its end.

    Bins and labels ask for the year after the last or the decade before the first (year 0)."""
    if year > datetime.MAXYEAR:
        return END_DAY
    return datetime.date(max(year, datetime.MINYEAR), 1, 1).toordinal()


def year_of(day: int) -> int:
    """The year holding `day`, clamped to the calendar (an axis may run past its last day)."""
    return datetime.date.fromordinal(min(max(day, 1), END_DAY - 1)).year


@dataclass(frozen=True)
class Group:
    """The events of one month, or of one year for dates known only to the year: what a bar holds
    whole at any grain, so bars are counted by group, not by event."""

    first: EventDate  # the first event's date, which names and links a bar
    start: int  # its first day, which puts the group in a stretch: stretches meet at the start of a year
    count: int


@dataclass(frozen=True)
class Dates:
    """What the chart needs of the events' dates, found in one pass over them: a bar chart tries
    several grains and axes, and with tens of thousands of events each pass is slow (memory reads)."""

    count: int
    groups: list[Group]  # in the order of their first events: thousands of events, a few hundred groups
    years: list[int]  # the years the events start in, sorted
    last: int  # the year of the last end (or date, for an event without an end)


def dates_of(events: list[Event]) -> Dates:
    """The events' Dates; the events in any order, each group's first is the first in that order."""
    firsts: dict[tuple[int, int | None], EventDate] = {}
    counts: dict[tuple[int, int | None], int] = {}
    years = []
    last = datetime.MINYEAR
    for event in events:
        date = event.date
        key = (date.year, date.month)
        if key in counts:
            counts[key] += 1
        else:
            firsts[key], counts[key] = date, 1
        years.append(date.year)
        if (end := (event.end_date or date).year) > last:
            last = end
    groups = [Group(date, period(date)[0], counts[key]) for key, date in firsts.items()]
    return Dates(len(events), groups, sorted(years), last)


# ---- The axis ----

def make_axis(years: list[int], end: int, margin: float, room: bool, align: int = 1) -> Axis:
    """A context stretch for sparse leading years (when worth it), then the main stretch to `end`.

    `years` are the years the events start in, sorted (Dates.years). The plot leaves `margin` on each
    side; with `room`, the scale runs a little past `end` so that the last year's label fits under its
    year. Stretches start on a multiple of `align` years (the bins of a bar chart, whole from the start).
    """
    first_year = years[0]
    first_year -= first_year % align  # may be year 0: its start is clamped to the calendar's
    start = year_start(first_year)
    right = WIDTH - margin

    # The context: the longest run of leading years holding at most max(1, 5%) of the event starts.
    # It ends before the latest year (from the third, up to the axis's last) that at most that many
    # events start before: the year of the first event past them, as the years are sorted.
    allowed = max(1, len(years) // 20)
    latest = year_of(end - 1) if allowed >= len(years) else min(year_of(end - 1), years[allowed])
    split = latest if latest >= first_year + 2 else None
    if split is not None and align > 1:
        split -= split % align
        split = split if split > first_year else None
    plot = right - margin
    if split is not None:
        middle = year_start(split)
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
    last_tick = year_start(year_of(end - 1))
    need = text_width("2000", FONT) + 4
    if last_tick <= start or need >= width:
        return end
    # (end - last_tick) * width / (end - start) >= need, solved for end
    wanted = math.ceil((last_tick * width - start * need) / (width - need))
    return wanted if end < wanted <= end + (end - start) / 5 else end
