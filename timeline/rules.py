"""The editorial rules the build enforces, in the words the "How we fact-check" page uses.

The page states these and nothing else, so it can never promise more than `check` does: each rule
here has a violating example in tests/test_rules.py that `check` must report with the severity
given (a rule without one fails the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Policy, Timeline


@dataclass(frozen=True)
class Rule:
    key: str
    section: str  # a heading of the page
    text: Callable[[Policy], str]  # what readers are told, given the site's policy
    applies: Callable[[Policy], bool] = lambda policy: True
    # "error": a page that breaks it is not built; "warning": editors are told, the page is built.
    severity: Callable[[Policy], str] = lambda policy: "error"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


RULES: tuple[Rule, ...] = (
    Rule("statement-cites", "Sources", lambda p: (
        "Every paragraph and list item of an event, its summary and every verdict cite a source. A citation "
        "covers the words before it, back to the previous citation, so no words may follow the last citation "
        "of a paragraph.")),
    Rule("min-sources", "Sources", lambda p: f"Every event lists at least {_plural(p.min_sources, 'source')}."),
    Rule("known-source", "Sources", lambda p: (
        "Every citation names a source listed by its event, and every source has a web address "
        "(http or https), a title, a publisher and a publication date.")),
    Rule("dead-link", "Sources", lambda p: (
        "A source whose page has gone must have an archived copy, and its link then leads there.")),
    Rule("archive-required", "Sources", lambda p: "Every source has an archived copy.",
         applies=lambda p: p.archive_required),
    Rule("quotation-verified", "Quotations", lambda p: (
        "Every quotation is found word for word in our stored copy of a source cited for it: words in "
        "quotation marks or in a block quote, in a headline, a summary, the text or a claim review, and every "
        "quote shown under a source. Only white space, the shape of quotation marks and dashes, the ellipsis "
        "and the punctuation at either end may differ; an ellipsis may join passages that follow each other "
        "in the source.")),
    Rule("quotation-needs-copy", "Quotations", lambda p: (
        "A quotation from a source of which we hold no stored copy is not published."
        if p.quotes_need_snapshots else
        "A quotation from a source of which we hold no stored copy is flagged to our editors, and a quote "
        "shown under such a source is marked “not verified”."),
        severity=lambda p: "error" if p.quotes_need_snapshots else "warning"),
    Rule("not-a-quotation", "Quotations", lambda p: (
        "Words in quotation marks that quote no one (a name, a title, a term) are listed as such in the "
        "event's file, where reviewers see them.")),
    Rule("figure-verified", "Figures", lambda p: (
        "Every figure written in digits in a headline, a summary, the text or a verdict is found in our "
        "stored copy of a source cited for it, or is the day or the year that source was published "
        "(1,499 and 1499, five and 5, $5 million and $5,000,000 count as the same). "
        + ("A figure that is not is not published." if p.figures_must_match else
           "A figure that is not is flagged to our editors.")),
        severity=lambda p: "error" if p.figures_must_match else "warning"),
    Rule("figure-derived", "Figures", lambda p: (
        "A figure we computed, such as a total, is listed in the event's file with its sum "
        "(for example 143 + 94 = 237); the build checks the sum, and finds each of its parts in a source.")),
    Rule("real-date", "Dates and corrections", lambda p: (
        "Every date is a real calendar date, written as a day, a month or a year: a month is never shown "
        "as its first day.")),
    Rule("correction-dated", "Dates and corrections", lambda p: (
        "Every correction has the day it was made and says what changed. It is shown on the event, on the "
        "timeline and on the corrections page, and the event's date of last change moves with it.")),
    Rule("claim-review", "Claim ratings", lambda p: (
        "A claim review names who made the claim, gives one of the ratings below, and explains it with "
        "citations. The claim is shown in quotation marks only when its words are found in our stored copy "
        "of the source it appears in; otherwise it is described, and the description is attributed to that "
        "source.")),
)


def rules_for(policy: Policy) -> list[tuple[Rule, str, str]]:
    """(rule, its text, its severity) for every rule the policy turns on, in the page's order."""
    return [(rule, rule.text(policy), rule.severity(policy)) for rule in RULES if rule.applies(policy)]


def policy_counts(timeline: Timeline) -> dict[str, int]:
    """What the page says the site holds, counted from the content that is published."""
    sources = timeline.sources
    return {
        "sources": len(sources),
        "complete": sum(1 for s in sources if s.has_complete_snapshot),
        "excerpt": sum(1 for s in sources if s.snapshot is not None and not s.has_complete_snapshot),
        "none": sum(1 for s in sources if s.snapshot is None),
        "archived": sum(1 for s in sources if s.archive_url),
        "events": len(timeline.events),
        "quotations": sum(e.quotations_verified for e in timeline.events),
        "figures": sum(e.figures_verified for e in timeline.events),
    }
