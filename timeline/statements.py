"""The statements of an event's Markdown, read from the tree Python-Markdown builds for the page.

Coverage, quotations and figures are decided on the same parse that is published (the same
converter settings and citation pattern as markup.py), not on regular expressions beside it: a
heading, a code block or a link definition is what Python-Markdown says it is.

Python-Markdown keeps no source lines, so each line of the text is tagged first with an invisible
private-use mark of its number, put where it cannot change how the line parses (after the
indentation, '>' and list marker; never on a line whose first characters decide its kind, such as
a heading, a rule or an HTML block). Each statement's words then carry the line they came from.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import markdown.treeprocessors
import markdown.util

from .markers import MARKER
from .markup import configure

_TAG_OPEN, _TAG_CLOSE = "\ue010", "\ue011"
_DIGIT = 0xE020  # line numbers are written with ten private-use digits
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_STASH = re.compile("\x02wzxhzdk:([0-9]+)\x03")
_TOKENS = re.compile(f"{_TAG_OPEN}([\ue020-\ue029]+){_TAG_CLOSE}|{_CITE_OPEN}([^{_CITE_CLOSE}]*){_CITE_CLOSE}|\x02wzxhzdk:([0-9]+)\x03")

# What may precede a line's content without deciding its kind: indentation, quote marks, a list marker.
_PREFIX = re.compile(r"^((?:[ \t]*>)*[ \t]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)?)")
_RULE_OR_UNDERLINE = re.compile(r"^[-=*_ \t]+$")
_REFERENCE = re.compile(r"^\[[^\]]+\]:")
_HTML_BLOCK_START = re.compile(r"^</?([A-Za-z][A-Za-z0-9-]*)|^<!|^<\?")
_BLOCKS = {"p", "li", "td", "th", "dd", "dt"}
_NESTED_BLOCKS = {"ul", "ol", "p", "blockquote", "pre", "table", "dl", "div",
                  "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_KIND = {"p": "paragraph", "li": "list item", "td": "table cell", "th": "table cell",
         "dd": "definition", "dt": "term"}
_SILENT_TAGS = ("script", "style", "template", "textarea", "title", "noscript")
WORD = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Span:
    """Text between citations, with the sources of the marker group that follows it."""

    text: str
    start: int  # offset in the block's text
    sources: tuple[str, ...]  # empty for text after the last marker


@dataclass(frozen=True)
class Block:
    """One statement-bearing block: a paragraph, list item or table cell, in reading order.

    `text` has no markers; `lines[i]` is the 0-based source line of `text[i]`."""

    kind: str
    text: str
    lines: tuple[int, ...]
    spans: tuple[Span, ...]
    markers: tuple[tuple[int, str], ...]  # (0-based line, source id) of every marker
    in_blockquote: bool = False
    raw_html: bool = False  # an HTML block: its text is published, but it can hold no citation
    html: str = ""  # the HTML block as written

    @property
    def line(self) -> int:
        return self.line_at(0)

    def line_at(self, offset: int) -> int:
        if not self.lines:
            return 0
        return self.lines[min(max(offset, 0), len(self.lines) - 1)]

    @property
    def states_something(self) -> bool:
        return bool(WORD.search(self.text))

    @property
    def sources(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for span in self.spans:
            seen.update(dict.fromkeys(span.sources))
        return tuple(seen)

    @property
    def uncited_tail(self) -> Span | None:
        """Words after the last citation (or, with no citation, the whole block)."""
        tail = self.spans[-1] if self.spans else None
        if tail is not None and not tail.sources and WORD.search(tail.text):
            return tail
        return None


def tag_lines(text: str) -> str:
    """Every line's content prefixed with its number, where that cannot change the parse."""
    tagged = []
    for number, line in enumerate(text.split("\n")):
        prefix = _PREFIX.match(line).group(1)  # type: ignore[union-attr]  # the pattern always matches
        rest = line[len(prefix):]
        block_start = _HTML_BLOCK_START.match(rest)
        if (not rest.strip() or rest.startswith(("#", "```", "~~~")) or _RULE_OR_UNDERLINE.match(line)
                or _REFERENCE.match(rest) or (block_start and _is_block_html(block_start.group(1)))):
            tagged.append(line)
        else:
            digits = "".join(chr(_DIGIT + int(d)) for d in str(number))
            tagged.append(f"{prefix}{_TAG_OPEN}{digits}{_TAG_CLOSE}{rest}")
    return "\n".join(tagged)


def _is_block_html(name: str | None) -> bool:
    # None: a comment or processing instruction, which Python-Markdown also treats as a block.
    return name is None or name.lower() in _BLOCK_LEVEL


_BLOCK_LEVEL = frozenset(markdown.util.BLOCK_LEVEL_ELEMENTS)


class _Capture(markdown.treeprocessors.Treeprocessor):
    root: etree.Element | None = None

    def run(self, root: etree.Element) -> None:
        self.root = root


class StatementReader:
    """One configured converter, reused (building one per text is the slow part)."""

    def __init__(self) -> None:
        self._md = configure(markdown.Markdown(extensions=[], output_format="html"))
        self._capture = _Capture(self._md)
        # Last of all (after 'unescape', priority 0): the tree as it is serialised for the page.
        self._md.treeprocessors.register(self._capture, "capture-statements", -1)

    def blocks(self, text: str) -> list[Block]:
        """Every block of `text` that can state something, in reading order."""
        self._md.reset()
        self._capture.root = None
        self._md.convert(tag_lines(_strip_private(text)))
        stash = list(self._md.htmlStash.rawHtmlBlocks)
        found: list[Block] = []
        if self._capture.root is not None:
            self._walk(self._capture.root, stash, found, in_quote=False)
        return [_placed(block, text) for block in found]

    def _walk(self, element: etree.Element, stash: list, found: list[Block], in_quote: bool) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCKS:
                block = _block(child, stash, _KIND[tag], in_quote)
                if block is not None:
                    found.append(block)
            if tag in ("pre", "code") or tag.startswith("h") and tag[1:].isdigit():
                continue  # code and headings state nothing
            self._walk(child, stash, found, in_quote or tag == "blockquote")


def _placed(block: Block, text: str) -> Block:
    """An HTML block whose lines could not be tagged (they start with '<') is found by its words."""
    if not block.raw_html or any(block.lines):
        return block
    first = next((line.strip() for line in str(block.html).split("\n") if line.strip()), "")
    offset = text.find(first) if first else -1
    line = text.count("\n", 0, offset) if offset >= 0 else 0
    return Block(block.kind, block.text, (line,) * len(block.text), block.spans, (), block.in_blockquote, True)


def _strip_private(text: str) -> str:
    """The marks this module and markup.py use can never come from the editor's text."""
    return re.sub("[\ue000-\ue0ff]", "", text)


def _block(element: etree.Element, stash: list, kind: str, in_quote: bool) -> Block | None:
    raw = "".join(_own_text(element))
    only_html = _STASH.fullmatch(raw.strip())
    if only_html and kind == "paragraph":
        return _html_block(str(stash[int(only_html.group(1))]), in_quote)
    return _parse(raw, stash, kind, in_quote)


def _own_text(element: etree.Element):
    """The element's text in reading order: inline children included, nested blocks (their own
    statements), code (states nothing) and attributes (alt text, titles: never seen) left out."""
    if element.text:
        yield element.text
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _NESTED_BLOCKS and tag != "code":
            yield from _own_text(child)
        if child.tail:
            yield child.tail


def _parse(raw: str, stash: list, kind: str, in_quote: bool) -> Block | None:
    text: list[str] = []
    lines: list[int] = []
    markers: list[tuple[int, str]] = []
    groups: list[tuple[int, list[str]]] = []  # (offset where the group starts, ids)
    line = 0
    silent = ""  # inside an inline <script> or <style>: published as nothing, so counts as nothing
    position = 0
    for token in _TOKENS.finditer(raw):
        if not silent:
            _append(raw[position:token.start()], line, text, lines)
        position = token.end()
        number, source_id, stashed = token.groups()
        if number is not None:
            line = int("".join(str(ord(c) - _DIGIT) for c in number))
        elif source_id is not None and not silent:
            markers.append((line, source_id))
            offset = len(text)
            if groups and groups[-1][0] == offset:
                groups[-1][1].append(source_id)
            else:
                groups.append((offset, [source_id]))
        elif stashed is not None:
            silent = _silence(str(stash[int(stashed)]), silent)
    if not silent:
        _append(raw[position:], line, text, lines)
    joined = "".join(text)
    spans = []
    start = 0
    for offset, ids in groups:
        spans.append(Span(joined[start:offset], start, tuple(ids)))
        start = offset
        # Only white space between two markers keeps them one group.
    spans.append(Span(joined[start:], start, ()))
    spans = _merge_groups(spans)
    return Block(kind, joined, tuple(lines), tuple(spans), tuple(markers), in_quote)


def _merge_groups(spans: list[Span]) -> list[Span]:
    """`…[^a] [^b]`: the white space between two markers does not end the first group."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].sources and span.sources and not span.text.strip():
            last = merged[-1]
            merged[-1] = Span(last.text, last.start, last.sources + span.sources)
        else:
            merged.append(span)
    return merged


def _append(piece: str, line: int, text: list[str], lines: list[int]) -> None:
    for character in piece:
        text.append(character)
        lines.append(line)
        if character == "\n":
            line += 1  # a line that could not be tagged: count on from the last tag


def _silence(html: str, silent: str) -> str:
    """The silent element an inline HTML tag opens, or "" once it is closed."""
    match = re.match(r"<\s*(/?)\s*([A-Za-z]+)", html)
    if not match:
        return silent
    closing, name = match.group(1), match.group(2).lower()
    if silent:
        return "" if closing and name == silent else silent
    return name if not closing and name in _SILENT_TAGS else ""


def _html_block(html: str, in_quote: bool) -> Block:
    """An HTML block is published (the sanitiser keeps its words), but Markdown inside it is not
    read, so a citation there is not a citation: it counts as text with none."""
    found = re.search(f"{_TAG_OPEN}([\ue020-\ue029]+){_TAG_CLOSE}", html)
    line = int("".join(str(ord(c) - _DIGIT) for c in found.group(1))) if found else 0
    words = re.sub(r"<(script|style|template|textarea)\b.*?</\1\s*>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    words = re.sub(r"<!--.*?-->|<[^>]*>", " ", words, flags=re.DOTALL)
    words = re.sub(f"{_TAG_OPEN}[\ue020-\ue029]+{_TAG_CLOSE}", "", words)
    words = MARKER.sub("", words)
    return Block("HTML block", words, (line,) * len(words), (Span(words, 0, ()),), (), in_quote, True, html)
