"""The overview chart of many events: bars counting the events of each month, quarter, year or span
of years, their heights proportional to their counts, each a link to the year it counts.

Every bar's target is at least HIT units wide (25.6px on a 390px phone, where WCAG 2.5.8 asks 24),
so a chart has room for about 13 bars across: the grain is the finest that leaves each bar that
much (months for a year of events, quarters for three, two-year bars for 26 years...). A bar's
target is its bin's width, widened into the free room beside it when the bin is narrower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import escape

from .model import EventDate
from .overview_axis import Axis, Dates, Stretch, make_axis, years_text
from .overview_bins import (
    GRAINS,
    WHOLE,
    Bin,
    Grain,
    bin_href,
    bin_name,
    bin_of,
    clipped_years,
)
from .overview_draw import draw_axis, link, svg
from .overview_geometry import (
    FONT,
    HIST_HEIGHT,
    HIT,
    MARGIN,
    MIN_BIN,
    WIDTH,
    n,
    text_width,
)
from .overview_marks import Mark, widen

TOP = 6 + FONT + 14  # the top of the tallest bar, under the busiest bar's label
BASE = TOP + HIST_HEIGHT  # the bottom of the bars; the axis is 4 below

Extent = tuple[float, float]


@dataclass(frozen=True)
class Layout:
    axis: Axis
    grains: tuple[Grain, ...]  # one per stretch: the compressed years' are coarser


@dataclass
class _Tally:
    """A bin's events: how many, and the first one's date (which names and links its bar)."""

    count: int
    first: EventDate


def bar_layout(dates: Dates) -> Layout:
    """The finest grain that leaves every bar of the main stretch a target HIT wide, on an axis that
    ends with its last bin and starts on a bin's first year (no bar is cut short); with room at each
    side for the labels centred under the first and last bars, when that room leaves targets HIT wide."""
    # The bin of the latest date ends last at any grain: a later date's bin never ends earlier, and
    # a date known only to the year sorts after its months (its bin is the year, when theirs are months).
    latest = max((group.first for group in dates.groups), key=lambda date: (date.year, date.month or 13))
    for grain in GRAINS:  # the coarsest, if none fits (none is known not to)
        end = bin_of(latest, grain).end
        axis = make_axis(dates.years, end, MARGIN, room=False, align=grain.years)
        if _fits(dates, axis, grain, -1):
            break
    margin = _label_margin(dates, axis, grain)
    if margin > MARGIN:
        roomy = make_axis(dates.years, end, margin, room=False, align=grain.years)
        axis = roomy if _fits(dates, roomy, grain, -1) else axis
    if len(axis.stretches) == 1:
        return Layout(axis, (grain,))
    # The compressed years: the finest grain of a year or more that fits, else one bar for them all.
    context = next((g for g in GRAINS if g.months >= 12 and _fits(dates, axis, g, 0)), WHOLE)
    return Layout(axis, (context, grain))


def _fits(dates: Dates, axis: Axis, grain: Grain, index: int) -> bool:
    """Does that stretch, with `grain` there, have bars of that grain, every bar wide enough to see
    (MIN_BIN) and its target HIT wide? (Far apart, bars of a few days would have room for targets,
    but not be seen; a year's bar among bars of months has its own extent as target.)"""
    stretch = axis.stretches[index]
    if stretch.scale * grain.most_days < MIN_BIN:  # no bar can be seen: spare counting the events
        return False
    layout = Layout(axis, tuple(grain if i == index % len(axis.stretches) else WHOLE
                                for i in range(len(axis.stretches))))
    bins = _bins(dates, layout)
    targets = _targets(bins, layout, index)
    for bin_ in bins:
        if axis.stretches[_stretch_index(axis, bin_.start)] == stretch:
            x0, x1 = _extent(bin_, stretch)
            lo, hi = targets.get(bin_, (x0, x1))
            if hi - lo < HIT - 0.05 or x1 - x0 < MIN_BIN:
                return False
    return bool(targets)


def _label_margin(dates: Dates, axis: Axis, grain: Grain) -> float:
    """The margin that centres the labels of the first and last bars under them (a label wider than
    its bar reaches past it, half on each side). Bars of months are labelled by year: none needed."""
    if grain.months < 12:
        return MARGIN
    main = axis.stretches[-1]
    bins = [b for b in _bins(dates, Layout(axis, (WHOLE,) * (len(axis.stretches) - 1) + (grain,)))
            if b.start >= main.start]
    need = 0.0
    for bin_ in (min(bins, key=lambda b: b.start), max(bins, key=lambda b: b.start)):
        x0, x1 = _extent(bin_, main)
        label = text_width(grain.label(*clipped_years(bin_, main)), FONT)
        need = max(need, math.ceil(label / 2 - (x1 - x0) / 2 + 6))
    return max(MARGIN, need)


def _stretch_index(axis: Axis, day: int) -> int:
    for index, stretch in enumerate(axis.stretches[:-1]):
        if day < stretch.end:
            return index
    return len(axis.stretches) - 1  # the last stretch, also for days past its end


def _bins(dates: Dates, layout: Layout) -> dict[Bin, _Tally]:
    """The events of each bin, bins by date: a wide one before the narrow ones it holds (drawn behind
    them, and first in tab order). An event counts in the stretch where it starts."""
    axis, grains = layout.axis, layout.grains
    # Each stretch's one bar for all its events, if it has one: the others bin each group by its date.
    whole = [Bin(s.start, s.end, 0) if g == WHOLE else None for s, g in zip(axis.stretches, grains)]
    made: dict[tuple[int, int, int | None], Bin] = {}  # bins of years hold many groups: each made once
    bins: dict[Bin, _Tally] = {}
    for group in dates.groups:  # in the order of their first events: a bin's first group holds its first
        index = _stretch_index(axis, group.start)
        date, grain = group.first, grains[index]
        key = (index, date.year, date.month if grain.months < 12 else None)
        if (bin_ := made.get(key)) is None:
            bin_ = made[key] = whole[index] or bin_of(date, grain)
        if tally := bins.get(bin_):
            tally.count += group.count
        else:
            bins[bin_] = _Tally(group.count, group.first)
    return dict(sorted(bins.items(), key=lambda item: (item[0].start, -item[0].end)))


def _extent(bin_: Bin, stretch: Stretch) -> Extent:
    """Where a bin is drawn: its days within its stretch (the compressed years' last bin may be cut)."""
    return stretch.x(max(bin_.start, stretch.start)), stretch.x(min(bin_.end, stretch.end))


def _hollow(bin_: Bin, grain: Grain) -> bool:
    """A year's bar among bars of months: for dates known only to the year."""
    return bin_.months == 12 and grain.months < 12


def _targets(bins: dict[Bin, _Tally], layout: Layout, index: int) -> dict[Bin, Extent]:
    """The x extent of each solid bar's target in a stretch: its bin, widened to HIT about its middle
    within the room around it. The room between two bars is shared at its middle; the first and last
    bars may reach the chart's edge, or the middle of the break between the stretches."""
    axis = layout.axis
    index %= len(axis.stretches)
    stretch = axis.stretches[index]
    solid = [b for b in bins if _stretch_index(axis, b.start) == index and not _hollow(b, layout.grains[index])]
    extents = [_extent(b, stretch) for b in solid]
    left = (axis.stretches[index - 1].x1 + stretch.x0) / 2 if index > 0 else 0.0
    right = (stretch.x1 + axis.stretches[index + 1].x0) / 2 if index + 1 < len(axis.stretches) else float(WIDTH)
    found = {}
    for i, (bin_, (x0, x1)) in enumerate(zip(solid, extents)):
        lo = left if i == 0 else (extents[i - 1][1] + x0) / 2
        hi = right if i == len(solid) - 1 else (x1 + extents[i + 1][0]) / 2
        a, b = widen(x0, x1, HIT)
        shift = max(0.0, lo - a) - max(0.0, b - hi)  # kept whole, moved aside, when there is room
        found[bin_] = (max(a + shift, lo), min(b + shift, hi))
    return found


def aggregated(dates: Dates, layout: Layout, root: str, on_page: bool) -> str:
    axis = layout.axis
    bins = _bins(dates, layout)
    targets = {b: t for index in range(len(axis.stretches)) for b, t in _targets(bins, layout, index).items()}
    most = max(tally.count for tally in bins.values())
    parts = []
    for bin_, tally in bins.items():
        index = _stretch_index(axis, bin_.start)
        stretch, hollow = axis.stretches[index], _hollow(bin_, layout.grains[index])
        count = tally.count
        name = bin_name(bin_, tally.first, stretch) + (" (month not known)" if hollow else "")
        label = f"{name}: {count} event{'' if count == 1 else 's'}"
        height = max(2.0, HIST_HEIGHT * count / most)
        mark = Mark(bin_href(bin_, tally.first, root, on_page), label, "bin", hollow,
                    (_extent(bin_, stretch),), height)
        parts.append(_draw_bin(mark, targets.get(bin_)))

    main, grain = axis.stretches[-1], layout.grains[-1]
    unit, name_of = (1, years_text) if grain.months < 12 else (grain.years, grain.label)
    decor, bottom = draw_axis(axis, BASE + 4, main.x1, unit, name_of)
    if any(_hollow(b, grain) for b in bins):
        bottom = max(bottom, BASE + 4 + HIT)  # room for the targets of the years' bars, under the axis
    busiest, tally = max(bins.items(), key=lambda item: item[1].count)  # the earliest on a tie
    if tally.count >= 3:
        stretch = axis.stretches[_stretch_index(axis, busiest.start)]
        text = f"{bin_name(busiest, tally.first, stretch, short=True)}: {tally.count} events"
        x0, x1 = _extent(busiest, stretch)
        if (x0 + x1) / 2 > WIDTH / 2:
            anchor, tx = "end", min(WIDTH - MARGIN / 2, x1 + 2)
        else:
            anchor, tx = "start", max(MARGIN / 2, x0 - 2)
        decor.append(f'<text class="overview-dense-label" x="{n(tx)}" y="{n(TOP - 12)}" text-anchor="{anchor}"'
                     f' font-size="{FONT}" font-weight="bold" fill="currentColor">{escape(text)}</text>')
    where = "its year below" if on_page else "its year's page"
    description = (f"Each bar counts the events of {grain.span}, and links to {where}"
                   f"{' (the first with events)' if grain.years > 1 else ''}.")
    return svg(dates, axis, description, decor, parts, bottom)


def _draw_bin(mark: Mark, target: Extent | None) -> str:
    (x0, x1), = mark.pieces
    inset = 0.5 if mark.hollow else 0.3  # a hairline between neighbours; a stroke inside its extent
    width = max(x1 - x0 - 2 * inset, 0.8)
    cls = "overview-mark overview-bin" + (" overview-hollow" if mark.hollow else "")
    style = ' fill-opacity="0.3" stroke="currentColor" stroke-width="1"' if mark.hollow else ""
    shape = (f'<rect class="{cls}" x="{n(x0 + inset)}" y="{n(BASE - mark.height)}" width="{n(width)}"'
             f' height="{n(mark.height)}" fill="currentColor"{style}/>')
    if target is None:
        # A year's bar spans the bars of its months, whose targets cover it: its own target is the
        # band of its year's label, under the axis.
        hit = (f'<rect class="overview-hit" x="{n(x0)}" y="{n(BASE + 4)}" width="{n(x1 - x0)}"'
               f' height="{HIT}" fill="transparent"/>')
    else:
        # The whole height of the plot is the target: a short bar is as easy to tap as a tall one.
        # Its edges rounded first, so that neighbouring targets meet and never overlap.
        lo, hi = (float(n(x)) for x in target)
        hit = (f'<rect class="overview-hit" x="{n(lo)}" y="{n(TOP - 4)}" width="{n(hi - lo)}"'
               f' height="{n(BASE + 4 - (TOP - 4))}" fill="transparent"/>')
    return link(mark, hit + shape)
