"""markup.py leaves out of each conversion the inline patterns a text gives nothing to match, and
Python-Markdown's HTML-block parser for a text without '<' or '&': the HTML must be exactly what
the full converter makes, for every text."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.markers import MARKER
from timeline.markup import (
    MarkdownRenderer,
    _CitationPattern,
    _demote_headings,
    strip_private,
)


def full_converter() -> markdown.Markdown:
    """The published converter's settings, every pattern tried on every text (as before the shortcuts)."""
    md = markdown.Markdown(extensions=[], output_format="html")
    md.inlinePatterns.register(_CitationPattern(MARKER.pattern, md), "citation", 175)
    _demote_headings(md)
    return md


FULL = full_converter()
FAST = MarkdownRenderer()


def same(text: str) -> None:
    FULL.reset()
    assert FAST.convert(text) == FULL.convert(strip_private(text)), text


TRICKY = [
    "Plain words.[^a]", "A [link](https://example.org) and [^a] a marker.", "[not a link] [^a]", "![image](x.png)",
    "*em* **strong** _u_ __uu__ * not em *", "a_b_c snake_case", "`code [^a] *x*` after", "\\*escaped\\*",
    "<b>bold</b> & &amp; &copy; 1 < 2", "<https://example.org> <me@example.org>", "line  \nbreak", "tab\there",
    "> quote[^a]\n\n- list *item*\n- two", "# Heading\n\n## Sub", "[ref]: https://example.org\n\n[ref] used",
    "[^a][^b] [^a]", "x [y [^a] z](u)", "<div>\nblock\n</div>\n\nafter", "&", "5 * 3 * 2", "2023_01",
    "    code block *x*", "1. one\n2. two", "***both***", "[^nowhere] [x]", "a\u00a0b", "\ue001\ue002 private",
]


def test_tricky_texts_convert_as_with_every_pattern():
    for text in TRICKY:
        same(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["word", " ", "  ", "\n", "\n\n", "*", "_", "`", "[", "]", "(", ")", "!", "<", ">",
                                 "&", "\\", "#", "-", "1.", "[^a]", "[^b-c]", "https://x.org", "\t", ":", "\"", "'"]),
                max_size=40).map("".join))
def test_any_mix_of_markdown_characters_converts_as_with_every_pattern(text):
    same(text)
