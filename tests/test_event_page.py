"""The event page leads with what happened, and says whose a reviewed claim is: a claim is in
quotation marks only when its words are in our stored copy of the source, the rating links to its
definition, and a source's description (a title in parentheses) is never styled as its headline."""

from __future__ import annotations

import json

import extruct
import feedparser
from conftest import SOURCE_YAML, minimal_files

from timeline.model import RATING_DEFINITIONS, RATINGS, ClaimReview, EventDate

EVENT = "content/events/2024-12-12-something-happened.md"
PAGE = "events/something-happened/index.html"
SNAPSHOT = "content/sources/example-statement.txt"
STORED = "The Office said today that every case will be heard in time.\n"
DESCRIBED = SOURCE_YAML.replace("title: A statement", "title: '(The office’s statement on the cases)'")


def event(front: str = "", body: str = "Something happened on this day.[^example-statement]") -> str:
    return (f"---\ntitle: Something happened\ndate: '2024-12-12'\nsources: [example-statement]\n{front}---\n"
            f"{body}\n")


def review(claim: str = "Every case will be heard in time.", appearance: str = "example-statement",
           claim_date: str = "2024-12-01") -> str:
    lines = f"claim_review:\n  claim: {claim}\n  claimant: Jane Doe\n"
    if claim_date:
        lines += f"  claim_date: '{claim_date}'\n"
    if appearance:
        lines += f"  appearance: {appearance}\n"
    return lines + "  rating: mostly-false\n  date: '2025-01-10'\n  verdict: Not every case.[^example-statement]\n"


def build(make_project, run, files: dict) -> dict[str, str]:
    project = make_project({**minimal_files(), **files})
    result = run(project)
    assert result.code == 0, result.err
    site = project / "_site"
    return {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*")
            if p.suffix in (".html", ".xml", ".json") and "pagefind" not in p.parts}


def claim_box(page: str) -> str:
    return page.split('<section class="claim-review')[1].split("</section>")[0]


# ---------------------------------------------------------------------------------------------
# The claim: quoted only when it is a quotation


def test_a_claim_found_in_the_stored_source_is_quoted(make_project, run):
    site = build(make_project, run, {SNAPSHOT: STORED, EVENT: event(review("every case will be heard in time"))})
    box = claim_box(site[PAGE])
    assert "<dt>Claim, in the words of The Example Office</dt>" in box
    assert '<dd class="claim"><q cite="https://example.org/statement">every case will be heard in time</q></dd>' in box
    assert '<dd>Jane Doe, <time datetime="2024-12-01">1 December 2024</time></dd>' in box


def test_a_claim_not_in_the_stored_source_is_a_description_attributed_to_it(make_project, run):
    site = build(make_project, run, {SNAPSHOT: STORED, EVENT: event(review("All cases will be heard soon."))})
    box = claim_box(site[PAGE])
    assert "<q" not in box and "“" not in box
    assert "<dt>Claim, as described by The Example Office</dt>" in box
    assert '<dd class="claim">All cases will be heard soon.</dd>' in box
    assert '<dd>Jane Doe, <time datetime="2024-12-01">1 December 2024</time></dd>' in box


def test_without_a_stored_copy_even_matching_words_are_not_quoted(make_project, run):
    site = build(make_project, run, {EVENT: event(review())})
    box = claim_box(site[PAGE])
    assert "<q" not in box and "<dt>Claim, as described by The Example Office</dt>" in box


def test_a_claim_with_no_appearance_is_the_claimants(make_project, run):
    site = build(make_project, run, {EVENT: event(review(appearance=""))})
    box = claim_box(site[PAGE])
    assert "<q" not in box and "as described" not in box
    assert "<dt>Claim by Jane Doe</dt>" in box
    assert '<dt>Made</dt>\n      <dd><time datetime="2024-12-01">1 December 2024</time></dd>' in box
    assert "Made by" not in box
    site = build(make_project, run, {EVENT: event(review(appearance="", claim_date=""))})
    assert "<dt>Made" not in claim_box(site[PAGE])


def test_the_claim_who_made_it_and_the_rating_come_first_and_the_rating_links_to_its_definition(make_project, run):
    site = build(make_project, run, {EVENT: event(review())})
    box = claim_box(site[PAGE])
    order = ["<dt>Claim", "<dt>Made by</dt>", "<dt>Our rating</dt>", "<dt>Why</dt>", "<dt>Reviewed</dt>"]
    assert [box.index(label) for label in order] == sorted(box.index(label) for label in order)
    assert ('<strong><a href="../../fact-checking/#rating-mostly-false">Mostly false</a></strong> '
            '<span class="scale">(2 on a scale from 1, false, to 5, true)</span>') in box
    assert f'<span class="rating-definition">{RATING_DEFINITIONS["mostly-false"]}</span>' in box


def test_the_json_ld_reviews_the_claim_text_whether_or_not_it_is_quoted(make_project, run):
    site = build(make_project, run, {EVENT: event(review("All cases will be heard soon."))})
    data = extruct.extract(site[PAGE], base_url="https://example.org/", syntaxes=["json-ld"])["json-ld"]
    (claim_review,) = [d for d in data if d["@type"] == "ClaimReview"]
    assert claim_review["claimReviewed"] == "All cases will be heard soon."
    assert claim_review["reviewRating"]["alternateName"] == "Mostly false"


def test_the_feed_shows_the_claim_as_the_page_does(make_project, run):
    described = build(make_project, run, {EVENT: event(review("All cases will be heard soon."))})
    content = feedparser.parse(described["feed.xml"]).entries[0].content[0].value
    assert "<strong>Claim, as described by The Example Office:</strong> All cases will be heard soon." in content
    assert "<q>" not in content and RATING_DEFINITIONS["mostly-false"] in content
    quoted = build(make_project, run, {SNAPSHOT: STORED, EVENT: event(review("every case will be heard in time"))})
    item = json.loads(quoted["feed.json"])["items"][0]
    assert ("<strong>Claim, in the words of The Example Office:</strong> <q>every case will be heard in time</q>"
            in item["content_html"])


def test_the_card_badge_says_whose_claim_was_rated(make_project, run):
    site = build(make_project, run, {EVENT: event(review())})
    assert ('<p class="verdict-badge"><span class="verdict-label">Claim reviewed:</span> Jane Doe’s claim: '
            'Every case will be heard in time. — <a href="./events/something-happened/#something-happened-claim">'
            "rated Mostly false</a></p>") in site["index.html"]


def test_every_rating_has_a_definition():
    assert set(RATING_DEFINITIONS) == set(RATINGS)
    for key in RATINGS:
        found = ClaimReview("c", "x", None, key, "v", EventDate(2025)).rating_definition
        assert found.startswith("The claim ") and found.endswith(".")


# ---------------------------------------------------------------------------------------------
# The order of the page


def test_the_page_leads_with_the_summary_after_the_claim_review(make_project, run):
    correction = "corrections:\n  - date: '2025-01-02'\n    text: The day was wrong.\n"
    front = "summary: In short, it happened.[^example-statement]\n" + correction + review()
    page = build(make_project, run, {EVENT: event(front)})[PAGE]
    lede = page.split('<div class="lede">')[1].split("</div>")[0]
    assert "In short, it happened." in lede
    assert '<a id="something-happened-lede-cite-1-1" href="#something-happened-src-1"' in lede
    marks = ['class="event-date"', "<h1", 'class="corrections"', 'class="claim-review', 'class="lede"',
             'class="event-text"', 'class="sources"']
    assert [page.index(m) for m in marks] == sorted(page.index(m) for m in marks)
    # Each use of the source has its back-link, in the order of the page: verdict, lede, text.
    backlinks = page.split('<li id="something-happened-src-1">')[1].split("</li>")[0]
    assert [part.split('"')[0] for part in backlinks.split('href="#')[1:4]] == [
        "something-happened-verdict-cite-1-1", "something-happened-lede-cite-1-1", "something-happened-cite-1-1"]


def test_an_event_without_a_summary_has_no_lede(make_project, run):
    assert 'class="lede"' not in build(make_project, run, {EVENT: event()})[PAGE]


# ---------------------------------------------------------------------------------------------
# Source titles that are descriptions


def test_a_description_is_shown_after_the_publisher_without_parentheses_or_cite(make_project, run):
    site = build(make_project, run, {"content/sources/example-statement.yaml": DESCRIBED})
    link = ('<span class="publisher">The Example Office</span>: <a class="source-title description" '
            'href="https://example.org/statement">The office’s statement on the cases</a>')
    for path in (PAGE, "index.html", "sources/index.html"):
        assert link in site[path], path
        assert "(The office’s" not in site[path] and "<cite>" not in site[path], path
    content = feedparser.parse(site["feed.xml"]).entries[0].content[0].value
    assert ('The Example Office: <a href="https://example.org/statement">The office’s statement on the cases</a>.'
            in content)
    (article,) = [d for d in extruct.extract(site[PAGE], syntaxes=["json-ld"])["json-ld"] if d["@type"] == "Article"]
    assert article["citation"][0]["description"] == "The office’s statement on the cases"
    assert "name" not in article["citation"][0]


def test_a_real_title_keeps_its_cite_everywhere(make_project, run):
    site = build(make_project, run, {})
    for path in (PAGE, "index.html", "sources/index.html"):
        assert '<a class="source-title" href="https://example.org/statement"><cite>A statement</cite></a>' in site[path]
    content = feedparser.parse(site["feed.xml"]).entries[0].content[0].value
    assert 'The Example Office. <a href="https://example.org/statement"><cite>A statement</cite></a>.' in content
