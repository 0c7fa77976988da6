"""The project's own content: valid with no warning, faithful to the research, fully documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, run_script

from timeline.load import load_content
from timeline.siteyaml import ABOUT_KEYS, POLICY_KEYS, SITE_KEYS, TOPIC_KEYS
from timeline.validate import (
    CITATION_KEYS,
    CLAIM_REVIEW_KEYS,
    CORRECTION_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    validate,
)
from timeline.verify import DERIVED_KEYS

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
    assert result.stdout.startswith("OK: ")


# The mission: these events stay on the timeline, with these dates, however it grows.
MISSION = {
    "marijuana-possession-pardon": "2022-10-06", "marijuana-pardon-expanded": "2023-12-22",
    "article-125-military-pardon": "2024-06-26", "hunter-biden-pardon": "2024-12-01",
    "biden-39-pardons-1499-commutations": "2024-12-12", "smirnov-agrees-to-plead-guilty": "2024-12-12",
    "time-trump-interview-j6-pardons": "2024-12-12", "smirnov-plea-accepted": "2024-12-16",
    "federal-death-row-commutations": "2024-12-23", "biden-pre-emptive-pardons": "2025-01-20",
    "trump-inauguration-j6-clemency": "2025-01-20",
}


def test_every_mission_event_is_published_with_its_date_in_date_order(timeline):
    dates = {e.slug: e.date.iso for e in timeline.events}
    assert {slug: dates.get(slug) for slug in MISSION} == MISSION
    keys = [e.date.sort_key() for e in timeline.events]
    assert keys == sorted(keys)


def test_the_policy_asks_for_every_quotation_and_figure_to_be_verified(timeline):
    """With these on, `check --strict` passing (above) means every quotation in the text and
    under the sources, and every figure, was found in a stored copy of a source cited for it."""
    policy = timeline.site.policy
    assert policy.quotes_need_snapshots and policy.figures_must_match
    assert all(e.quotations_verified > 0 for e in timeline.events if "“" in e.body_markdown)


def test_every_quote_is_in_its_sources_snapshot_word_for_word(timeline):
    quotes = [(c.source, c.quote) for e in timeline.events for c in e.citations if c.quote]
    assert quotes, "the content quotes its sources"
    for source, quote in quotes:
        assert source.snapshot is not None and quote in source.snapshot, (source.id, quote)


def test_sources_match_the_verified_research(timeline):
    """The sources researched for the first site still say what the research found. A source added
    later is not in that file: `check --strict` (above) holds it to its own stored copy."""
    research = {entry["id"]: entry for entry in yaml.safe_load(RESEARCH.read_text())}
    researched = [source for source in timeline.sources if source.id in research]
    assert researched, "no source of the content is in the research file"
    for source in researched:
        entry = research[source.id]
        assert entry["verified"] is True and entry["url"] == source.url, source.id
        assert source.published.iso in str(entry["published"]), source.id
        for quote in entry["quotes"]:
            assert quote in source.snapshot, (source.id, quote)


def test_every_content_key_is_documented_in_the_readme():
    readme = (PROJECT / "README.md").read_text()
    for key in (*EVENT_KEYS, *SOURCE_KEYS, *SITE_KEYS, *CITATION_KEYS, *CORRECTION_KEYS, *CLAIM_REVIEW_KEYS,
                *POLICY_KEYS, *DERIVED_KEYS, *TOPIC_KEYS, *ABOUT_KEYS):
        assert re.search(rf"^\| `{key}` \|", readme, re.MULTILINE), f"README.md does not document the key '{key}'"


def test_the_real_site_links_every_event_to_verified_addresses(real_site: Path, timeline):
    index = (real_site / "index.html").read_text()
    articles = index.split('<article class="event"')[1:]
    assert len(articles) == len(timeline.events)
    urls = {s.url for s in timeline.sources}
    for article in articles:
        links = re.findall(r'<a class="source-title[^"]*" href="([^"]+)"', article)
        assert links and all(link in urls for link in links)
