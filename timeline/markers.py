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


def find_markers(text: str) -> list[tuple[int, str]]:
    """Every marker as (0-based line, source id), outside code."""
    return [
        (number, match.group(1))
        for block in prose_blocks(text)
        for number, line in block
        for match in MARKER.finditer(line)
    ]


def uncited_blocks(text: str) -> list[int]:
    """0-based first lines of blocks that make a statement but cite nothing."""
    found = []
    for block in prose_blocks(text):
        joined = "\n".join(line for _, line in block)
        if not MARKER.search(joined) and not _NOT_A_STATEMENT.match(joined):
            found.append(block[0][0])
    return found
