"""The project's own content: valid with no warning, faithful to the research, fully documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT, run_script
from timeline.load import load_content
from timeline.validate import (CITATION_KEYS, CLAIM_REVIEW_KEYS, CORRECTION_KEYS, EVENT_KEYS, POLICY_KEYS, SITE_KEYS,
                               SOURCE_KEYS, validate)

RESEARCH = Path(__file__).parent / "data" / "research-sources.yaml"
CONTENT = PROJECT / "content"


@pytest.fixture(scope="module")
def timeline():
    timeline, problems = validate(load_content(CONTENT))
    assert problems == []
    return timeline


def test_check_passes_on_the_real_content_with_no_warning():
    result = run_script("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "12 events" in result.stdout


def test_all_twelve_events_are_published_in_date_order(timeline):
    assert len(timeline.events) == 12
    keys = [e.date.sort_key() for e in timeline.events]
    assert keys == sorted(keys)


def test_every_quote_is_in_its_sources_snapshot_word_for_word(timeline):
    quotes = [(c.source, c.quote) for e in timeline.events for c in e.citations if c.quote]
    assert quotes, "the content quotes its sources"
    for source, quote in quotes:
        assert source.snapshot is not None and quote in source.snapshot, (source.id, quote)


def test_every_quotation_in_the_text_is_in_a_cited_snapshot(timeline):
    for event in timeline.events:
        snapshots = [c.source.snapshot or "" for c in event.citations]
        text = event.summary_markdown + "\n" + event.body_markdown
        for quoted in re.findall(r"“([^”]+)”", text):
            quoted = quoted.rstrip(",.")
            assert any(quoted in s for s in snapshots), (event.slug, quoted)


def test_sources_match_the_verified_research(timeline):
    research = {entry["id"]: entry for entry in yaml.safe_load(RESEARCH.read_text())}
    assert len(timeline.sources) == 26
    for source in timeline.sources:
        entry = research[source.id]
        assert entry["verified"] is True and entry["url"] == source.url, source.id
        assert source.published.iso in str(entry["published"]), source.id
        for quote in entry["quotes"]:
            assert quote in source.snapshot, (source.id, quote)


def test_every_content_key_is_documented_in_the_readme():
    readme = (PROJECT / "README.md").read_text()
    for key in (*EVENT_KEYS, *SOURCE_KEYS, *SITE_KEYS, *CITATION_KEYS, *CORRECTION_KEYS, *CLAIM_REVIEW_KEYS,
                *POLICY_KEYS):
        assert re.search(rf"^\| `{key}` \|", readme, re.M), f"README.md does not document the key '{key}'"


def test_the_real_site_links_every_event_to_verified_addresses(real_site: Path, timeline):
    index = (real_site / "index.html").read_text()
    articles = index.split('<article class="event"')[1:]
    assert len(articles) == 12
    urls = {s.url for s in timeline.sources}
    for article in articles:
        links = re.findall(r'<a class="source-title[^"]*" href="([^"]+)"', article)
        assert links and all(link in urls for link in links)
