"""The statements of an event's Markdown, read from the tree Python-Markdown builds for the page.

Coverage, quotations and figures are decided on the same parse that is published (the same
converter settings and citation pattern as markup.py), not on regular expressions beside it: a
heading, a code block or a link definition is what Python-Markdown says it is.

Python-Markdown keeps no source lines, so each line of the text is tagged first with an invisible
private-use mark of its number, put where it cannot change how the text parses (see tag_lines).
Each statement's words then carry the line they came from, and the conversion, marks taken out,
is the page's own: render.py publishes it instead of converting the text again.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from dataclasses import dataclass, replace

import markdown
import markdown.treeprocessors

from .markers import MARKER
from .markup import InlinePatterns, configure, strip_private

_TAG_OPEN, _TAG_CLOSE = "\ue010", "\ue011"
_DIGIT = 0xE020  # line numbers are written with ten private-use digits
_TO_PRIVATE = str.maketrans({str(d): chr(_DIGIT + d) for d in range(10)})
_FROM_PRIVATE = str.maketrans({chr(_DIGIT + d): str(d) for d in range(10)})
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_LINE_MARK = re.compile(f"{_TAG_OPEN}([\ue020-\ue029]+){_TAG_CLOSE}")
_STASH = re.compile("\x02wzxhzdk:([0-9]+)\x03")  # Python-Markdown's placeholder for stashed raw HTML
_TOKENS = re.compile(f"{_LINE_MARK.pattern}|{_CITE_OPEN}([^{_CITE_CLOSE}]*){_CITE_CLOSE}|{_STASH.pattern}")

# What may precede a line's content without deciding its kind: indentation, quote marks, a list marker.
_PREFIX = re.compile(r"^((?:[ \t]*(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t])))*[ \t]*)")
_TAB_LENGTH = 4  # Python-Markdown's default
_LINK_CHARACTERS = ("[", "]", "(", ")", "<", ">", '"', "'")
_RULE_OR_UNDERLINE = re.compile(r"^[-=*_ \t]+$")
_REFERENCE = re.compile(r"^\[[^\]]+\]:")
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

    `text` has no markers; `line_at(i)` is the 0-based source line of `text[i]`."""

    kind: str
    text: str
    lines: tuple[tuple[int, int], ...]  # (offset, 0-based line of the text from that offset on)
    spans: tuple[Span, ...]
    markers: tuple[tuple[int, str], ...]  # (0-based line, source id) of every marker
    in_blockquote: bool = False
    raw_html: bool = False  # an HTML block: its text is published, but it can hold no citation
    html: str = ""  # the HTML block as written
    anchored: bool = True  # False: no line of it carried a mark, so its lines are relative

    @property
    def line(self) -> int:
        return self.line_at(0)

    def line_at(self, offset: int) -> int:
        return _line_at(self.lines, offset)

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


@dataclass(frozen=True)
class Reading:
    blocks: list[Block]
    html: str  # Python-Markdown's output, as the page shows it
    # (0-based line, source id) of each marker written in the text that readers do not see as a
    # citation: inside a link's address or title, an image's description, code, a comment, HTML.
    hidden: list[tuple[int, str]]


def _hidden_markers(text: str, blocks: list[Block]) -> list[tuple[int, str]]:
    """The markers of the text that no block shows: each id's occurrences, less those seen."""
    written: dict[str, list[int]] = {}
    for match in MARKER.finditer(text):
        written.setdefault(match.group(1), []).append(text.count("\n", 0, match.start()))
    seen: dict[str, list[int]] = {}
    for block in blocks:
        for line, source_id in block.markers:
            seen.setdefault(source_id, []).append(line)
    hidden = []
    for source_id, lines in written.items():
        shown = list(seen.get(source_id, []))
        unmatched = []
        for line in lines:
            if line in shown:
                shown.remove(line)
            else:
                unmatched.append(line)
        extra = len(lines) - len(seen.get(source_id, []))
        hidden += [(line, source_id) for line in unmatched[:max(extra, 0)]]
    return sorted(hidden)


def tag_lines(text: str) -> str:
    """Every line's content prefixed with its number, where that cannot change the parse.

    The mark goes after the indentation, '>' and list markers (and tabs are expanded first, as
    Python-Markdown does). Not marked: a line whose first characters decide what it is (a heading,
    a rule or underline, a fence, a link definition, HTML), or could close or open something
    begun elsewhere (a code span, emphasis, a link over a line break: it starts with '`', '*',
    '_', a bracket, a quotation mark or '<', or the line before ends with a bracket or a quotation
    mark). Their lines are counted on from the previous mark. tests/test_statements.py checks
    that the marked text converts exactly as the text does, marks aside."""
    tagged = []
    previous = ""
    # Tabs first, as Python-Markdown expands them: a mark before a tab would move its stop.
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(_TAB_LENGTH)
    for number, line in enumerate(text.split("\n")):
        prefix = _PREFIX.match(line).group(1)  # type: ignore[union-attr]  # the pattern always matches
        rest = line[len(prefix):]
        # Past any other white space too (U+2028, U+0085…), which Python-Markdown strips from a
        # block's start: a mark before it would keep it.
        spaces = len(rest) - len(rest.lstrip())
        prefix, rest = prefix + rest[:spaces], rest[spaces:]
        ends_open = previous.rstrip().endswith(_LINK_CHARACTERS)
        previous = line
        if (not rest.strip() or rest.startswith(("#", "`", "~~~", "*", "_", *_LINK_CHARACTERS)) or ends_open
                or _RULE_OR_UNDERLINE.match(rest) or _REFERENCE.match(rest)):
            tagged.append(line)
        else:
            digits = str(number).translate(_TO_PRIVATE)
            tagged.append(f"{prefix}{_TAG_OPEN}{digits}{_TAG_CLOSE}{rest}")
    return "\n".join(tagged)


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
        self._patterns = InlinePatterns(self._md)

    def blocks(self, text: str) -> list[Block]:
        """Every block of `text` that can state something, in reading order."""
        return self.reading(text).blocks

    def reading(self, text: str) -> Reading:
        """The blocks, the hidden markers, and Python-Markdown's output for the text: the very
        conversion the page shows (the line marks taken out), so render.py need not convert it again."""
        self._md.reset()
        self._capture.root = None
        text = strip_private(text)
        tagged = tag_lines(text)
        self._patterns.limit_to(tagged)
        html = self._md.convert(tagged)
        stash = list(self._md.htmlStash.rawHtmlBlocks)
        found: list[Block] = []
        if self._capture.root is not None:
            self._walk(self._capture.root, stash, found, in_quote=False)
        placed: list[Block] = []
        for block in found:
            placed.append(_placed(block, text, placed[-1].line if placed else 0))
        return Reading(placed, _LINE_MARK.sub("", html), _hidden_markers(text, placed))

    def _walk(self, element: etree.Element, stash: list[str | etree.Element], found: list[Block], in_quote: bool) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCKS:
                found.append(_block(child, stash, _KIND[tag], in_quote))
            if tag in ("pre", "code") or tag.startswith("h") and tag[1:].isdigit():
                continue  # code and headings state nothing
            self._walk(child, stash, found, in_quote or tag == "blockquote")


def _placed(block: Block, text: str, after: int) -> Block:
    """A block none of whose lines could carry a mark (an HTML block, a line after a bracket) is
    found in the text by its first words, looking from the line of the block before it."""
    if block.anchored:
        return block
    source = block.html or block.text
    words = re.findall(r"[^\W_]+", _LINE_MARK.sub("", re.sub(r"<[^>]*>", " ", source)))[:4]
    found = 0
    if words:
        start = 0
        for _ in range(after):  # the offset of line `after`
            start = text.find("\n", start) + 1
        match = re.compile(r"\W+".join(map(re.escape, words))).search(text, start)
        found = text.count("\n", 0, match.start()) if match else after
    table = tuple((offset, found + line) for offset, line in block.lines)
    return replace(block, lines=table, anchored=True,
                   markers=tuple((found + line, source_id) for line, source_id in block.markers))


def _block(element: etree.Element, stash: list[str | etree.Element], kind: str, in_quote: bool) -> Block:
    raw = "".join(_own_text(element))
    only_html = _STASH.fullmatch(raw.strip())
    if only_html and kind == "paragraph":
        return _html_block(str(stash[int(only_html.group(1))]), in_quote)
    return _parse(raw, stash, kind, in_quote)


def _own_text(element: etree.Element) -> Iterator[str]:
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


def _parse(raw: str, stash: list[str | etree.Element], kind: str, in_quote: bool) -> Block:
    pieces: list[str] = []
    length = 0
    newlines: list[int] = []  # offsets just after each line break of the text
    marks: list[tuple[int, int]] = []  # (offset, line) of each line mark
    markers: list[tuple[int, str]] = []  # (offset, source id)
    groups: list[tuple[int, list[str]]] = []  # (offset where the group starts, ids)
    silent = ""  # inside an inline <script> or <style>: published as nothing, so counts as nothing
    position = 0

    def add(piece: str) -> None:
        nonlocal length
        if not piece:
            return
        newline = piece.find("\n")
        while newline >= 0:
            newlines.append(length + newline + 1)
            newline = piece.find("\n", newline + 1)
        pieces.append(piece)
        length += len(piece)

    for token in _TOKENS.finditer(raw):
        if not silent:
            add(raw[position:token.start()])
        position = token.end()
        number, source_id, stashed = token.groups()
        if number is not None:
            marks.append((length, _line_number(number)))
        elif source_id is not None and not silent:
            markers.append((length, source_id))
            if groups and groups[-1][0] == length:
                groups[-1][1].append(source_id)
            else:
                groups.append((length, [source_id]))
        elif stashed is not None:
            silent = _silence(str(stash[int(stashed)]), silent)
    if not silent:
        add(raw[position:])
    joined = "".join(pieces)
    spans = []
    start = 0
    for offset, ids in groups:
        spans.append(Span(joined[start:offset], start, tuple(ids)))
        start = offset
    spans.append(Span(joined[start:], start, ()))
    lines = _line_table(newlines, marks)
    return Block(kind, joined, lines, tuple(_merge_groups(spans)),
                 tuple((_line_at(lines, offset), source_id) for offset, source_id in markers), in_quote,
                 anchored=bool(marks))


def _line_at(lines: tuple[tuple[int, int], ...], offset: int) -> int:
    """The line of the text at `offset`, from a table of (offset, line) where the line changes."""
    at = bisect.bisect_right(lines, (offset, float("inf"))) - 1
    return lines[at][1] if at >= 0 else 0


def _line_number(digits: str) -> int:
    return int(digits.translate(_FROM_PRIVATE))


def _line_table(newlines: list[int], marks: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """(offset, line) wherever the line changes. Between marks, lines are counted by line breaks;
    before the first mark, counted back from it (from 0 when the block has no mark at all)."""
    events = sorted([(offset, 1, 0) for offset in newlines] + [(offset, 2, line) for offset, line in marks])
    first = marks[0] if marks else None
    line = 0
    if first is not None:
        line = first[1] - sum(1 for offset in newlines if offset <= first[0])
    table: dict[int, int] = {0: line}
    for offset, kind, value in events:
        line = line + 1 if kind == 1 else value
        table[offset] = line
    return tuple(sorted(table.items()))


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
    found = _LINE_MARK.search(html)
    line = _line_number(found.group(1)) if found else 0
    words = re.sub(r"<(script|style|template|textarea)\b.*?</\1\s*>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    words = re.sub(r"<!--.*?-->|<[^>]*>", " ", words, flags=re.DOTALL)
    words = MARKER.sub("", _LINE_MARK.sub("", words))
    return Block("HTML block", words, ((0, line),), (Span(words, 0, ()),), (), in_quote, True, html,
                 anchored=found is not None)
