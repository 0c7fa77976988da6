"""Reading what readers see from built HTML, for tests over whole sites: each article's citation
markers and source list."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class _Citations(HTMLParser):
    """Per <article class="event">: the numbers of its markers in order, and its source list's numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[dict] = []
        self._in_marker = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "article" and "event" in (attributes.get("class") or "").split():
            self.articles.append({"id": attributes.get("id"), "markers": [], "listed": []})
        elif tag == "sup" and attributes.get("class") == "cite":
            self._in_marker = True
        elif tag == "li" and self.articles and re.search(r"-src-(\d+)$", attributes.get("id") or ""):
            self.articles[-1]["listed"].append(int(attributes["id"].rsplit("-", 1)[1]))

    def handle_data(self, data):
        if self._in_marker and self.articles:
            self.articles[-1]["markers"].append(int(data.strip("[]")))
            self._in_marker = False


def articles(path: Path) -> list[dict]:
    parser = _Citations()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.articles
