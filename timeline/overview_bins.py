"""The bins of the overview's bar chart: a grain of time, the bin holding a date, its name and its link.

Grains run from a month to a thousand years; bins of years start on a multiple of their length
(2000–04, 2005–09), so that neighbouring bars never share a year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from .model import EventDate
from .overview_axis import (
    Stretch,
    month_end,
    month_start,
    year_of,
    year_start,
    years_text,
)
from .overview_draw import month_name


@dataclass(frozen=True)
class Grain:
    """How much time one bar counts: 1 or 3 months, or a whole number of years (in months)."""

    months: int  # 0: the whole stretch, one bar (the compressed years, when no grain leaves room)

    @property
    def years(self) -> int:
        """What the stretches align to, in years: 1 for a grain of months."""
        return max(1, self.months // 12)

    @property
    def most_days(self) -> int:
        """No bin of this grain is longer."""
        return {1: 31, 3: 92}.get(self.months, 366 * self.years)

    @property
    def noun(self) -> str:
        """As in "events per …"."""
        named = {1: "month", 3: "quarter", 12: "year", 120: "decade", 1200: "century", 12000: "millennium"}
        return named.get(self.months, f"{self.years} years")

    @property
    def span(self) -> str:
        """As in "the events of …"."""
        return f"{self.years} years" if self.noun.endswith("years") else f"a {self.noun}"

    def label(self, first: int, last: int) -> str:
        """The axis label of a bin of this grain holding the years first–last (last cut at the stretch's end)."""
        if self.months == 120 and first % 10 == 0 and last == first + 9:
            return f"{first}s"
        return years_text(first, last)


# Finest first: the first that leaves every bar a target wide enough is taken.
GRAINS = tuple(Grain(m) for m in (1, 3, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000))
WHOLE = Grain(0)


@dataclass(frozen=True)
class Bin:
    start: int  # days [start, end)
    end: int
    months: int  # its grain's (12 for a year-precision date in a chart of months or quarters)


def bin_of(date: EventDate, grain: Grain) -> Bin:
    """The bin holding a date, never finer than the date's precision (not for WHOLE)."""
    if grain.months < 12:
        if date.month is None:  # the year is all that is known: its own, wider bar
            return Bin(year_start(date.year), year_start(date.year + 1), 12)
        first = date.month - (date.month - 1) % grain.months
        return Bin(month_start(date.year, first), month_end(date.year, first + grain.months - 1), grain.months)
    first_year = date.year - date.year % grain.years  # year 0 for the first bins: clamped to year 1
    return Bin(year_start(first_year), year_start(first_year + grain.years), grain.months)


def clipped_years(bin_: Bin, stretch: Stretch) -> tuple[int, int]:
    """The first and last years of a bin within its stretch (the whole-stretch bin, the first bins)."""
    return year_of(max(bin_.start, stretch.start)), year_of(min(bin_.end, stretch.end) - 1)


def bin_name(bin_: Bin, first: EventDate, stretch: Stretch, short: bool = False) -> str:
    """"March 2024", "January–March 2024", "2024", "2020s" or "2000–04" (short: "Mar 2024", "Jan–Mar 2024")."""
    if bin_.months in (1, 3) and first.month is not None:
        months = calendar.month_abbr if short else calendar.month_name
        start = first.month - (first.month - 1) % bin_.months
        if bin_.months == 1:
            return f"{months[start]} {first.year}" if short else month_name(first.year, start)
        return f"{months[start]}–{months[start + 2]} {first.year}"
    return Grain(bin_.months).label(*clipped_years(bin_, stretch))


def bin_href(bin_: Bin, first: EventDate, root: str, on_page: bool) -> str:
    """A bar's link: the home page's heading of its (first) year, or that year's page, at the month of
    its first event for a bar of months. The year of a span of years is its first with events."""
    if on_page:
        return f"#year-{first.year}"
    if bin_.months < 12 and first.month is not None:
        return f"{root}years/{first.year}/#month-{first.year}-{first.month:02d}"
    return f"{root}years/{first.year}/"
