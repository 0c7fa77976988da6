"""The overview chart's sizes, in viewBox units, and how wide its text is: what every part measures with."""

from __future__ import annotations

# The chart is 560 units wide whatever the page width. On a phone 390px wide it is about 359px wide
# (the page's side padding is 4vw): 1 unit ≈ 0.64px there.
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

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_width(text: str, size: float) -> float:
    return sum(_ADVANCE.get(char, 1.0) for char in text) * size


def meet(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def n(value: float) -> str:
    """A coordinate, rounded to a tenth: short, and the same on every machine."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text
