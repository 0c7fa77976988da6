"""Quotes checked against a source's stored text, and links that land on the quoted words.

Normalising is deliberately narrow: white space, typographic quotes, dashes and the ellipsis
character. Case, spelling and punctuation otherwise must match: a quote is the source's words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import quote as percent_encode

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")
# Every dash, spaced or not, single or doubled, reads the same: "a -- b", "a - b", "a—b", "a-b".
# Applied after white space is collapsed, so no run of spaces is ever scanned twice.
_DASHES = re.compile(r" ?-+ ?")


def normalise(text: str) -> str:
    text = _SPACE.sub(" ", text.translate(_TRANSLATE).replace("\u2026", "..."))
    return _DASHES.sub(" - ", text).strip()


def is_quoted_in(quote: str, snapshot: str) -> bool:
    return normalise(quote) in _normalised_snapshot(snapshot)


@functools.lru_cache(maxsize=65536)  # every snapshot of a large site: a few MB
def _normalised_snapshot(snapshot: str) -> str:
    """A snapshot is quoted by several events: normalised once (the cache key is the text itself,
    whose hash Python computes once per string)."""
    return normalise(snapshot)


def closest_passage(quote: str, snapshot: str) -> str:
    """The stretch of the snapshot most like the quote, so the editor can see what differs."""
    wanted, text = normalise(quote), normalise(snapshot)
    if not wanted or not text:
        return ""
    low, high = _neighbourhood(wanted, text)
    # Within it, align both ends of the quote with the text.
    blocks = [b for b in SequenceMatcher(None, text[low:high], wanted, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return ""  # nothing in common, not even a letter
    start = low + max(0, blocks[0].a - blocks[0].b)
    end = low + blocks[-1].a + blocks[-1].size + (len(wanted) - blocks[-1].b - blocks[-1].size)
    start, end = max(0, start), min(len(text), end)
    # Widen to whole words so the editor sees recognisable text (a few words at most: a snapshot
    # of one long line must not make a hint of megabytes).
    floor, ceiling = max(0, start - 40), min(len(text), end + 40)
    while start > floor and text[start - 1] != " ":
        start -= 1
    while end < ceiling and text[end] != " ":
        end += 1
    return text[start:end].strip()


def _neighbourhood(wanted: str, text: str) -> tuple[int, int]:
    """Where in `text` the quote most likely belongs: around the first three words the two share,
    found with a dictionary (linear time), or else around their longest common run of characters."""
    words = wanted.split(" ")
    anchor = None
    if len(words) >= 3:
        positions: dict[str, int] = {}
        offset = 0
        text_words = text.split(" ")
        for i in range(len(text_words) - 2):
            positions.setdefault(" ".join(text_words[i:i + 3]), offset)
            offset += len(text_words[i]) + 1
        for i in range(len(words) - 2):
            found = positions.get(" ".join(words[i:i + 3]))
            if found is not None:
                anchor = (found, len(" ".join(words[:i])) + (1 if i else 0))
                break
    if anchor is None:
        window = text if len(text) * len(wanted) <= 20_000_000 else text[: 20_000_000 // max(1, len(wanted))]
        match = SequenceMatcher(None, window, wanted, autojunk=False).find_longest_match(0, len(window), 0, len(wanted))
        anchor = (match.a, match.b)
    a, b = anchor
    return max(0, a - b - len(wanted) // 2), min(len(text), a + (len(wanted) - b) + len(wanted) // 2)


def text_fragment_url(url: str, quote: str) -> str:
    """`url#:~:text=…`: browsers that support text fragments scroll to and highlight the words.

    A long quote is given as its first and last words (textStart,textEnd), which survives small
    differences in between, such as a line break or a link inside the quoted passage.
    """
    words = quote.split()
    if len(words) > 10:
        directive = f"{_fragment(' '.join(words[:5]))},{_fragment(' '.join(words[-5:]))}"
    else:
        directive = _fragment(" ".join(words))
    base = url.split("#", 1)[0]
    return f"{base}#:~:text={directive}"


def _fragment(text: str) -> str:
    # '-', ',' and '&' have meanings in the directive, so they are always percent-encoded.
    return percent_encode(text, safe="").replace("-", "%2D")


# Quotations in an event's prose. A straight quote opens after a space or an opening bracket and
# closes before one; a single curly quote opens only where an apostrophe cannot be (after a space).
_OPENERS = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019", "'": "'", "\u00ab": "\u00bb"}
_BEFORE_OPENING = " \t\n([{\u2014\u2013-/"
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")
_EDGE_PUNCTUATION = " \t\n.,;:!?"


@dataclass(frozen=True)
class Quotation:
    text: str  # the words between the marks
    start: int  # offset of the opening mark
    end: int  # offset after the closing mark


_MARKS = re.compile("[\u201c\"\u2018'\u00ab]")


def quotations_in(text: str) -> list[Quotation]:
    """Spans of `text` in quotation marks, outermost only: “a ‘b’ c” is one quotation."""
    found: list[Quotation] = []
    resume = 0
    for match in _MARKS.finditer(text):
        i = match.start()
        if i < resume:
            continue  # inside the previous quotation
        mark = match.group()
        if (i == 0 or text[i - 1] in _BEFORE_OPENING) and i + 1 < len(text) and not text[i + 1].isspace():
            end = _closing(text, i + 1, _OPENERS[mark], mark in "'\u2018")
            if end is not None:
                found.append(Quotation(text[i + 1:end], i, end + 1))
                resume = end + 1
    return found


def _closing(text: str, start: int, closer: str, single: bool) -> int | None:
    j = text.find(closer, start)
    while j >= 0:
        after = text[j + 1] if j + 1 < len(text) else " "
        apostrophe = single and (after.isalnum() or not text[j - 1].strip())  # “it’s”, “officers’ ”
        if not apostrophe and not (closer == '"' and after.isalnum()):
            return j
        j = text.find(closer, j + 1)
    return None


def quotation_found(quotation: str, snapshot: str) -> bool:
    """The quotation's words are in the snapshot: each part, when an ellipsis joins several, in
    order; punctuation at its ends may differ (“… gravely.” quotes “… gravely,”)."""
    text = _normalised_snapshot(snapshot)
    position = 0
    for part in quotation_parts(quotation):
        wanted = normalise(part)
        found = text.find(wanted, position)
        if found < 0:
            return False
        position = found + len(wanted)
    return True


def quotation_parts(quotation: str) -> list[str]:
    parts = [p.strip(_EDGE_PUNCTUATION) for p in _ELLIPSIS.split(quotation)]
    return [p for p in parts if p] or [quotation]
