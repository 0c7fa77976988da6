"""Where pages go: long lists cut into pages of a readable size at the boundaries of their groups
(a year's months, a topic's years, the publishers of an initial), and each page's address.
Pure: the limits come from render.py, read when a build starts.
"""

from __future__ import annotations

import calendar
import posixpath
import unicodedata
from collections.abc import Iterable
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

from .fields import slugify
from .model import Event, Source, Timeline

Group = tuple[Any, list[Any], bool]  # (key, items, continued: the group began on the page before)


def split_pages(folder: str, groups: list[tuple[Any, list[Any]]], limit: int) -> list[tuple[str, list[Group]]]:
    """Consecutive groups (a year's months, a topic's years, an initial's publishers) cut into pages
    of at most `limit` items and of about equal size, each group whole where it fits on a page.
    The first page is `folder`, the next ones `folder`2/, `folder`3/ …"""
    total = sum(len(items) for _, items in groups)
    count = -(-total // limit) or 1
    target = -(-total // count)
    cut: list[list[Group]] = [[]]
    size = 0
    for key, items in groups:
        for start in range(0, len(items), limit):
            piece = items[start:start + limit]
            if size and (size + len(piece) > limit or size >= target):
                cut.append([])
                size = 0
            cut[-1].append((key, piece, start > 0))
            size += len(piece)
    return [(folder + (f"{n}/" if n > 1 else ""), groups) for n, groups in enumerate(cut, 1)]


def page_contents(cut: list[tuple[str, list[Group]]]) -> list[tuple[Any, int, str]]:
    """Each group once, as an index names it: (key, its number of items, the page it begins on)."""
    found: dict[Any, list[Any]] = {}
    for folder, groups in cut:
        for key, items, _ in groups:
            found.setdefault(key, [0, folder])[0] += len(items)
    return [(key, count, folder) for key, (count, folder) in found.items()]


def root_of(folder: str) -> str:
    """The relative path from a page's folder back to the site's root."""
    return "../" * folder.count("/")


def year_pages(year: int, events: list[Event], limit: int) -> list[tuple[str, list[Group]]]:
    """The pages of a year on a paged timeline, in months (month 0: events dated to the year only):
    years/YYYY/, and years/YYYY/2/ … for a year of more than `limit` events."""
    months = [(month, list(es)) for month, es in groupby(events, key=lambda e: e.date.month or 0)]
    return split_pages(f"years/{year}/", months, limit)


def event_places(timeline: Timeline, limit: int) -> dict[str, str]:
    """On a paged timeline, the folder of the year page that holds each event's card, by slug."""
    return {event.slug: folder for year, events in timeline.years()
            for folder, groups in year_pages(year, events, limit)
            for _, part, _ in groups for event in part}


def month_heading(year: int, month: int) -> tuple[str, str]:
    """A month's heading on its year's page: (id, label)."""
    if not month:
        return f"month-{year}-unknown", "Month unknown"
    return f"month-{year}-{month:02d}", calendar.month_name[month]


def by_year(events: list[Event]) -> list[tuple[int, list[Event]]]:
    return [(year, list(es)) for year, es in groupby(events, key=lambda e: e.date.year)]


def initial(name: str) -> str:
    """The letter a publisher is filed under: the first of its name as printed, accents dropped
    ('Le Courrier' under L, 'The Times' under T); '#' for a name that starts with no letter."""
    first = next((c for c in unicodedata.normalize("NFKD", name) if c.isalnum()), "#")
    return first.upper() if first.isascii() and first.isalpha() else "#"


def by_publisher(sources: Iterable[Source]) -> list[tuple[str, list[tuple[tuple[str, str], list[Source]]]]]:
    """Sources by the initial of their publisher, then by publisher (each with a unique id for its
    heading, which no source id can take: those have no '--'), each publisher's oldest first."""
    by_name: dict[str, list[Source]] = {}
    for source in sources:
        by_name.setdefault(source.publisher, []).append(source)
    letters: dict[str, list[tuple[tuple[str, str], list[Source]]]] = {}
    taken: set[str] = set()
    for name in sorted(by_name, key=lambda n: (unicodedata.normalize("NFKD", n).casefold(), n)):
        anchor = base = "publisher--" + (slugify(name) or "unnamed")
        while anchor in taken:
            anchor = f"{base}-{len(taken)}"
        taken.add(anchor)
        listed = sorted(by_name[name], key=lambda s: (s.published.sort_key(), s.id))
        letters.setdefault(initial(name), []).append(((anchor, name), listed))
    return sorted(letters.items(), key=lambda item: (item[0] == "#", item[0]))


def letter_folder(letter: str) -> str:
    return f"sources/{letter.lower() if letter != '#' else 'other'}/"


def page_url(base_url: str, path: str) -> str:
    """The canonical address of an output file: '.../events/x/' rather than '.../events/x/index.html'."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    pretty = path[: -len("index.html")] if posixpath.basename(path) == "index.html" else path
    return base + pretty


def base_path(base_url: str) -> str:
    """The site's path on its host ('/' or '/project/'): the 404 page is served at any depth."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"
