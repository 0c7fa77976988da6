"""What makes the timeline fact-checked: verified quotes, dead links, corrections, claim reviews, policy."""

from __future__ import annotations

import re
import shutil

import extruct
from conftest import PROJECT, SITE_YAML, SOURCE_YAML, minimal_files

from timeline.load import load_content
from timeline.quotes import closest_passage, is_quoted_in, text_fragment_url
from timeline.validate import validate

SNAPSHOT = "content/sources/example-statement.txt"
STORED = "The Office said today — after a long review — that “every case” will be heard… in time.\n"


def quoted_event(quote: str, extra: str = "") -> str:
    return (f"---\ntitle: Something happened\ndate: '2024-12-12'\nsources:\n  - id: example-statement\n"
            f"    quote: '{quote}'\n{extra}---\nSomething happened on this day.[^example-statement]\n")


def test_a_quote_changed_by_one_word_fails_at_its_line_with_the_closest_passage(tmp_path, run):
    shutil.copytree(PROJECT / "content", tmp_path / "content")
    timeline, problems = validate(load_content(tmp_path / "content"))
    assert timeline is not None and problems == [], problems
    # The content's first quote under an event's sources, whatever it is by then; its longest word changed.
    citation = min((c for e in timeline.events for c in e.citations if c.quote and c.where),
                   key=lambda c: (c.where.path, c.where.line))
    word = max(re.findall(r"[A-Za-z]{4,}", citation.quote), key=len)
    event = tmp_path / citation.where.path
    original = event.read_text()
    lines = original.splitlines(keepends=True)
    assert citation.quote[:40] in lines[citation.where.line - 1], "the quote's line is where validate says"
    lines[citation.where.line - 1] = lines[citation.where.line - 1].replace(word, "Zyzzyva", 1)
    event.write_text("".join(lines))

    failed = run(tmp_path, "check")
    assert failed.code == 1
    report = failed.err.splitlines()
    assert report[0] == (f"{citation.where.path}:{citation.where.line}: "
                         f"the quote is not in the snapshot of '{citation.source.id}'")
    assert report[1].startswith('    hint: the closest passage is: "') and word in report[1]
    assert "Zyzzyva" not in report[1]

    event.write_text(original)
    assert run(tmp_path, "check", "--strict").code == 0


def test_quotes_may_differ_only_in_spacing_quote_marks_dashes_and_ellipses():
    assert is_quoted_in('said today - after a long review -- that "every case"  will\nbe heard... in', STORED)
    assert is_quoted_in("The Office said today—after", STORED)
    assert not is_quoted_in("the office said today", STORED)  # case is the source's
    assert not is_quoted_in("every case will be heard", STORED)  # the quotation marks are not optional
    assert closest_passage("that every single case will be heard", STORED) == 'that "every case" will be heard...'


def test_a_quote_without_a_snapshot_is_a_warning_or_an_error_by_policy(make_project, run):
    files = {**minimal_files(), "content/events/2024-12-12-something-happened.md": quoted_event("anything at all")}
    project = make_project(files)
    lenient = run(project, "check")
    assert lenient.code == 0
    assert "content/events/2024-12-12-something-happened.md:6: warning: unverified quote: " \
           "'example-statement' has no stored snapshot" in lenient.err
    make_project({"content/site.yaml": SITE_YAML + "policy:\n  quotes_need_snapshots: true\n"})
    strict = run(project, "check")
    assert strict.code == 1
    assert "something-happened.md:6: unverified quote" in strict.err


def test_verified_quotes_say_so_and_link_to_the_words(make_project, run):
    project = make_project({**minimal_files(), SNAPSHOT: STORED,
                            "content/events/2024-12-12-something-happened.md": quoted_event("every case” will be heard")})
    assert run(project).code == 0
    page = (project / "_site/events/something-happened/index.html").read_text()
    assert "Checked word for word against our stored copy of the source." in page
    assert 'href="https://example.org/statement#:~:text=every%20case%E2%80%9D%20will%20be%20heard"' in page


def test_text_fragments_encode_the_directive_characters_and_shorten_long_quotes():
    assert text_fragment_url("https://a.org/p#old", "one-two, & three") == \
        "https://a.org/p#:~:text=one%2Dtwo%2C%20%26%20three"
    long = "one two three four five six seven eight nine ten eleven twelve"
    assert text_fragment_url("https://a.org/p", long) == \
        "https://a.org/p#:~:text=one%20two%20three%20four%20five,eight%20nine%20ten%20eleven%20twelve"


def test_a_dead_source_leads_with_its_archived_copy(make_project, run):
    archive = "https://web.archive.org/web/2024/https://example.org/statement"
    project = make_project({**minimal_files(), "content/sources/example-statement.yaml": SOURCE_YAML +
                            f"url_status: dead\narchive_url: {archive}\narchive_date: '2024-12-13'\n"})
    assert run(project).code == 0
    page = (project / "_site/events/something-happened/index.html").read_text()
    assert f'<a class="source-title" href="{archive}"><cite>A statement</cite></a>' in page
    assert "Archived copy of <time datetime=\"2024-12-13\">13 December 2024</time>; the original address, " \
           "example.org, no longer works." in page


def test_a_dead_source_without_an_archive_and_missing_archives_under_policy_are_errors(make_project, run):
    project = make_project({**minimal_files(),
                            "content/sources/example-statement.yaml": SOURCE_YAML + "url_status: dead\n"})
    result = run(project, "check")
    assert "content/sources/example-statement.yaml:5: a dead source needs 'archive_url'" in result.err
    make_project({"content/sources/example-statement.yaml": SOURCE_YAML,
                  "content/site.yaml": SITE_YAML + "policy:\n  archive_required: true\n  min_sources: 2\n"})
    result = run(project, "check")
    assert result.code == 1
    assert "example-statement.yaml:1: the editorial policy requires an archived copy" in result.err
    assert "something-happened.md:5: the event has 1 source; the editorial policy asks for at least 2" in result.err


def test_a_correction_shows_on_the_event_the_timeline_and_the_corrections_page(make_project, run):
    correction = "corrections:\n  - date: '2024-12-16'\n    text: The first version gave the wrong day.\n"
    event = minimal_files()["content/events/2024-12-12-something-happened.md"].replace("---\nSomething", correction + "---\nSomething")
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": event})
    assert run(project).code == 0
    shown = 'Corrected <time datetime="2024-12-16">16 December 2024</time>'
    for page in ("events/something-happened/index.html", "index.html", "corrections/index.html"):
        html = (project / "_site" / page).read_text()
        assert shown in html and "The first version gave the wrong day." in html, page
    assert "No corrections" not in (project / "_site/corrections/index.html").read_text()


CLAIM_REVIEW = """\
claim_review:
  claim: the Office pardoned everyone in 2020
  claimant: A. Claimant
  claim_date: '2020-06'
  appearance: example-statement
  rating: 'false'
  date: '2025-01-05'
  verdict: >-
    The Office said something else happened on this day.[^example-statement]
"""


def test_the_claim_review_is_visible_and_is_valid_claimreview_json_ld(make_project, run):
    event = minimal_files()["content/events/2024-12-12-something-happened.md"].replace(
        "---\nSomething", CLAIM_REVIEW + "---\nSomething")
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": event})
    assert run(project).code == 0
    html = (project / "_site/events/something-happened/index.html").read_text()
    box = html.split('<section class="claim-review')[1].split("</section>")[0]
    assert '<dd class="rating"><strong><a href="../../fact-checking/#rating-false">False</a></strong>' in box
    assert re.search(r'<sup class="cite"><a id="something-happened-verdict-cite-\d-1"', box)

    data = extruct.extract(html, base_url="https://example.org/", syntaxes=["json-ld"])["json-ld"]
    assert [d["@type"] for d in data] == ["Article", "ClaimReview"]
    review = data[1]
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    # Google's required fields, then its recommended ones.
    assert review["claimReviewed"] == "the Office pardoned everyone in 2020"
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["url"] == "https://example.org/test/events/something-happened/"
    assert review["author"]["name"] and review["datePublished"] == "2025-01-05"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim" and claim["author"]["name"] == "A. Claimant"
    assert claim["datePublished"] == "2020-06" and claim["appearance"]["url"] == "https://example.org/statement"
    assert review["reviewRating"]["ratingValue"] == 1 and review["reviewRating"]["bestRating"] == 5


def test_every_claim_review_of_the_real_content_is_on_its_page(real_site):
    timeline, _ = validate(load_content(PROJECT / "content"))
    reviewed = [e for e in timeline.events if e.claim_review]
    assert reviewed, "the content has a claim review"
    for event in reviewed:
        html = (real_site / "events" / event.slug / "index.html").read_text()
        assert '<section class="claim-review' in html, event.slug
        data = extruct.extract(html, base_url="https://example.org/", syntaxes=["json-ld"])["json-ld"]
        (review,) = [d for d in data if d["@type"] == "ClaimReview"]
        assert review["url"].endswith(f"/events/{event.slug}/")
        assert review["itemReviewed"]["author"]["name"] == event.claim_review.claimant


def test_json_ld_cannot_close_its_script_element(make_project, run):
    review = ("claim_review:\n  claim: '</script><script>alert(1)</script>'\n  claimant: X & Y\n  rating: mixed\n"
              "  date: '2025'\n  verdict: It is mixed.[^example-statement]\n")
    event = minimal_files()["content/events/2024-12-12-something-happened.md"].replace("---\nSomething", review + "---\nSomething")
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": event})
    assert run(project).code == 0
    html = (project / "_site/events/something-happened/index.html").read_text()
    scripts = [part.split("</script>")[0] for part in html.split('<script type="application/ld+json">')[1:]]
    assert len(scripts) == 2 and not any("<" in script for script in scripts)
    assert "\\u003c/script\\u003e" in scripts[1]
    assert extruct.extract(html, syntaxes=["json-ld"])["json-ld"][1]["claimReviewed"] == \
        "</script><script>alert(1)</script>"
