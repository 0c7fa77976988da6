"""Editors' Markdown → safe HTML with numbered citations.

Order matters for safety: Markdown first, then the sanitiser (nh3, a binding to the Rust crate
ammonia) over everything the editor wrote, and only then our own citation links, which the
sanitiser never sees. Citations travel through Markdown as private-use placeholders that the
editor's text cannot contain (we strip those characters from it first).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

import markdown
import markdown.preprocessors
import markdown.treeprocessors
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from .digests import digest
from .markers import MARKER
from .memo import Memo

_OPEN, _CLOSE = "\ue000", "\ue001"
WORD_JOINER = "\u2060"  # no line break here: put before each citation marker
_PLACEHOLDER = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "br", "hr", "h2", "h3", "h4", "sup", "sub", "abbr", "q",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@dataclass
class CitedHtml:
    """Rendered Markdown and, per citation number, the ids of the markers that point to it."""

    html: Markup
    backlinks: dict[int, list[str]] = field(default_factory=dict)


class _CitationPattern(InlineProcessor):
    def handleMatch(  # type: ignore[override]  # InlineProcessor's signature; the stubs give Pattern's
        self, match: re.Match[str], data: str,
    ) -> tuple[str, int, int]:
        return AtomicString(f"{_OPEN}{match.group(1)}{_CLOSE}"), match.start(0), match.end(0)


def _demote_headings(md: markdown.Markdown) -> None:
    """The page owns h1: an editor's '# Heading' becomes h2, '##' h3, anything smaller h4."""

    class Shift(markdown.treeprocessors.Treeprocessor):
        def run(self, root: etree.Element) -> None:
            for element in root.iter():
                if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    element.tag = f"h{min(int(element.tag[1]) + 1, 4)}"

    md.treeprocessors.register(Shift(md), "shift-headings", 0)


class _HtmlBlocks(markdown.preprocessors.HtmlBlockPreprocessor):
    """Python-Markdown's finder of raw HTML blocks runs an HTML parser over the whole text; in a
    text without '<' or '&' that parser sees only text, and gives the lines back as they were."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("<" in line or "&" in line for line in lines):
            return lines
        return super().run(lines)


def configure(md: markdown.Markdown) -> markdown.Markdown:
    """The published converter's settings, shared with statements.py, which checks its tree."""
    # Above links (160), so [^id] is never read as a reference link.
    md.inlinePatterns.register(_CitationPattern(MARKER.pattern, md), "citation", 175)
    _demote_headings(md)
    md.preprocessors.register(_HtmlBlocks(md), "html_block", 20)  # in its place (Python-Markdown's priority)
    return md


# What each of Python-Markdown's inline patterns needs in a text to match anywhere in it. Trying
# every pattern on every piece of text is most of a conversion's time, and most texts have no
# '*', '<', '`' or '&', nor any '[' but those of citation markers (which the citation pattern,
# tried before the link patterns, takes out). No step of a conversion adds these characters, so a
# pattern that a text gives nothing to match is left out of its conversion: not a byte changes.
# A pattern not named here (a newer Python-Markdown's) is always tried.
_NEEDS = {
    "backtick": "`", "escape": "\\", "citation": "[",
    **dict.fromkeys(("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref"),
                    "link"),
    **dict.fromkeys(("autolink", "automail", "html"), "<"),
    "linebreak": "  ",
    "entity": "&",
    **dict.fromkeys(("not_strong", "em_strong", "em_strong2"), "*_"),
}


def _offers(text: str) -> set[str]:
    """What of _NEEDS the text has."""
    found = {need for need in ("`", "\\", "[", "<", "&") if need in text}
    if "*" in text or "_" in text:
        found.add("*_")
    if "  " in text or "\t" in text:  # a tab becomes spaces
        found.add("  ")
    if text.count("[") > len(MARKER.findall(text)):  # a '[' that starts no citation marker
        found.add("link")
    return found


class InlinePatterns:
    """Limits a converter's inline patterns, text by text, to those that can match in the text."""

    def __init__(self, md: markdown.Markdown) -> None:
        self._inline = md.treeprocessors["inline"]
        registry = md.inlinePatterns
        needs = {id(registry[name]): need for name, need in _NEEDS.items() if name in registry}
        self._patterns = [(pattern, needs.get(id(pattern))) for pattern in registry]  # in priority order

    def limit_to(self, text: str) -> None:
        offered = _offers(text)
        self._inline.inlinePatterns = [  # type: ignore[attr-defined]  # read by len() and index only
            pattern for pattern, need in self._patterns if need is None or need in offered]


# Citation anchors are made with this stand-in for the page's prefix and the prefix is put in
# afterwards, so one rendering (and one cache entry) serves every page that shows the text.
PREFIX = "\ue002"


class _NoMemo:
    def get(self, key: Any) -> Any:
        return None

    def put(self, key: Any, value: Any) -> None:
        pass


_PRIVATE = re.compile("[\ue000-\ue0ff]")


def strip_private(text: str) -> str:
    """The private-use marks this package uses as stand-ins can never come from an editor's text."""
    return _PRIVATE.sub("", text)


class MarkdownRenderer:
    """One configured Markdown converter, reused: building one per page is the slow part.

    A text is converted and sanitised once per build, whatever numbers and anchors its pages give
    its citations (those are put in afterwards), and not at all when validation, which parsed it
    to check its statements, hands over its conversion (`converted`). Results are kept in `memo`
    (the build cache), so a text unchanged since the last preview rebuild is not converted again.
    """

    def __init__(self, memo: Memo | None = None) -> None:
        self._md = configure(markdown.Markdown(extensions=[], output_format="html"))
        self._patterns = InlinePatterns(self._md)
        self.memo = memo or _NoMemo()
        # This build's results by the text itself: a dict lookup, where the memo's key is a digest.
        self._clean: dict[str, str] = {}
        self._converted: dict[str, str] = {}
        self._seen: dict[tuple[str, tuple[tuple[str, int], ...], str], tuple[str, dict[int, list[str]]]] = {}
        self._plain: dict[tuple[str, tuple[tuple[str, int], ...]], str] = {}

    def know(self, converted: tuple[tuple[str, str], ...]) -> None:
        """Python-Markdown's output for some texts, made by validation: no need to convert them."""
        for text, html in converted:
            self._converted.setdefault(text, html)

    def forget(self) -> None:
        """Let go of this build's results so far (each text's HTML and renderings); the memo keeps its own."""
        self._clean.clear()
        self._converted.clear()
        self._seen.clear()
        self._plain.clear()

    def render(self, text: str, numbers: dict[str, int], anchor_prefix: str, part: str = "") -> CitedHtml:
        """`numbers` maps source id → citation number; markers link to '#<prefix>-src-<n>'.

        `part` keeps marker ids unique when two texts of one event share a page (body, verdict).
        """
        numbered = tuple(sorted(numbers.items()))
        stored = self._seen.get((text, numbered, part))
        if stored is None:
            stored = _link_citations(self.sanitised(text), numbers, part)
            self._seen[text, numbered, part] = stored
        html, backlinks = stored
        return CitedHtml(
            Markup(html.replace(PREFIX, anchor_prefix)),
            {number: [a.replace(PREFIX, anchor_prefix) for a in anchors] for number, anchors in backlinks.items()},
        )

    def sanitised(self, text: str) -> str:
        """The text as sanitised HTML, its citations still placeholders."""
        clean = self._clean.get(text)
        if clean is None:
            key = ("html", digest(text))  # kept for this run only: see cache.py
            clean = self.memo.get(key)
            if clean is None:
                converted = self._converted.pop(text, None)
                clean = sanitise(converted if converted is not None else self.convert(text))
            self.memo.put(key, clean)
            self._clean[text] = clean
        return clean

    def cited_order(self, text: str) -> list[str]:
        """The source ids of the text's citation markers, in the order readers meet them."""
        return _PLACEHOLDER.findall(self.sanitised(text))

    def convert(self, text: str) -> str:
        self._md.reset()
        text = strip_private(text)
        self._patterns.limit_to(text)
        return self._md.convert(text)

    def plain(self, text: str, numbers: dict[str, int] | None = None) -> str:
        """Text without markup or citation markers, for a description. Made from the rendering
        that pages use (the same numbers give the same cache entry), not a conversion of its own."""
        numbers = numbers or {}
        key = (text, tuple(sorted(numbers.items())))
        if key not in self._plain:
            self._plain[key] = plain_text(self.render(text, numbers, "p").html)
        return self._plain[key]


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _link_citations(clean: str, numbers: dict[str, int], part: str) -> tuple[str, dict[int, list[str]]]:
    """Our own citation links, put in place of the placeholders after sanitising."""
    backlinks: dict[int, list[str]] = {}

    def link(match: re.Match[str]) -> str:
        source_id = match.group(1)
        number = numbers.get(source_id)
        if number is None:  # validation prevents this; show the marker rather than lose it
            return str(escape(f"[^{source_id}]"))
        anchors = backlinks.setdefault(number, [])
        anchor = f"{PREFIX}-{part}cite-{number}-{len(anchors) + 1}"
        anchors.append(anchor)
        # The word joiner keeps a marker on the line of the word it follows.
        return (
            f'{WORD_JOINER}<sup class="cite"><a id="{anchor}" href="#{PREFIX}-src-{number}" '
            f'aria-label="source {number}">[{number}]</a></sup>'
        )

    return _PLACEHOLDER.sub(link, clean), backlinks


_CITE = re.compile(f'{WORD_JOINER}?<sup class="cite">.*?</sup>')


def plain_text(html: str) -> str:
    """Rendered text without its citation markers or markup, on one line."""
    return " ".join(Markup(nh3.clean(_CITE.sub("", html), tags=set())).unescape().split())
