"""The JSON Schemas in schema/ (editors' autocompletion) agree with the validator.

The schemas are for editors: the Red Hat YAML extension reads YAML 1.2, where `2024-12-12` is text,
`2024` is a number and `true` a boolean, so the schemas describe that view. The validator reads every
YAML value as text. The table below runs each case through both, and both must give the expected
answer.

Known, deliberate differences, and so not in the table:

- The validator checks what a schema cannot see: the file name against `date`, impossible dates
  (2024-02-30), `end_date` after `date`, unknown source ids, citation markers and uncited paragraphs
  (in the body, `summary` and `claim_review.verdict`), a source listed twice, duplicate keys and YAML
  aliases, slugs shared by two events.
- Rules that join two files, or two parts of one: `claim_review.appearance` must be one of the
  event's `sources:` (the schema only asks for a source id); a `quote:` must be in the source's
  snapshot, content/sources/<id>.txt (a quote from a source with no snapshot is only a warning, and
  the table's quotes have none); and site.yaml's `policy:` applies to the other files
  (`min_sources: 2`, `archive_required: true`, `quotes_need_snapshots: true` and
  `figures_must_match: true` make an event or a source wrong that its own schema accepts), so the
  table's policies are ones the minimal files meet. A source's `snapshot:` needs its stored copy
  beside it, and a `derived:` figure's sum is checked against the text and the stored copies.
  Within one file the schema does state `url_status: dead` and `archive_date` needing `archive_url`
  (`if`/`then`), and those are in the table.
- The validator reads scalars as text: `title: 1984`, `title: true` and `title: null` are the titles
  "1984", "true" and "null" to it, but a number, a boolean and nothing to an editor; the schema asks
  for text there (quote it). Explicit `null` or `~` in an optional key is "null" to the validator (an
  error for a date) and empty to the schema. Booleans (`draft`, the policy's) are read
  case-insensitively by both, so `draft: True` agrees; but `rating: True` (or `TRUE`, `False`) is a
  boolean to an editor, which the schema accepts because `rating: true` and `rating: false` must be
  accepted, while the validator's `rating` is case-sensitive and refuses "True". `min_sources: +2`,
  `0x10`, `0o7`, `2.0` and `1e3` are whole numbers to an editor but not digits to the validator.
- The validator strips the whitespace around every value; the schema's patterns do not (except that
  Python's `$`, which jsonschema uses here, also matches before a final newline; ECMAScript's, in the
  editor, does not). Tags are the exception: the validator reads them unstripped and refuses
  `"pardon\\n"`, so the slug patterns end in `$(?!\\n)`, which means the same in both regex dialects.
- Exotic addresses: the schema approximates Python's `urlsplit` (IPv6 literals, characters that
  NFKC-normalise to `/`, U+FEFF).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, SITE_YAML, SOURCE_YAML, minimal_files
from jsonschema import Draft202012Validator

from timeline.fields import parse_date, url_problem
from timeline.load import split_front_matter
from timeline.model import RATINGS, Location
from timeline.siteyaml import POLICY_KEYS, SITE_KEYS
from timeline.validate import (
    CITATION_KEYS,
    CLAIM_REVIEW_KEYS,
    CORRECTION_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    URL_STATUSES,
)

SCHEMA_DIR = PROJECT / "schema"
SCHEMA_FILES = ("event.schema.json", "source.schema.json", "site.schema.json")
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def validator_for(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(f"{kind}.schema.json"))


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the scalars of YAML 1.2's core schema, as the VS Code YAML extension
    reads them: no timestamps (2024-12-12 stays text), booleans only true/false (no, yes, on stay
    text), integers and floats without YAML 1.1's sexagesimal and binary forms."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml12(text: str):
    return yaml.load(text, Loader=Yaml12Loader)  # a SafeLoader: builds only plain data


def test_the_yaml_1_2_view_is_what_editors_see():
    assert load_yaml12("a: 2024-12-12\nb: 2024\nc: no\nd: true\ne: True\nf: 007\ng: 12:30\nh:\n") == {
        "a": "2024-12-12",
        "b": 2024,
        "c": "no",
        "d": True,
        "e": True,
        "f": 7,
        "g": "12:30",
        "h": None,
    }


# --- the schemas themselves -------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["$id"]
    assert schema["type"] == "object" and schema["additionalProperties"] is False


def _property_maps(schema, path="#"):
    """Every `properties` mapping in a schema, with where it is."""
    if isinstance(schema, dict):
        if isinstance(schema.get("properties"), dict):
            yield path, schema["properties"]
        for key, value in schema.items():
            yield from _property_maps(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _property_maps(value, f"{path}/{index}")


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_property_has_a_title_and_a_description_for_hover_and_completion(name):
    for path, properties in _property_maps(load_schema(name)):
        for key, subschema in properties.items():
            assert subschema.get("title") and subschema.get("description"), f"{name} {path}/{key}"


def _citation_object(event_schema: dict) -> dict:
    items = event_schema["properties"]["sources"]["anyOf"][0]["items"]["anyOf"]
    return next(branch for branch in items if branch.get("type") == "object")


def _correction_object(event_schema: dict) -> dict:
    return event_schema["properties"]["corrections"]["anyOf"][0]["items"]


def _branch(property_schema: dict, key: str) -> dict:
    """The one branch of an anyOf that has `key` (e.g. the enum of url_status or rating)."""
    (branch,) = [b for b in property_schema["anyOf"] if key in b]
    return branch


def test_property_names_are_the_validators_keys():
    event = load_schema("event.schema.json")
    source = load_schema("source.schema.json")
    site = load_schema("site.schema.json")
    assert set(event["properties"]) == set(EVENT_KEYS)
    assert set(_citation_object(event)["properties"]) == set(CITATION_KEYS)
    assert set(_correction_object(event)["properties"]) == set(CORRECTION_KEYS)
    assert set(event["properties"]["claim_review"]["properties"]) == set(CLAIM_REVIEW_KEYS)
    assert set(source["properties"]) == set(SOURCE_KEYS)
    assert set(site["properties"]) == set(SITE_KEYS)
    assert set(site["properties"]["policy"]["properties"]) == set(POLICY_KEYS)


def test_the_choices_are_the_validators_choices():
    source = load_schema("source.schema.json")["properties"]
    claim_review = load_schema("event.schema.json")["properties"]["claim_review"]["properties"]
    assert tuple(_branch(source["url_status"], "enum")["enum"]) == URL_STATUSES
    assert tuple(_branch(claim_review["rating"], "enum")["enum"]) == tuple(RATINGS)


def test_every_new_mapping_refuses_unknown_keys():
    event = load_schema("event.schema.json")
    for mapping in (
        _citation_object(event),
        _correction_object(event),
        event["properties"]["claim_review"],
        load_schema("site.schema.json")["properties"]["policy"],
    ):
        assert mapping["type"] == "object" and mapping["additionalProperties"] is False, mapping["title"]


def test_required_keys_are_the_validators_required_keys():
    # validate.py passes required=True for exactly these (README: the "required" columns).
    event = load_schema("event.schema.json")
    assert event["required"] == ["title", "date", "sources"]
    assert _citation_object(event)["required"] == ["id"]
    assert _correction_object(event)["required"] == ["date", "text"]
    assert event["properties"]["claim_review"]["required"] == ["claim", "claimant", "rating", "verdict", "date"]
    assert load_schema("source.schema.json")["required"] == ["url", "title", "publisher", "published"]
    assert load_schema("site.schema.json")["required"] == ["title", "description", "base_url", "language"]
    assert "required" not in load_schema("site.schema.json")["properties"]["policy"]  # every policy key is optional


def _patterns(schema) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["pattern"]} if "pattern" in schema else set()
        return found.union(*(_patterns(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_patterns(value) for value in schema))
    return set()


def test_every_date_and_every_address_has_the_same_pattern():
    """The schemas repeat a field's rules rather than $ref them (editors show $ref'd hover text
    unevenly); this keeps the copies equal."""
    event, source, site = (load_schema(name)["properties"] for name in SCHEMA_FILES)
    review, policy = event["claim_review"]["properties"], site["policy"]["properties"]
    dates = [event["date"], event["end_date"], event["updated"], source["published"], source["accessed"],
             source["archive_date"], review["date"], review["claim_date"]]
    urls = [source["url"], source["archive_url"], source["original_url"], site["base_url"]]
    booleans = [event["draft"], policy["quotes_need_snapshots"], policy["archive_required"], policy["figures_must_match"]]
    ids = [_citation_object(load_schema("event.schema.json"))["properties"]["id"], event["tags"]["anyOf"][0],
           event["sources"]["anyOf"][0]["items"]["anyOf"][0], event["sources"]["anyOf"][1], review["appearance"]]
    for group in (dates, urls, booleans, ids):
        assert len(_patterns(group[0])) == 1
        for field in group:
            assert _patterns(field) == _patterns(group[0])


# --- the table: the validator and the schemas agree -------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # "event" (front matter), "source" or "site"
    yaml: str
    valid: bool


def event(id: str, front: str, valid: bool) -> Case:
    return Case(id, "event", front, valid)


def source(id: str, text: str, valid: bool) -> Case:
    return Case(id, "source", text, valid)


def site(id: str, text: str, valid: bool) -> Case:
    return Case(id, "site", text, valid)


SOURCE_MIN = SOURCE_YAML  # url:, title:, publisher:, published: '2024-12-12'
SITE_MIN = SITE_YAML  # title:, description:, base_url: https://example.org/test/, language: en
TITLE = "title: Something happened\n"
DATE = "date: '2024-12-12'\n"
SOURCES = "sources:\n  - example-statement\n"
WITH_QUOTE = "sources:\n  - id: example-statement\n    {}: It happened.\n"
BASE = TITLE + DATE + SOURCES
CORRECTION = "corrections:\n  - date: '2024-12-13'\n    text: The first version gave the wrong day.\n"
VERDICT = "  verdict: The office published a statement that day.[^example-statement]\n"
REVIEW = (
    "claim_review:\n"
    "  claim: The office said nothing that day.\n"
    "  claimant: A Spokesperson\n"
    "  rating: mostly-false\n" + VERDICT + "  date: '2024-12-13'\n"
)
ARCHIVE_URL = "archive_url: https://web.archive.org/web/20241213000000/https://example.org/statement\n"
POLICY = ("policy:\n  min_sources: 1\n  quotes_need_snapshots: true\n  archive_required: false\n"
          "  figures_must_match: true\n")

CASES = [
    # Event front matter: accepted.
    event("event-minimal", TITLE + DATE + "tags: [pardon]\n" + SOURCES, True),
    event(
        "event-every-key",
        TITLE
        + DATE
        + "end_date: '2025-01'\n"
        + "summary: Something happened.[^example-statement]\n"
        + "tags:\n  - biden\n  - hunter-biden\n"
        + "sources:\n  - example-statement\n  - id: other-statement\n    quote: Words from it.\n"
        + "draft: false\n",
        True,
    ),
    event("event-date-month", TITLE + "date: '2024-12'\n" + SOURCES, True),
    event("event-date-year-unquoted", TITLE + "date: 2024\n" + SOURCES, True),
    event("event-date-unquoted", TITLE + "date: 2024-12-12\n" + SOURCES, True),
    event("event-draft-true", TITLE + DATE + SOURCES + "draft: true\n", True),
    event("event-draft-quoted", TITLE + DATE + SOURCES + "draft: 'false'\n", True),
    event("event-draft-empty", TITLE + DATE + SOURCES + "draft:\n", True),
    event("event-sources-one-id-not-a-list", TITLE + DATE + "sources: example-statement\n", True),
    event("event-source-id-and-quote", TITLE + DATE + WITH_QUOTE.format("quote"), True),
    event("event-tags-empty-list", TITLE + DATE + "tags: []\n" + SOURCES, True),
    event("event-summary-empty", TITLE + DATE + "summary:\n" + SOURCES, True),
    event("event-title-quoted-colon", "title: 'Pardons: the list'\n" + DATE + SOURCES, True),
    event("event-updated", BASE + "updated: '2025-02-01'\n", True),
    event("event-updated-unquoted-month", BASE + "updated: 2025-02\n", True),
    event("event-updated-empty", BASE + "updated:\n", True),
    event("event-not-quotations-list", BASE + "not_quotations:\n  - Operation Warp Speed\n", True),
    event("event-not-quotations-one", BASE + "not_quotations: Operation Warp Speed\n", True),
    event("event-derived", BASE + "derived:\n  - figure: '2'\n    from: 1 + 1\n", True),
    event("event-derived-empty", BASE + "derived:\n", True),
    # Event front matter: refused.
    event("event-no-title", DATE + SOURCES, False),
    event("event-empty-title", "title: ''\n" + DATE + SOURCES, False),
    event("event-blank-title", "title: '   '\n" + DATE + SOURCES, False),
    event("event-no-date", TITLE + SOURCES, False),
    event("event-updated-words", BASE + "updated: last week\n", False),
    event("event-updated-day-32", BASE + "updated: '2025-01-32'\n", False),
    event("event-not-quotations-empty-item", BASE + "not_quotations:\n  - ''\n", False),
    event("event-not-quotations-mapping", BASE + "not_quotations:\n  phrase: x\n", False),
    event("event-derived-no-from", BASE + "derived:\n  - figure: '2'\n", False),
    event("event-derived-unknown-key", BASE + "derived:\n  - figure: '2'\n    from: 1 + 1\n    why: sum\n", False),
    event("event-derived-text-item", BASE + "derived:\n  - 2 = 1 + 1\n", False),
    event("event-no-sources", TITLE + DATE, False),
    event("event-sources-empty-list", TITLE + DATE + "sources: []\n", False),
    event("event-sources-empty", TITLE + DATE + "sources:\n", False),
    event("event-unknown-key", TITLE + DATE + "tag: [pardon]\n" + SOURCES, False),
    event("event-date-us-format", TITLE + "date: 12/12/2024\n" + SOURCES, False),
    event("event-date-month-13", TITLE + "date: '2024-13-01'\n" + SOURCES, False),
    event("event-date-one-digit-month", TITLE + "date: '2024-1-05'\n" + SOURCES, False),
    event("event-date-words", TITLE + "date: 12 December 2024\n" + SOURCES, False),
    event("event-end-date-words", TITLE + DATE + "end_date: someday\n" + SOURCES, False),
    event("event-tag-capitalised", TITLE + DATE + "tags: [Pardon]\n" + SOURCES, False),
    event("event-tag-with-space", TITLE + DATE + "tags: [hunter biden]\n" + SOURCES, False),
    event("event-tags-mapping", TITLE + DATE + "tags:\n  topic: pardon\n" + SOURCES, False),
    event("event-tag-mapping", TITLE + DATE + "tags:\n  - topic: pardon\n" + SOURCES, False),
    event("event-source-entry-unknown-key", TITLE + DATE + WITH_QUOTE.format("quot"), False),
    event("event-source-entry-no-id", TITLE + DATE + "sources:\n  - quote: It happened.\n", False),
    event("event-source-entry-nested-list", TITLE + DATE + "sources:\n  - [example-statement]\n", False),
    event("event-quote-list", TITLE + DATE + "sources:\n  - id: example-statement\n    quote: [a, b]\n", False),
    event("event-sources-mapping", TITLE + DATE + "sources:\n  example-statement: yes\n", False),
    event("event-draft-yes", TITLE + DATE + SOURCES + "draft: yes\n", False),
    event("event-draft-word", TITLE + DATE + SOURCES + "draft: maybe\n", False),
    event("event-title-list", "title: [a, b]\n" + DATE + SOURCES, False),
    event("event-front-matter-list", "- title\n- date\n", False),
    event("event-front-matter-empty", "", False),
    event("event-sources-empty-item", TITLE + DATE + "sources:\n  - example-statement\n  - ''\n", False),
    event("event-sources-only-item-empty", TITLE + DATE + "sources:\n  - ''\n", False),
    event("event-tag-trailing-newline", TITLE + DATE + 'tags: ["pardon\\n"]\n' + SOURCES, False),
    event("event-date-non-ascii-digits", TITLE + "date: '\u0662\u0660\u0662\u0664-12-12'\n" + SOURCES, False),
    # Event front matter, draft: booleans in any case.
    event("event-draft-capitalised", BASE + "draft: True\n", True),
    event("event-draft-upper-quoted", BASE + "draft: 'FALSE'\n", True),
    event("event-draft-mixed-case-text", BASE + "draft: tRUE\n", True),
    # Event front matter, corrections: accepted.
    event("event-correction", BASE + CORRECTION, True),
    event(
        "event-corrections-two-unquoted",
        BASE + "corrections:\n  - date: 2025-01-02\n    text: A second fix.\n  - date: 2024-12-13\n    text: A fix.\n",
        True,
    ),
    event("event-corrections-empty-list", BASE + "corrections: []\n", True),
    event("event-corrections-empty", BASE + "corrections:\n", True),
    # Event front matter, corrections: refused.
    event("event-correction-month-only", BASE + CORRECTION.replace("'2024-12-13'", "'2024-12'"), False),
    event("event-correction-year-unquoted", BASE + CORRECTION.replace("'2024-12-13'", "2025"), False),
    event("event-correction-date-words", BASE + CORRECTION.replace("'2024-12-13'", "13 December 2024"), False),
    event("event-correction-no-date", BASE + "corrections:\n  - text: A fix.\n", False),
    event("event-correction-no-text", BASE + "corrections:\n  - date: '2024-12-13'\n", False),
    event("event-correction-empty-text", BASE + "corrections:\n  - date: '2024-12-13'\n    text: ''\n", False),
    event("event-correction-unknown-key", BASE + CORRECTION + "    note: Thanks to a reader.\n", False),
    event("event-correction-not-a-mapping", BASE + "corrections:\n  - Fixed a typo.\n", False),
    event("event-corrections-text", BASE + "corrections: Fixed a typo.\n", False),
    event("event-corrections-mapping", BASE + "corrections:\n  date: '2024-12-13'\n  text: A fix.\n", False),
    # Event front matter, claim_review: accepted.
    event("event-claim-review-minimal", BASE + REVIEW, True),
    event(
        "event-claim-review-every-key",
        BASE
        + "claim_review:\n"
        + "  claim: The office said nothing that day.\n"
        + "  claimant: A Spokesperson\n"
        + "  claim_date: '2024-12'\n"
        + "  appearance: example-statement\n"
        + "  rating: 'false'\n"
        + "  verdict: >-\n"
        + "    The office published a statement\n"
        + "    that day.[^example-statement]\n"
        + "  date: 2025\n",
        True,
    ),
    event("event-claim-review-rating-false-unquoted", BASE + REVIEW.replace("mostly-false", "false"), True),
    event("event-claim-review-rating-true-unquoted", BASE + REVIEW.replace("mostly-false", "true"), True),
    event("event-claim-review-rating-mixed", BASE + REVIEW.replace("mostly-false", "mixed"), True),
    event("event-claim-review-date-unquoted", BASE + REVIEW.replace("'2024-12-13'", "2024-12-13"), True),
    event("event-claim-review-empty-optionals", BASE + REVIEW + "  claim_date:\n  appearance: ''\n", True),
    # Event front matter, claim_review: refused.
    event("event-claim-review-no-claim", BASE + REVIEW.replace("  claim: The office said nothing that day.\n", ""), False),
    event("event-claim-review-no-claimant", BASE + REVIEW.replace("  claimant: A Spokesperson\n", ""), False),
    event("event-claim-review-empty-claimant", BASE + REVIEW.replace("A Spokesperson", "''"), False),
    event("event-claim-review-no-rating", BASE + REVIEW.replace("  rating: mostly-false\n", ""), False),
    event("event-claim-review-rating-empty", BASE + REVIEW.replace("  rating: mostly-false\n", "  rating:\n"), False),
    event("event-claim-review-rating-unknown", BASE + REVIEW.replace("mostly-false", "pants-on-fire"), False),
    event("event-claim-review-rating-words", BASE + REVIEW.replace("mostly-false", "Mostly false"), False),
    event("event-claim-review-rating-yes", BASE + REVIEW.replace("mostly-false", "yes"), False),
    event("event-claim-review-no-verdict", BASE + REVIEW.replace(VERDICT, ""), False),
    event("event-claim-review-empty-verdict", BASE + REVIEW.replace(VERDICT, "  verdict: ''\n"), False),
    event("event-claim-review-no-date", BASE + REVIEW.replace("  date: '2024-12-13'\n", ""), False),
    event("event-claim-review-date-words", BASE + REVIEW.replace("'2024-12-13'", "last week"), False),
    event("event-claim-review-claim-date-words", BASE + REVIEW + "  claim_date: someday\n", False),
    event("event-claim-review-unknown-key", BASE + REVIEW + "  source: example-statement\n", False),
    event("event-claim-review-empty", BASE + "claim_review:\n", False),
    event("event-claim-review-text", BASE + "claim_review: false\n", False),
    event("event-claim-review-list", BASE + "claim_review:\n  - claim: The office said nothing.\n", False),
    # Source files: accepted.
    source("source-minimal", SOURCE_MIN, True),
    source(
        "source-every-key",
        SOURCE_MIN
        + "archive_url: https://web.archive.org/web/2024/https://example.org/statement\n"
        + "original_url: http://example.org/old/statement?id=1#top\n"
        + "accessed: 2025-01-20\n"
        + "note: The date is inferred from the page's address.\n",
        True,
    ),
    source("source-url-capital-scheme", SOURCE_MIN.replace("https://", "HTTPS://"), True),
    source("source-url-http-port", SOURCE_MIN.replace("https://example.org/", "http://example.org:8080/"), True),
    source("source-published-year-unquoted", SOURCE_MIN.replace("'2024-12-12'", "2024"), True),
    source("source-published-unquoted", SOURCE_MIN.replace("'2024-12-12'", "2024-12-12"), True),
    source("source-title-description", SOURCE_MIN.replace("A statement", "(BBC News live page on the pardon)"), True),
    source("source-note-empty", SOURCE_MIN + "note:\n", True),
    source("source-archive-url-empty", SOURCE_MIN + "archive_url: ''\n", True),
    # Source files: refused.
    source("source-url-ftp", SOURCE_MIN.replace("https://", "ftp://"), False),
    source("source-url-javascript", SOURCE_MIN.replace("https://example.org/statement", "javascript:alert(1)"), False),
    source("source-url-no-scheme", SOURCE_MIN.replace("https://", ""), False),
    source("source-url-space", SOURCE_MIN.replace("/statement", "/a statement"), False),
    source("source-url-no-host", SOURCE_MIN.replace("https://example.org/", "https:///"), False),
    source("source-url-no-slashes", SOURCE_MIN.replace("https://", "https:"), False),
    source("source-no-url", SOURCE_MIN.replace("url: https://example.org/statement\n", ""), False),
    source("source-no-publisher", SOURCE_MIN.replace("publisher: The Example Office\n", ""), False),
    source("source-no-published", SOURCE_MIN.replace("published: '2024-12-12'\n", ""), False),
    source("source-published-words", SOURCE_MIN.replace("'2024-12-12'", "December 2024"), False),
    source("source-archive-url-no-scheme", SOURCE_MIN + "archive_url: web.archive.org/web/2024/example.org\n", False),
    source("source-accessed-words", SOURCE_MIN + "accessed: yesterday\n", False),
    source("source-unknown-key", SOURCE_MIN + "author: Someone\n", False),
    source("source-publisher-list", SOURCE_MIN.replace("The Example Office", "[One, Two]"), False),
    source("source-not-a-mapping", "https://example.org/statement\n", False),
    # Source files, archive_date and url_status: accepted.
    source("source-archived", SOURCE_MIN + ARCHIVE_URL + "archive_date: '2024-12-13'\nurl_status: live\n", True),
    source("source-dead-with-archive", SOURCE_MIN + ARCHIVE_URL + "archive_date: 2024-12-13\nurl_status: dead\n", True),
    source("source-archive-date-year", SOURCE_MIN + ARCHIVE_URL + "archive_date: 2024\n", True),
    source("source-url-status-empty", SOURCE_MIN + "url_status:\n", True),
    source("source-url-status-live-no-archive", SOURCE_MIN + "url_status: live\n", True),
    # Source files, archive_date and url_status: refused.
    source("source-dead-without-archive", SOURCE_MIN + "url_status: dead\n", False),
    source("source-dead-archive-url-empty", SOURCE_MIN + "archive_url: ''\nurl_status: dead\n", False),
    source("source-url-status-unknown", SOURCE_MIN + ARCHIVE_URL + "url_status: gone\n", False),
    source("source-url-status-capitalised", SOURCE_MIN + ARCHIVE_URL + "url_status: Dead\n", False),
    source("source-url-status-boolean", SOURCE_MIN + "url_status: true\n", False),
    source("source-snapshot-unknown", SOURCE_MIN + "snapshot: full\n", False),
    source("source-archive-date-without-archive-url", SOURCE_MIN + "archive_date: '2024-12-13'\n", False),
    source("source-archive-date-with-empty-archive-url", SOURCE_MIN + "archive_url: ''\narchive_date: '2024-12-13'\n", False),
    source("source-archive-date-words", SOURCE_MIN + ARCHIVE_URL + "archive_date: last year\n", False),
    source("source-archive-date-month-13", SOURCE_MIN + ARCHIVE_URL + "archive_date: '2024-13'\n", False),
    # site.yaml: accepted.
    site("site-minimal", SITE_MIN, True),
    site("site-language-region", SITE_MIN.replace("language: en", "language: en-GB"), True),
    site("site-language-no", SITE_MIN.replace("language: en", "language: no"), True),  # Norwegian, not false
    # site.yaml: refused.
    site("site-no-base-url", SITE_MIN.replace("base_url: https://example.org/test/\n", ""), False),
    site("site-base-url-relative", SITE_MIN.replace("https://example.org/test/", "/test/"), False),
    site("site-language-name", SITE_MIN.replace("language: en", "language: English"), False),
    site("site-language-underscore", SITE_MIN.replace("language: en", "language: en_GB"), False),
    site("site-empty-description", SITE_MIN.replace("A small timeline for tests.", "''"), False),
    site("site-unknown-key", SITE_MIN + "author: Someone\n", False),
    # site.yaml, policy: accepted (by policies the minimal files meet: one source, no quote, no archive).
    site("site-policy-every-key", SITE_MIN + POLICY, True),
    site(
        "site-policy-text-and-capitals",
        SITE_MIN + "policy:\n  min_sources: '1'\n  quotes_need_snapshots: 'TRUE'\n  archive_required: False\n",
        True,
    ),
    site("site-policy-empty-values", SITE_MIN + "policy:\n  min_sources:\n  quotes_need_snapshots:\n", True),
    site("site-policy-no-keys", SITE_MIN + "policy: {}\n", True),
    site("site-policy-leading-zero", SITE_MIN + "policy:\n  min_sources: 01\n", True),
    # site.yaml, policy: refused.
    site("site-policy-min-sources-zero", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: 0"), False),
    site("site-policy-min-sources-zero-text", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: '00'"), False),
    site("site-policy-min-sources-negative", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: -1"), False),
    site("site-policy-min-sources-fraction", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: 1.5"), False),
    site("site-policy-min-sources-word", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: two"), False),
    site("site-policy-min-sources-list", SITE_MIN + POLICY.replace("min_sources: 1", "min_sources: [1]"), False),
    site("site-policy-min-sources-other-digits", SITE_MIN + "policy:\n  min_sources: '\u0663'\n", False),
    site("site-policy-boolean-yes", SITE_MIN + POLICY.replace("archive_required: false", "archive_required: yes"), False),
    site("site-policy-boolean-number", SITE_MIN + POLICY.replace("quotes_need_snapshots: true", "quotes_need_snapshots: 1"), False),
    site("site-policy-unknown-key", SITE_MIN + POLICY.replace("min_sources", "min_source"), False),
    site("site-policy-empty", SITE_MIN + "policy:\n", False),
    site("site-policy-list", SITE_MIN + "policy: [min_sources]\n", False),
    site("site-policy-text", SITE_MIN + "policy: strict\n", False),
]

OTHER_SOURCE = SOURCE_MIN.replace("/statement", "/other")
BODY = "Something happened on this day.[^example-statement]\n"
_DATE_LINE = re.compile(r"^date: '?([0-9]{4}(?:-[0-9]{2}){0,2})'?$", re.MULTILINE)


def project_files(case: Case) -> dict[str, str]:
    """minimal_files() with the case's file in place of its kind's file."""
    files = minimal_files()
    files["content/sources/other-statement.yaml"] = OTHER_SOURCE
    if case.kind == "event":
        date = _DATE_LINE.search(case.yaml)
        name = f"{date.group(1) if date else '2024-12-12'}-something-happened.md"
        del files["content/events/2024-12-12-something-happened.md"]
        files[f"content/events/{name}"] = f"---\n{case.yaml}---\n{BODY}"
    elif case.kind == "source":
        files["content/sources/example-statement.yaml"] = case.yaml
    else:
        files["content/site.yaml"] = case.yaml
    return files


def test_the_table_is_large_and_covers_every_kind_both_ways():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)
    kinds = {(case.kind, case.valid) for case in CASES}
    assert kinds == {(kind, valid) for kind in ("event", "source", "site") for valid in (True, False)}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_validator_and_the_schema_agree(case, make_project, run):
    result = run(make_project(project_files(case)), "check")
    assert result.code in (0, 1), result.err
    validator_accepts = result.code == 0

    schema_errors = [error.message for error in validator_for(case.kind).iter_errors(load_yaml12(case.yaml))]
    schema_accepts = not schema_errors

    expected = "accept" if case.valid else "refuse"
    assert validator_accepts == case.valid, f"the validator should {expected}:\n{case.yaml}\n{result.err}"
    assert schema_accepts == case.valid, f"the schema should {expected}:\n{case.yaml}\n{schema_errors}"


# --- the fields' rules, one value at a time ---------------------------------------------------

URLS = [
    ("https://example.org", True),
    ("http://example.org/a/b?c=d#e", True),
    ("HtTpS://Example.org/", True),
    ("https://user:pass@example.org/", False),  # a user name before the host is refused
    ("https://a@b@example.org/", False),
    ("https://evil.example\\@example.org/", False),  # browsers read the backslash as a slash
    ('https://example.org/"quoted"', False),
    ("https://example.org/<tag>", False),
    ("https://example.org:8080", True),
    ("https://[2001:db8::1]:8080/", True),
    ("https://example.org/caf\u00e9", True),
    ("ftp://example.org/", False),
    ("mailto:someone@example.org", False),
    ("javascript:alert(1)", False),
    ("//example.org/", False),
    ("https:example.org", False),
    ("https:/example.org", False),
    ("https://", False),
    ("https:///path", False),
    ("https://@/path", False),
    ("https://:80/path", False),
    ("https://user@:80/", False),
    ("https://exa mple.org/", False),
    ("https://example.org/a\u00a0b", False),
    ("https://example.org/a\tb", False),
    ("https://example.org/a\x1fb", False),
    ("https://example.org/a\x85b", False),
    ("https://[::1/", False),
    ("https://ex]ample.org/", False),
]


@pytest.mark.parametrize(("address", "valid"), URLS)
def test_the_address_pattern_agrees_with_the_validators_address_check(address, valid):
    assert (url_problem(address) == "") == valid
    schema = load_schema("source.schema.json")["properties"]["url"]
    assert Draft202012Validator(schema).is_valid(address) == valid


def test_the_correction_date_pattern_needs_the_day_like_the_validator():
    """A correction's date is a date (parse_date) with a day (validate._corrections)."""
    schema = Draft202012Validator(_correction_object(load_schema("event.schema.json"))["properties"]["date"])
    texts = [f"2024-{m:02d}" for m in range(14)] + [f"2023-{m:02d}-{d:02d}" for m in range(14) for d in range(33)]
    texts += ["2024", "2024-1-1", "2024-01-1", "2024/01/01", "\u0662\u0660\u0662\u0664-01-01"]
    for text in texts:
        problems = []
        date = parse_date(text, "date", Location("x"), problems)
        validator_accepts = date is not None and date.day is not None
        schema_accepts = schema.is_valid(text)
        if schema_accepts and not validator_accepts:
            assert "is impossible" in problems[0].message and "days" in problems[0].message, text
        else:
            assert schema_accepts == validator_accepts, text


def test_the_date_pattern_agrees_with_the_validator_except_impossible_days():
    """Every YYYY-MM-DD whose month is 00-13 and day 00-32, and every YYYY-MM: the schema refuses
    what the validator refuses, except days past the end of their month (2024-02-30)."""
    schema = Draft202012Validator(load_schema("event.schema.json")["properties"]["date"])
    texts = [f"2024-{m:02d}" for m in range(14)] + [f"2023-{m:02d}-{d:02d}" for m in range(14) for d in range(33)]
    texts += ["2024", "0999", "202", "20245", "2024-", "2024-1", "2024-01-1", "2024/01/01", "24-01-01"]
    for text in texts:
        problems = []
        validator_accepts = parse_date(text, "date", Location("x"), problems) is not None
        schema_accepts = schema.is_valid(text)
        if schema_accepts and not validator_accepts:
            assert "is impossible" in problems[0].message and "days" in problems[0].message, text
        else:
            assert schema_accepts == validator_accepts, text


# --- the project's own content ----------------------------------------------------------------

CONTENT = PROJECT / "content"


def _content_files() -> list[tuple[str, Path]]:
    files = [("site", CONTENT / "site.yaml")]
    files += [("source", path) for path in sorted((CONTENT / "sources").glob("*.yaml"))]
    files += [("event", path) for path in sorted((CONTENT / "events").glob("*.md"))]
    return files


@pytest.mark.parametrize(("kind", "path"), _content_files(), ids=lambda value: getattr(value, "name", value))
def test_the_real_content_matches_the_schemas(kind, path):
    text = path.read_text(encoding="utf-8")
    if kind == "event":
        split = split_front_matter(text, path.name)
        assert isinstance(split, tuple), split
        text = split[0]
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator_for(kind).iter_errors(load_yaml12(text))
    ]
    assert not errors, errors


def test_vscode_maps_the_schemas_to_the_content_files():
    settings = json.loads((PROJECT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = settings["yaml.schemas"]
    assert mapped == {
        "./schema/source.schema.json": "content/sources/*.yaml",
        "./schema/site.schema.json": "content/site.yaml",
    }
    for schema_path in mapped:
        assert (PROJECT / schema_path).is_file()
