"""The "How we fact-check" page states only rules the build enforces, and counts what is true.

Every rule of timeline/rules.py needs a violating example below that `check` reports with the
rule's severity; a rule added to the page without one fails here."""

from __future__ import annotations

import re

import pytest
from conftest import SITE_YAML, SOURCE_YAML, minimal_files

from timeline.model import Policy
from timeline.rules import RULES, rules_for

EVENT = "content/events/2024-12-12-something-happened.md"
STORED = "The Office granted 39 pardons today. “Every case will be heard,” it said.\n"


def event(body: str = "Something happened on this day.[^example-statement]\n", front: str = "",
          sources: str = "  - example-statement\n") -> str:
    return f"---\ntitle: Something happened\ndate: '2024-12-12'\nsources:\n{sources}{front}---\n{body}"


ARCHIVED = "archive_url: https://web.archive.org/web/2024/https://example.org/\n"
REVIEW = ("claim_review:\n  claim: It did not happen.\n  rating: 'false'\n  date: '2024-12-13'\n"
          "  verdict: It did.[^example-statement]\n")

# rule key → (files changed from the minimal site with a snapshot, what `check` must report)
VIOLATIONS: dict[str, tuple[dict[str, str], str]] = {
    "statement-cites": ({EVENT: event("Cited.[^example-statement] Not cited.\n")},
                        r"the words after the last citation of this paragraph cite no source"),
    "min-sources": ({"content/site.yaml": SITE_YAML + "policy:\n  min_sources: 2\n"},
                    r"the event has 1 source; the editorial policy asks for at least 2"),
    "known-source": ({EVENT: event("Cited.[^unknown-source]\n")},
                     r"the citation \[\^unknown-source\] is not in this event's sources"),
    "dead-link": ({"content/sources/example-statement.yaml": SOURCE_YAML + "url_status: dead\n"},
                  r"a dead source needs 'archive_url'"),
    "archive-required": ({"content/site.yaml": SITE_YAML + "policy:\n  archive_required: true\n",
                          "content/sources/example-statement.yaml": SOURCE_YAML},
                         r"the editorial policy requires an archived copy"),
    "quotation-verified": ({EVENT: event("It said “every case will be heard”.[^example-statement]\n")},
                           r"the quotation “every case will be heard” is not in the stored copy"),
    "quotation-needs-copy": ({EVENT: event("It said “anything”.[^other]\n\nCited.[^example-statement]\n",
                                           sources="  - example-statement\n  - other\n"),
                              "content/sources/other.yaml": SOURCE_YAML + ARCHIVED},
                             r"the quotation “anything” cannot be verified: 'other' has no stored copy"),
    "not-a-quotation": ({EVENT: event("The plan was called “Mercy”.[^example-statement]\n")},
                        r"the quotation “Mercy” is not in the stored copy"),
    "figure-verified": ({EVENT: event("It granted 38 pardons.[^example-statement]\n")},
                        r"the figure 38 is not in the stored copy of 'example-statement'"),
    "figure-derived": ({EVENT: event("It granted 39 pardons.[^example-statement]\n",
                                     front="derived:\n  - figure: '39'\n    from: 30 + 8\n")},
                       r"the derivation of 39 is wrong: 30 \+ 8 = 38"),
    "real-date": ({EVENT: event().replace("2024-12-12", "2024-02-30")}, r"no such day|not a real date|30"),
    "correction-dated": ({EVENT: event(front="corrections:\n  - date: '2024-12'\n    text: Fixed.\n")},
                         r"a correction's date needs the day"),
    "claim-review": ({EVENT: event(front=REVIEW)}, r"'claimant' is missing"),
}

POLICIES = [Policy(), Policy(min_sources=2, quotes_need_snapshots=True, archive_required=True, figures_must_match=True)]


def policy_yaml(policy: Policy) -> str:
    return ("policy:\n" + "".join(f"  {key}: {str(value).lower()}\n" for key, value in vars(policy).items()))


def test_every_rule_has_a_violating_example():
    assert {rule.key for rule in RULES} == set(VIOLATIONS)


@pytest.mark.parametrize("policy", POLICIES, ids=["default", "strict"])
@pytest.mark.parametrize("key", sorted(VIOLATIONS))
def test_the_build_enforces_every_rule_the_page_states(make_project, run, key, policy):
    stated = {rule.key: severity for rule, _, severity in rules_for(policy)}
    if key not in stated:
        return  # the page does not state it under this policy (checked in the next test)
    changed, message = VIOLATIONS[key]
    files = {**minimal_files(), "content/sources/example-statement.txt": STORED, **changed}
    if "content/site.yaml" not in changed:
        files["content/site.yaml"] = SITE_YAML + policy_yaml(policy)
    for path in [p for p in files if p.startswith("content/sources/") and p.endswith(".yaml") and p not in changed]:
        files[path] = str(files[path]) + ARCHIVED
    result = run(make_project(files), "check")
    found = [line for line in result.err.splitlines() if re.search(message, line)]
    assert found, result.err
    label = ": warning: " if stated[key] == "warning" else ": "
    if stated[key] == "error":
        assert result.code == 1 and not any(": warning: " in line for line in found), result.err
    else:
        assert all(label in line for line in found), result.err


def test_the_page_states_the_rules_of_the_policy_and_nothing_else(make_project, run):
    for policy in POLICIES:
        files = {**minimal_files(), "content/site.yaml": SITE_YAML + policy_yaml(policy),
                 "content/sources/example-statement.yaml": SOURCE_YAML + ARCHIVED,
                 "content/sources/other.yaml": SOURCE_YAML + ARCHIVED,
                 EVENT: event("It happened.[^example-statement][^other]\n",
                              sources="  - example-statement\n  - other\n")}
        project = make_project(files)
        assert run(project).code == 0
        page = (project / "_site/fact-checking/index.html").read_text()
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        stated = re.findall(r'<li data-rule="([a-z-]+)">', main)
        assert stated == [rule.key for rule, _, _ in rules_for(policy)]
        # Every other item of the page is a count: the template adds no promise of its own.
        counts = re.findall(r'<ul class="counts">(.*?)</ul>', main, re.DOTALL)[0]
        assert main.count("<li") == len(stated) + counts.count("<li") == len(stated) + 4
        assert ("archive-required" in stated) == policy.archive_required
        for rule, text, _ in rules_for(policy):
            assert text.replace("'", "&#39;") in page
        for rating in ("true", "mostly-true", "mixed", "mostly-false", "false"):
            assert f'<dt id="rating-{rating}">' in page


def test_the_counts_are_those_of_the_content(make_project, run):
    files = {
        **minimal_files(),
        "content/sources/example-statement.yaml": SOURCE_YAML + "snapshot: complete\n",
        "content/sources/example-statement.txt": STORED,
        "content/sources/excerpt.yaml": SOURCE_YAML.replace("/statement", "/excerpt") + "snapshot: excerpt\n"
                                        "archive_url: https://web.archive.org/web/2024/https://example.org/excerpt\n",
        "content/sources/excerpt.txt": STORED,
        "content/sources/bare.yaml": SOURCE_YAML.replace("/statement", "/bare"),
        EVENT: event("It granted 39 pardons[^example-statement] and said “Every case will be heard”.[^excerpt] "
                     "More.[^bare]\n", sources="  - example-statement\n  - excerpt\n  - bare\n"),
    }
    project = make_project(files)
    assert run(project).code == 0
    page = " ".join((project / "_site/fact-checking/index.html").read_text().split())
    for count in ("1 has a stored copy of the whole page", "1 has a stored excerpt of part of the page",
                  "1 has no stored copy", "1 has an archived copy", "Of the 3 sources we cite",
                  "1 quotation and 1 figure were found"):
        assert count in page, count
