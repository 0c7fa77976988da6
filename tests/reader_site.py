"""A small fixture site for the readers' tests: events over three years, two topics with labels,
summaries that cite only some of their event's sources, a claim review, and sources listed in
another order than the text first cites them. Tests never depend on the live content."""

from __future__ import annotations

SITE = """\
title: Reader test timeline
description: A fixture timeline for the readers' tests.
base_url: https://example.org/reader/
language: en
topics:
  alpha: Alpha topic
  beta:
    label: Beta topic
    description: What the beta page collects.
"""


def _source(title: str, day: str) -> str:
    return f"url: https://example.org/{title.lower().replace(' ', '-')}\ntitle: {title}\npublisher: Example Office\npublished: '{day}'\n"


def _event(title: str, day: str, tags: list[str], sources: list[str], summary: str, body: str,
           extra: str = "") -> str:
    listed = "".join(f"  - {s}\n" for s in sources)
    return (f"---\ntitle: {title}\ndate: '{day}'\ntags: [{', '.join(tags)}]\nsources:\n{listed}"
            f"summary: '{summary}'\n{extra}---\n{body}\n")


REVIEW = """\
claim_review:
  claim: Everything went to plan.
  claimant: A spokesperson
  rating: mostly-false
  verdict: The record shows delays.[^third]
  date: '2024-03-02'
"""

# Each event lists its sources as first, second, third; the texts cite them in another order.
EVENTS = {
    "2022-05-01-first-thing": ("First thing", "2022-05-01", ["alpha"], "Summary cites the second.[^second]",
                               "Body cites the third.[^third] Then the first.[^first]", ""),
    "2022-09-01-second-thing": ("Second thing", "2022-09-01", ["beta"], "Summary cites the first.[^first]",
                                "Body cites the first.[^first]", ""),
    "2023-02-01-third-thing": ("Third thing", "2023-02-01", ["alpha", "beta"],
                               "Summary cites the third, then the first.[^third] More.[^first]",
                               "Body cites the second.[^second]", ""),
    "2024-03-01-fourth-thing": ("Fourth thing", "2024-03-01", ["beta"], "Summary cites the second.[^second]",
                                "Body cites the first.[^first]", REVIEW),
    "2024-06-01-fifth-thing": ("Fifth thing", "2024-06-01", ["alpha"], "Summary cites the first.[^first]",
                               "Body cites the second.[^second] And the third.[^third]", ""),
}


def reader_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"content/site.yaml": SITE}
    for name, day in (("first", "2022-01-01"), ("second", "2022-01-02"), ("third", "2022-01-03")):
        files[f"content/sources/{name}.yaml"] = _source(f"The {name} source", day)
    for name, (title, day, tags, summary, body, extra) in EVENTS.items():
        files[f"content/events/{name}.md"] = _event(title, day, tags, ["first", "second", "third"], summary, body,
                                                    extra)
    return files
