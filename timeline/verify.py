"""An event's statements checked against its sources: every statement cites one, every quotation
is in a stored copy of a source cited for it, and every figure is in one too (or derived from
figures that are).

A citation covers the words since the previous one, as on Wikipedia: the figures of those words
are looked for in the sources of that citation; their quotations there, or in a source cited
elsewhere in the same paragraph (a quotation often comes before the sentence that names who said it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from .fields import Fields, did_you_mean
from .figures import evaluate, figures_in, parse_figure, values_in
from .load import RawEvent
from .markers import MARKER
from .model import Citation, ClaimReview, DerivedFigure, Location, Policy, Source
from .quotes import (
    closest_passage,
    normalise,
    quotation_found,
    quotation_parts,
    quotations_in,
)
from .statements import Block, StatementReader
from .yamltext import YMap

# Python-Markdown's link and HTML patterns take time that grows with the square of the number of
# unclosed '[' or '<'; a real event has a few dozen at most.
MARKUP_CHARACTER_LIMIT = 300
# Lists and block quotes inside each other: Python-Markdown recurses once per level, and a real
# event needs three or four.
NESTING_LIMIT = 20
_NESTING = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])))+")
_MARKER_IN_PREFIX = re.compile(r"[-*+0-9][.)]?(?=[ \t]|$)")
DERIVED_KEYS = ("figure", "from")
_SHOWN = 80  # characters of a quotation or passage shown in a message


@dataclass(frozen=True)
class Text:
    """One text of an event, and where it starts: the body counts lines from `line`; a YAML
    value (summary, verdict) is reported at its key."""

    value: str
    line: int
    counts_lines: bool = False


@dataclass
class EventSources:
    """What one event's texts are checked against."""

    listed: set[str]  # every id its `sources:` names
    known: dict[str, Source]  # every valid source of the site
    policy: Policy
    not_quotations: frozenset[str]  # normalised
    derived: dict[Decimal, DerivedFigure]

    def of(self, ids: Iterable[str]) -> list[Source]:
        return [self.known[i] for i in dict.fromkeys(ids) if i in self.listed and i in self.known]

    @property
    def quotation_severity(self) -> str:
        """Of a quotation from a source with no stored copy."""
        return "error" if self.policy.quotes_need_snapshots else "warning"

    @property
    def figure_severity(self) -> str:
        """Of a figure not found in a stored copy."""
        return "error" if self.policy.figures_must_match else "warning"


@functools.lru_cache(maxsize=1)
def _reader() -> StatementReader:
    return StatementReader()


class Checker:
    """Checks the texts of one event, reporting through its front matter's Fields."""

    def __init__(self, fields: Fields, sources: EventSources) -> None:
        self.fields = fields
        self.sources = sources
        self.cited: set[str] = set()
        self.quoted_exemptions: set[str] = set()  # not_quotations that were used
        self.converted: dict[str, str] = {}  # Python-Markdown's output for each text, for render.py
        self.quotations_verified = 0  # found in a stored copy: the fact-checking page counts them
        self.figures_verified = 0

    # -- Markdown texts: body, summary, verdict ------------------------------------------------
    def markdown(self, text: Text) -> None:
        # A text refused before it is read still cites what it cites: no "never cited" on top.
        self.cited.update(match.group(1) for match in MARKER.finditer(text.value))
        crowded = [c for c in "[<" if text.value.count(c) > MARKUP_CHARACTER_LIMIT]
        if crowded:
            self.fields.problem(text.line, f"the text has {text.value.count(crowded[0])} '{crowded[0]}' characters; "
                                f"the limit is {MARKUP_CHARACTER_LIMIT}",
                                "the Markdown parser slows to a crawl on long runs of brackets: is this pasted data?")
            return
        depth, line = _deepest(text.value)
        if depth > NESTING_LIMIT:
            self.fields.problem(_at(text, line),
                                f"the text is nested {depth} levels deep (lists or block quotes inside each other); "
                                f"the limit is {NESTING_LIMIT}", "flatten the list: a timeline entry needs a few levels at most")
            return
        reading = _reader().reading(text.value)
        self.converted[text.value] = reading.html
        for line, source_id in reading.hidden:
            self.fields.problem(_at(text, line),
                                f"the citation [^{source_id}] is not shown to readers here: it is inside a link, "
                                "an image's description, code, a comment or HTML",
                                "put the marker in plain text, right after the words it supports")
        for block in reading.blocks:
            self._block(block, text)

    def _line(self, text: Text, block: Block, offset: int = 0) -> int:
        return _at(text, block.line_at(offset))

    def _block(self, block: Block, text: Text) -> None:
        for line, source_id in block.markers:
            self._marker(source_id, _at(text, line))
        if not block.states_something:
            return
        if block.raw_html:
            self.fields.problem(self._line(text, block), "this HTML block states something, but HTML cannot cite a source",
                                "write it in Markdown, with [^source-id] after each statement")
            return
        tail = block.uncited_tail
        if tail is not None and tail.start == 0:
            self.fields.problem(self._line(text, block), f"this {block.kind} cites no source",
                                "every statement needs a source: add [^source-id] right after the sentence it supports")
        elif tail is not None:
            words = " ".join(tail.text.split())
            self.fields.problem(
                self._line(text, block, tail.start + len(tail.text) - len(tail.text.lstrip())),
                f"the words after the last citation of this {block.kind} cite no source: '{_short(words)}'",
                "a citation covers the words before it: add [^source-id] after these words too")
        block_sources = block.sources
        if block.in_blockquote:
            spoken = block.text
            for span in block.spans:  # the quoted words, without what follows the last citation
                if span.sources:
                    spoken = block.text[: span.start + len(span.text)]
            self._quotation(spoken.strip(), block_sources, block_sources, self._line(text, block))
        for span in block.spans:
            if not span.sources:
                continue
            quoted = quotations_in(span.text) if not block.in_blockquote else []
            for quotation in quoted:
                self._quotation(quotation.text, span.sources, block_sources,
                                self._line(text, block, span.start + quotation.start))
            inside = [(q.start, q.end) for q in quoted]
            for figure in figures_in(span.text):
                if block.in_blockquote or any(a <= figure.start < b for a, b in inside):
                    continue  # a verified quotation's numbers are the source's own
                self._figure(figure.written, figure.value, span.sources, self._line(text, block, span.start + figure.start))

    def _marker(self, source_id: str, line: int) -> None:
        listed, known = self.sources.listed, self.sources.known
        if source_id in listed:
            return
        if source_id in known:
            hint = f"add '- {source_id}' to this event's sources:"
        else:
            hint = did_you_mean(source_id, listed) or did_you_mean(source_id, known) or "check the spelling"
        self.fields.problem(line, f"the citation [^{source_id}] is not in this event's sources", hint)

    # -- Plain texts: title, claim --------------------------------------------------------------
    def plain(self, text: Text, against: list[str], figures: bool) -> None:
        """Quotations (and figures) of a text that cites nothing, against the sources given."""
        quoted = quotations_in(text.value)
        for quotation in quoted:
            self._quotation(quotation.text, against, against, text.line)
        if figures:
            for figure in figures_in(text.value):
                if not any(q.start <= figure.start < q.end for q in quoted):
                    self._figure(figure.written, figure.value, against, text.line)

    # -- Quotations -----------------------------------------------------------------------------
    def _quotation(self, quotation: str, covering: Sequence[str], block_sources: Sequence[str], line: int) -> None:
        if not quotation:
            return
        normalised = normalise(quotation)
        if normalised in self.sources.not_quotations:
            self.quoted_exemptions.add(normalised)
            return
        if self._broken(covering):
            return  # the source file's own problems are reported there
        near = self.sources.of(covering)
        stored = [s for s in self.sources.of(list(covering) + list(block_sources)) if s.snapshot is not None]
        if any(quotation_found(quotation, s.snapshot or "") for s in stored):
            self.quotations_verified += 1
            return
        shown = _short(quotation)
        unstored = [s for s in near if s.snapshot is None]
        if unstored or not stored:
            names = ", ".join(f"'{s.id}'" for s in unstored or near) or "its source"
            self.fields.problem(line, f"the quotation “{shown}” cannot be verified: {names} "
                                f"{'has' if len(unstored or near) == 1 else 'have'} no stored copy",
                                "save the source's text as content/sources/<id>.txt; if the words quote no source, "
                                "list them under not_quotations:", self.sources.quotation_severity)
            return
        best = max(stored, key=lambda s: _likeness(quotation, s.snapshot or ""))
        passage = _short(closest_passage(" ".join(quotation_parts(quotation)), best.snapshot or ""), 200)
        where = f"the stored copy of '{best.id}'" if len(stored) == 1 else \
            "the stored copy of any source cited for it (" + ", ".join(f"'{s.id}'" for s in stored) + ")"
        hint = f'the closest passage of \'{best.id}\' is: "{passage}"' if passage else "copy the words exactly from the source"
        self.fields.problem(line, f"the quotation “{shown}” is not in {where}",
                            hint + "; a title or a term rather than a quotation goes under not_quotations:")

    def _broken(self, ids: Iterable[str]) -> bool:
        """A listed source that is not valid: its file's problems are reported, not its citers'."""
        return any(i in self.sources.listed and i not in self.sources.known for i in ids)

    # -- Figures ----------------------------------------------------------------------------------
    def _figure(self, written: str, value: Decimal, covering: Sequence[str], line: int) -> None:
        if self._broken(covering):
            return
        near = self.sources.of(covering)
        stored = [s for s in near if s.snapshot is not None]
        if value in self.sources.derived or any(states(s, value) for s in stored):
            self.figures_verified += 1  # a derived figure: its sum and its parts are checked on their own
            return
        severity = self.sources.figure_severity
        if not stored:
            names = ", ".join(f"'{s.id}'" for s in near) or "its source"
            self.fields.problem(line, f"the figure {written} cannot be checked: {names} "
                                f"{'has' if len(near) <= 1 else 'have'} no stored copy",
                                "save the source's text as content/sources/<id>.txt", severity)
            return
        names = ", ".join(f"'{s.id}'" for s in stored)
        self.fields.problem(line, f"the figure {written} is not in the stored copy of {names}",
                            "check the number against the source; a figure you computed goes under derived: "
                            "with how, e.g. figure: '237' and from: 143 + 94", severity)

    def derivations(self, derived: list[DerivedFigure], all_ids: list[str], shown: str) -> None:
        """Each derived figure's sum is right, its operands are in a source, and the text shows it."""
        if not derived:
            return  # most events derive nothing: no need to read every figure of their text
        stored = [s for s in self.sources.of(all_ids) if s.snapshot is not None]
        severity = self.sources.figure_severity
        shown_values = {f.value for f in figures_in(shown)}
        for item in derived:
            line = item.where.line
            value = parse_figure(item.figure)
            result, operands = evaluate(item.formula)
            if value is None:
                self.fields.problem(line, f"'{item.figure}' is not a figure", "write the number as the text shows it, e.g. '237'")
                continue
            if result is None:
                self.fields.problem(line, f"'{item.formula}' is not a sum the build can check",
                                    "write plain arithmetic on numbers, e.g. 143 + 94 (+ - * / and brackets)")
                continue
            if result.normalize() != value.normalize():
                self.fields.problem(line, f"the derivation of {item.figure} is wrong: {item.formula} = {_plain(result)}",
                                    "correct the figure in the text or the sum")
            for operand in operands:
                if not any(states(s, operand.normalize()) for s in stored):
                    self.fields.problem(line, f"the figure {_plain(operand)} in the derivation of {item.figure} is not in "
                                        "the stored copy of any of the event's sources",
                                        "a derived figure must be made from sourced figures", severity)
            if value.normalize() not in shown_values:
                self.fields.problem(line, f"the derived figure {item.figure} is not in the event's text",
                                    "remove it from derived:, or check how the text writes it", "warning")

    def unused_exemptions(self, phrases: list[tuple[str, int]]) -> None:
        for phrase, line in phrases:
            if normalise(phrase) not in self.quoted_exemptions:
                self.fields.problem(line, f"'{_short(phrase)}' is listed under not_quotations but is not shown in quotation marks",
                                    "remove it from not_quotations:", "warning")


def check_texts(raw: RawEvent, fields: Fields, texts: tuple[str, str, ClaimReview | None],
                 exempt: list[tuple[str, int]], derived: list[DerivedFigure],
                 citations: list[Citation], listed: set[str], sources: dict[str, Source], policy: Policy,
                 ) -> tuple[bool, int, int, tuple[tuple[str, str], ...]]:
    """Every statement of the body, summary and verdict cites a listed source; every quotation
    and figure is in a stored copy of a source cited for it. Returns whether the claim under
    review is itself a quotation of the source it appears in, and how many quotations and
    figures were found in stored copies."""
    title, summary, claim_review = texts
    checker = Checker(fields, EventSources(
        listed, sources, policy, frozenset(normalise(phrase) for phrase, _ in exempt),
        {value: item for item in derived if (value := parse_figure(item.figure)) is not None}))
    checker.markdown(Text(raw.body, raw.body_line, counts_lines=True))
    shown = [raw.body, title]
    if summary:
        checker.markdown(Text(summary, fields.line("summary")))
        shown.append(summary)
    every = sorted(listed)
    checker.plain(Text(title, fields.line("title")), every, figures=True)
    claim_is_quotation = False
    if claim_review:
        checker.markdown(Text(claim_review.verdict_markdown, fields.nested_line("claim_review", "verdict")))
        shown.append(claim_review.verdict_markdown)
        appearance = [claim_review.appearance.id] if claim_review.appearance else every
        # The claim is the claimant's, not ours: its figures are what is rated, not what we state.
        checker.plain(Text(claim_review.claim, fields.nested_line("claim_review", "claim")), appearance, figures=False)
        source = claim_review.appearance
        claim_is_quotation = bool(source and source.snapshot and quotation_found(claim_review.claim, source.snapshot))
    checker.derivations(derived, every, "\n".join(shown))
    checker.unused_exemptions(exempt)
    counts = (claim_is_quotation, checker.quotations_verified, checker.figures_verified,
              tuple(checker.converted.items()))
    if not raw.body.strip():
        fields.problem(raw.body_line - 1, "the event has no text after the front matter", "write what happened, citing sources")
        return counts
    for citation in citations:
        if citation.source.id not in checker.cited:
            fields.problem(
                citation.where.line if citation.where else fields.line("sources"),
                f"the source '{citation.source.id}' is listed but never cited in the text",
                f"add [^{citation.source.id}] after the statement it supports, or remove it from sources:",
                severity="warning",
            )
    return counts


def read_derived(fields: Fields) -> list[DerivedFigure]:
    found = []
    for item in fields.items("derived") or []:
        if not isinstance(item.value, YMap):
            fields.problem(item.line, "each derived figure needs 'figure:' and 'from:'",
                           "e.g. - figure: '237' with, under it, from: 143 + 94")
            continue
        entry = Fields(item, Location(fields.where.path, item.line), fields.problems, "derived figure")
        entry.check_keys(DERIVED_KEYS)
        figure = entry.text("figure", required=True, hint="the figure as the text shows it, e.g. '237'")
        formula = entry.text("from", required=True, hint="how it was computed, e.g. 143 + 94")
        if figure and formula:
            found.append(DerivedFigure(figure, formula, Location(fields.where.path, entry.line("figure"))))
    return found


def read_not_quotations(fields: Fields) -> list[tuple[str, int]]:
    found = []
    for item in fields.items("not_quotations") or []:
        if isinstance(item.value, str) and item.value.strip():
            found.append((item.value.strip(), item.line))
        else:
            fields.problem(item.line, "each entry of not_quotations is a phrase, as the text shows it in quotation marks")
    return found


def states(source: Source, value: Decimal) -> bool:
    """Whether a source states a figure: in its stored text, or as the day or year it was
    published (an article of 16 December 2024 that says "Monday" dates it)."""
    # Looked up, not joined into one set: that would copy the text's values for every figure.
    date = source.published
    return value in values_in(source.snapshot or "") or value in (date.year, date.day)


def _at(text: Text, line: int) -> int:
    """The file's line for a 0-based line of the text (a YAML value's problems are at its key)."""
    return text.line + line if text.counts_lines else text.line


def _deepest(text: str) -> tuple[int, int]:
    """The most levels on one line, of list and quote markers or of indentation: (depth, 0-based line)."""
    deepest, where = 0, 0
    for number, line in enumerate(text.expandtabs(4).split("\n")):
        indented = (len(line) - len(line.lstrip(" \t"))) // 4
        match = _NESTING.match(line)
        depth = indented
        if match:
            prefix = match.group()
            depth = max(depth, prefix.count(">") + len(_MARKER_IN_PREFIX.findall(prefix))
                        + (len(prefix) - len(prefix.lstrip())) // 4)
        if depth > deepest:
            deepest, where = depth, number
    return deepest, where


def _likeness(quotation: str, snapshot: str) -> float:
    passage = closest_passage(quotation, snapshot)
    return SequenceMatcher(None, normalise(quotation), passage, autojunk=False).ratio() if passage else 0.0


def _short(text: str, limit: int = _SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
