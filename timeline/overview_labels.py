"""Where the overview chart names events: the most important first, each where it overlaps nothing.

A label goes beside its mark or above it on a thin pole; events that find no free place are left
unnamed (their links still carry their names), so labels never overlap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import Event
from .overview_geometry import LABEL_CHARS, LABEL_FONT, WIDTH, Box, R, meet, text_width
from .overview_marks import Mark, row_y, shape_boxes, target_box, visible

# Words a shortened title should not end on.
_DANGLING = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


@dataclass(frozen=True)
class Callout:
    """An event's label: text in a row, beside its mark or above it on a pole."""

    text: str
    x: float  # where the text starts (anchor "start") or ends (anchor "end")
    anchor: str
    row: int
    pole: float | None = None  # the pole's x, for a label above its mark
    foot: int = 0  # the row of the mark the pole rises from


def _importance(event: Event) -> tuple[bool, int, tuple[Any, ...]]:
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


def text_band(row: int) -> tuple[float, float]:
    """The top and bottom of a label's text in a row (its baseline is 6 below the middle)."""
    return row_y(row) - 11, row_y(row) + 11


def _candidates(mark: Mark, level: int, text: str, top_row: int) -> Iterator[Callout]:
    """Where a label may go, best first: beside its mark, then above it on a pole, one row up or two;
    each first on the side with more of the chart (towards the middle, where there is room)."""
    v0, v1 = visible(mark)
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
    width = text_width(callout.text, LABEL_FONT)
    x0 = callout.x if callout.anchor == "start" else callout.x - width
    top, bottom = text_band(callout.row)
    boxes = [(x0, top, x0 + width, bottom)]
    if callout.pole is not None:
        boxes.append((callout.pole - 1, top, callout.pole + 1, row_y(callout.foot) - R - 1))
    return boxes


def place_callouts(events: list[Event], marks: list[Mark], reaches: list[tuple[float, float]],
                   levels: list[int], top_row: int) -> dict[int, Callout]:
    """Labels for the most important events, greedily: each where it overlaps nothing placed.

    Short forms first, so that more events are named; then each is lengthened where there is room.
    A label may not cover any visible mark, another mark's target or another label (nor come within
    6 units of one); it may cover its own mark's target (tapping it then opens its own event).
    """
    shapes = [box for mark, level in zip(marks, levels) for box in shape_boxes(mark, level)]
    targets = [target_box(reach, level) for reach, level in zip(reaches, levels)]
    placed: dict[int, Callout] = {}
    taken: dict[int, list[Box]] = {}  # what each placed label covers, with room around it

    def fits(callout: Callout, own: int) -> bool:
        others = [box for j, boxes in taken.items() if j != own for box in boxes]
        return all(2 <= box[0] and box[2] <= WIDTH - 2
                   and not any(meet(box, s) for s in shapes)
                   and not any(meet(box, t) for j, t in enumerate(targets) if j != own)
                   and not any(meet(box, o) for o in others)
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
