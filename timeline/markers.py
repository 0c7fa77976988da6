"""Citation markers `[^source-id]` in an event's Markdown, found with the line they are on."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[\^([^\]\s]*)\]")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_FENCE_OPEN = re.compile(r"^\s{0,3}(```|~~~)")
# Blocks that state nothing and so need no citation.
_NOT_A_STATEMENT = re.compile(r"^\s{0,3}(#|(\*\s*){3,}$|(-\s*){3,}$|(_\s*){3,}$|\[[^\]]+\]:\s)")
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)


def prose_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Paragraph-like blocks, each a list of (0-based line, text) with code removed."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    fence = None
    # Comments are notes to editors, never shown: blank them out, keeping the line count.
    text = _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    for number, line in enumerate(text.split("\n")):
        opener = _FENCE_OPEN.match(line)
        if fence:
            if opener and opener.group(1) == fence:
                fence = None
            continue
        if opener:
            fence = opener.group(1)
        elif line.strip():
            current.append((number, _CODE_SPAN.sub("", line)))
            continue
        if current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def scan_citations(text: str) -> tuple[list[tuple[int, str]], list[int]]:
    """Every marker as (0-based line, source id), and the first lines of blocks that make a
    statement but cite nothing; code and comments are skipped."""
    markers: list[tuple[int, str]] = []
    uncited: list[int] = []
    for block in prose_blocks(text):
        found = [(number, match.group(1)) for number, line in block for match in MARKER.finditer(line)]
        markers.extend(found)
        if not found and not _NOT_A_STATEMENT.match("\n".join(line for _, line in block)):
            uncited.append(block[0][0])
    return markers, uncited
