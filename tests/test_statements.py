"""Every statement cites a source, every quotation is in a stored copy of a source cited for it,
and every figure too: decided on the tree Python-Markdown builds, reported at the line."""

from __future__ import annotations

import pytest
from conftest import SITE_YAML, SOURCE_YAML, minimal_files
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.figures import evaluate, figures_in, values_in
from timeline.markup import MarkdownRenderer
from timeline.quotes import quotation_found, quotations_in
from timeline.statements import StatementReader

EVENT = "content/events/2024-12-12-something-happened.md"
STORED = ("The Office announced 39 pardons and 1,499 commutations today. “These actions represent the "
          "largest single-day grant of clemency in modern history,” it said. Five people were paid "
          "$5 million each, it was alleged, and 143 pardons and 94 commutations were counted.\n")
OTHER = "Another office said that 12 people had waited for twenty years.\n"


def event(body: str, front: str = "", title: str = "Something happened") -> str:
    return (f"---\ntitle: {title}\ndate: '2024-12-12'\nsources:\n  - example-statement\n  - other\n{front}---\n"
            f"{body}")


def site(body: str, front: str = "", title: str = "Something happened", policy: str = "", snapshot: bool = True):
    files = {
        **minimal_files(),
        "content/site.yaml": SITE_YAML + (f"policy:\n{policy}" if policy else ""),
        "content/sources/other.yaml": SOURCE_YAML.replace("/statement", "/other"),
        EVENT: event(body, front, title),
    }
    if snapshot:
        files["content/sources/example-statement.txt"] = STORED
        files["content/sources/other.txt"] = OTHER
    return files


BODY_LINE = 8  # the first line of the body in event(): 7 lines of front matter


def problems(make_project, run, files, warnings: bool = True) -> tuple[int, list[str]]:
    """`check --strict`'s exit code and problem lines (errors only, unless `warnings`)."""
    result = run(make_project(files), "check", "--strict")
    return result.code, [line for line in result.err.splitlines()
                         if line.startswith("content/") and (warnings or ": warning: " not in line)]


# -- Coverage -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, line, message", [
    ("## Background\nThe Office announced 39 pardons.\n\nMore.[^other]\n", 1, "this paragraph cites no source"),
    ("Cited.[^other]\n\n[ref]: https://example.org/\nAn uncited statement after a link definition.\n",
     3, "this paragraph cites no source"),
    ("The Office announced 39 pardons.[^example-statement] And then something else.\n", 0,
     "the words after the last citation of this paragraph cite no source: 'And then something else.'"),
    ("Intro.[^other]\n\n- The Office announced 39 pardons.[^example-statement]\n- An uncited item.\n", 3,
     "this list item cites no source"),
    ("Intro.[^other]\n\n> The Office announced 39 pardons.[^example-statement]\n> And more words.\n", 3,
     "the words after the last citation of this paragraph cite no source: 'And more words.'"),
    ("Intro.[^other]\n\n<div>An HTML block, published without a citation.</div>\n", 2,
     "this HTML block states something, but HTML cannot cite a source"),
])
def test_an_uncited_statement_is_an_error_at_its_line(make_project, run, body, line, message):
    code, found = problems(make_project, run, site(body), warnings=False)
    assert code == 1
    assert found == [f"{EVENT}:{BODY_LINE + line}: {message}"]


def test_headings_code_and_link_definitions_state_nothing(make_project, run):
    body = ("## A heading\n\nThe Office announced 39 pardons.[^example-statement]\n\n"
            "    an indented code block, which states nothing\n\n"
            "[ref]: https://example.org/\n\nAnother office spoke.[^other]\n")
    assert problems(make_project, run, site(body)) == (0, [])


def test_a_citation_hidden_where_no_reader_sees_it_does_not_count(make_project, run):
    body = "Cited.[^other]\n\nAn image ![alt[^other]](https://example.org/a.png) and <span>text</span>\n"
    code, found = problems(make_project, run, site(body), warnings=False)
    assert code == 1 and f"{EVENT}:{BODY_LINE + 2}: this paragraph cites no source" in found


@pytest.mark.parametrize("hiding", [
    'a [link](https://example.org/ "its title[^other]")', "a [link](https://example.org/[^other])",
    "an image ![described[^other]](https://example.org/a.png)", "code `[^other]`", "a comment <!-- [^other] -->",
    "a <style>[^other]</style> element", "a <script>[^other]</script> element", 'an <abbr title="x[^other]">abbr</abbr>',
])
def test_a_marker_readers_cannot_see_as_a_citation_is_an_error_at_its_line(make_project, run, hiding):
    body = f"Cited.[^example-statement]\n\nText with {hiding} and more.[^example-statement]\n"
    code, found = problems(make_project, run, site(body), warnings=False)
    assert code == 1
    assert f"{EVENT}:{BODY_LINE + 2}: the citation [^other] is not shown to readers here: it is inside a link, " \
           "an image's description, code, a comment or HTML" in found


def test_the_summary_follows_the_same_rule(make_project, run):
    code, found = problems(make_project, run, site(
        "Cited.[^other]\n", front="summary: 'The Office spoke.[^other] Then more.'\n"), warnings=False)
    assert code == 1
    assert found == [f"{EVENT}:7: the words after the last citation of this paragraph cite no source: 'Then more.'"]


# -- Quotations ---------------------------------------------------------------------------------

QUOTED = "the largest single-day grant of clemency in modern history"


@pytest.mark.parametrize("where", ["body", "summary", "title", "verdict", "claim"])
def test_a_quotation_changed_by_one_word_is_an_error_at_its_line(make_project, run, where):
    right, wrong = f"“{QUOTED}”", f"“{QUOTED.replace('largest', 'biggest')}”"
    review = ("claim_review:\n  claim: The grant was small.\n  claimant: Someone\n  rating: 'false'\n"
              "  date: '2024-12-13'\n  verdict: 'It was {}.[^example-statement]'\n")
    texts = {
        "body": ("Not a word.[^other]\n\nIt was {}.[^example-statement]\n", "", "Something happened", BODY_LINE + 2),
        "summary": ("Cited.[^other] And.[^example-statement]\n", "summary: 'It was {}.[^example-statement]'\n",
                    "Something happened", 7),
        "title": ("Cited.[^other] And.[^example-statement]\n", "", "'It was {}'", 2),
        "verdict": ("Cited.[^other] And.[^example-statement]\n", review, "Something happened", 12),
        "claim": ("Cited.[^other] And.[^example-statement]\n",
                  review.replace("claim: The grant was small.", "claim: 'It was {}, it said.'").replace("{}.[^", "small.[^")
                  .replace("claimant: Someone", "claimant: Someone\n  appearance: example-statement"), "Something happened", 8),
    }
    body, front, title, line = texts[where]
    fill = (lambda q: (body.format(q), front, title)) if where == "body" else \
        (lambda q: (body, front.format(q), title)) if where in ("summary", "verdict", "claim") else \
        (lambda q: (body, front, title.format(q)))
    assert problems(make_project, run, site(*fill(right))) == (0, [])
    code, found = problems(make_project, run, site(*fill(wrong)))
    assert code == 1
    assert found[0].startswith(f"{EVENT}:{line}: the quotation “{QUOTED.replace('largest', 'biggest')}” is not in "
                               "the stored copy of"), found


def test_the_error_shows_the_closest_passage_of_the_snapshot(make_project, run):
    result = run(make_project(site("It was “the biggest single-day grant”.[^example-statement] A.[^other]\n")), "check")
    assert "hint: the closest passage of 'example-statement' is: \"the largest single - day grant\"" in result.err


def test_a_quotation_is_looked_for_in_the_sources_cited_for_it(make_project, run):
    # The words are in example-statement, but the citation that covers them is 'other'.
    code, found = problems(make_project, run, site(f"It was “{QUOTED}”.[^other]\n\nA.[^example-statement]\n"))
    assert code == 1 and "is not in the stored copy of 'other'" in found[0]
    # In the same paragraph, a later citation of the right source is accepted.
    assert problems(make_project, run, site(f"It was “{QUOTED}”,[^other] it said.[^example-statement]\n"))[0] == 0


def test_a_blockquote_is_a_quotation(make_project, run):
    code, found = problems(make_project, run, site("Cited.[^other]\n\n> These actions represent the smallest grant."
                                                   "[^example-statement]\n"))
    assert code == 1 and "the quotation “These actions represent the smallest grant.” is not in" in found[0]
    assert problems(make_project, run, site("Cited.[^other]\n\n> These actions represent the largest single-day"
                                            " grant.[^example-statement]\n"))[0] == 0


def test_a_quotation_without_a_snapshot_is_an_error_under_quotes_need_snapshots(make_project, run):
    files = site(f"It was “{QUOTED}”.[^example-statement] A.[^other]\n", snapshot=False)
    lenient = run(make_project(files), "check")
    assert lenient.code == 0
    assert "warning: the quotation “the largest single-day grant of clemency in modern history” cannot be verified: " \
           "'example-statement' has no stored copy" in lenient.err
    strict = run(make_project(site(f"It was “{QUOTED}”.[^example-statement] A.[^other]\n", snapshot=False,
                                   policy="  quotes_need_snapshots: true\n")), "check")
    assert strict.code == 1 and "cannot be verified" in strict.err


def test_a_title_or_term_in_quotation_marks_is_listed_under_not_quotations(make_project, run):
    body = "The plan was called “Operation Mercy”.[^example-statement] A.[^other]\n"
    code, found = problems(make_project, run, site(body))
    assert code == 1 and "the quotation “Operation Mercy” is not in" in found[0]
    assert problems(make_project, run, site(body, front="not_quotations:\n  - Operation Mercy\n")) == (0, [])
    code, found = problems(make_project, run, site("A.[^other] B.[^example-statement]\n",
                                                   front="not_quotations:\n  - Operation Mercy\n"))
    assert found == [(f"{EVENT}:8: warning: 'Operation Mercy' is listed under not_quotations but is not shown "
                      "in quotation marks")]


def test_a_claim_is_shown_as_a_quotation_only_when_its_words_are_in_its_source(make_project, run):
    from timeline.load import load_content
    from timeline.validate import validate

    def claim_of(claim: str):
        review = (f"claim_review:\n  claim: '{claim}'\n  claimant: Someone\n  appearance: example-statement\n"
                  "  rating: 'false'\n  date: '2024-12-13'\n  verdict: It was not.[^example-statement]\n")
        project = make_project(site("A.[^other] B.[^example-statement]\n", front=review))
        timeline, found = validate(load_content(project / "content"))
        assert timeline is not None, found
        return timeline.events[0].claim_review

    assert claim_of("Five people were paid $5 million each").claim_is_quotation
    assert not claim_of("Five people were paid a lot").claim_is_quotation


def test_quotation_marks_and_apostrophes():
    found = [q.text for q in quotations_in("Trump’s aides’ plan: “one ‘two’ three” and \"four\" and 'five' isn't")]
    assert found == ["one ‘two’ three", "four", "five"]
    assert quotation_found("These actions represent … in modern history.", STORED)
    assert not quotation_found("in modern history … These actions represent", STORED)


# -- Figures ------------------------------------------------------------------------------------

FIGURES_POLICY = "  figures_must_match: true\n"


def test_a_figure_changed_by_one_digit_is_reported_at_its_line(make_project, run):
    body = "Intro.[^other]\n\nThe Office announced 39 pardons\nand 1,498 commutations.[^example-statement]\n"
    code, found = problems(make_project, run, site(body, policy=FIGURES_POLICY))
    assert code == 1
    assert found == [f"{EVENT}:{BODY_LINE + 3}: the figure 1,498 is not in the stored copy of 'example-statement'"]
    lenient = run(make_project(site(body)), "check")
    assert lenient.code == 0 and "warning: the figure 1,498 is not in" in lenient.err


@pytest.mark.parametrize("written", ["1499 commutations", "1,499 commutations", "5 people", "$5,000,000 each",
                                     "$5 million each", "5,000,000 dollars"])
def test_the_same_figure_spelled_differently_passes(make_project, run, written):
    body = f"The Office counted {written}.[^example-statement] Waited 20 years.[^other]\n"
    assert problems(make_project, run, site(body, policy=FIGURES_POLICY)) == (0, [])


def test_a_derived_figure_is_checked(make_project, run):
    body = "In all, 237 acts of clemency.[^example-statement] A.[^other]\n"
    code, found = problems(make_project, run, site(body, policy=FIGURES_POLICY))
    assert code == 1 and "the figure 237 is not in the stored copy" in found[0]
    right = "derived:\n  - figure: '237'\n    from: 143 + 94\n"
    assert problems(make_project, run, site(body, front=right, policy=FIGURES_POLICY)) == (0, [])
    code, found = problems(make_project, run, site(body, front=right.replace("94", "95"), policy=FIGURES_POLICY))
    assert code == 1
    assert f"{EVENT}:8: the derivation of 237 is wrong: 143 + 95 = 238" in found
    assert f"{EVENT}:8: the figure 95 in the derivation of 237 is not in the stored copy of any of the event's sources" \
        in found


def test_figures_are_read_as_values():
    assert [(f.written, f.value) for f in figures_in("COVID-19, J6, 12 December 2024, $5 million, 37 of 40")] == [
        ("12", 12), ("2024", 2024), ("5 million", 5_000_000), ("37", 37), ("40", 40)]
    values = values_in("Five people, one hundred days, $1.5 million and 1,499 names")
    assert {5, 100, 1500000, 1499, 1.5} <= {float(v) for v in values}
    assert evaluate("1,715 - 212")[0] == 1503
    assert evaluate("__import__('os')")[0] is None


def test_a_figure_and_its_scale_may_be_on_two_lines_of_a_snapshot():
    # Stored copies are wrapped text: "73\nmillion" states 73 million, as "73 million" does.
    assert 73_000_000 in values_in("at a cost of around 73\nmillion dollars")
    assert [f.value for f in figures_in("around 73\nmillion dollars")] == [73_000_000]


def test_statements_carry_their_source_lines():
    blocks = StatementReader().blocks("# Head\nText one[^a]\nline two.\n\n    code\n\n* item[^b]\n")
    assert [(b.kind, b.line, b.text) for b in blocks] == [
        ("paragraph", 1, "Text one\nline two."), ("list item", 6, "item")]
    assert blocks[0].line_at(blocks[0].text.index("line")) == 2


# -- One parse for checking and publishing ----------------------------------------------------

_ATOMS = ["a", "b c", "\n", "\n\n", "  ", "    ", "> ", "- ", "* ", "1. ", "#", "[", "]", "(", ")", "<div>",
          "</div>", "<b>", "`", "*", "_", "!", '"', "'", "http://x", "[^s]", "---", "===", "\t", "\u2028", "\x85",
          "&amp;", "\\", "\r", "[x]: http://y", "  \n", "<!--", "-->", "<http://z>", "~~~", "```"]


@pytest.mark.slow  # a fuzz test: 3,000 generated texts
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=30))
def test_the_parse_that_is_checked_is_the_parse_that_is_published(atoms):
    """Validation reads statements from a text whose lines carry invisible marks of their numbers;
    render.py publishes that conversion. It must be the text's own conversion, marks aside."""
    text = "".join(atoms)
    assert StatementReader().reading(text).html == MarkdownRenderer().convert(text)


def test_the_real_and_golden_texts_convert_the_same_when_checked():
    from conftest import PROJECT

    from timeline.load import load_content

    reader, renderer = StatementReader(), MarkdownRenderer()
    for folder in (PROJECT / "content", PROJECT / "tests/golden/content"):
        for event in load_content(folder).events:
            assert reader.reading(event.body).html == renderer.convert(event.body), event.where
