"""The editors' error messages are a spec: each bad input, and exactly what the editor reads."""

from __future__ import annotations

import pytest
from conftest import EVENT_MD, SITE_YAML, SOURCE_YAML, minimal_files, tree, write_files

E = "content/events/2024-12-12-something-happened.md"
S = "content/sources/example-statement.yaml"
GOOD = "title: Something happened\ndate: '2024-12-12'\nsources:\n  - example-statement\n"


def ev(front: str, body: str = "Something happened on this day.[^example-statement]\n") -> str:
    """An event file with this front matter and body."""
    return "---\n" + front + "---\n" + body


# (changes to the minimal valid content, None deleting a file) → the exact report, hints included.
BAD_INPUTS = [
    pytest.param(
        {E: "title: x\n\nSomething.[^example-statement]\n"},
        "content/events/2024-12-12-something-happened.md:1: the file does not start with front matter\n    hint: did you forget to add '---'? An event starts with a line '---', then title:, date:, sources:, then another '---' and the text",
        id="no-front-matter",
    ),
    pytest.param(
        {E: "---\ntitle: x\ndate: '2024-12-12'\nSomething.\n"},
        "content/events/2024-12-12-something-happened.md:1: the front matter is never closed\n    hint: add a line '---' after the last key (sources: …), before the text",
        id="unclosed",
    ),
    pytest.param(
        {E: ev("title: [unclosed\ndate: '2024-12-12'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)\n    hint: a list in [brackets] must end with ], and items are separated by commas",
        id="yaml-syntax",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\nsources:\n\t- example-statement\n")},
        'content/events/2024-12-12-something-happened.md:5: YAML syntax error: found character that cannot start any token (while scanning for the next token)\n    hint: indent with spaces, not tabs',
        id="tabs",
    ),
    pytest.param(
        {E: ev("title: Pardons: the list\ndate: '2024-12-12'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:2: YAML syntax error: mapping values are not allowed in this context\n    hint: a value that contains ': ' must be in quotes, e.g. title: 'Pardons: the list'",
        id="colon",
    ),
    pytest.param(
        {E: ev(GOOD + "title: again\n")},
        "content/events/2024-12-12-something-happened.md:6: duplicate key 'title' (first given on line 2)\n    hint: keep one of them: YAML would silently use the last",
        id="dup-key",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\nsoruces:\n  - example-statement\n")},
        "content/events/2024-12-12-something-happened.md:1: the event has no source\n    hint: every event needs at least one source: add 'sources:' with a source id, e.g. - wh-statement-2024-12-12\ncontent/events/2024-12-12-something-happened.md:4: unknown key 'soruces'\n    hint: did you mean 'sources'?",
        id="unknown-key",
    ),
    pytest.param(
        {E: ev("date: '2024-12-12'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:1: 'title' is missing\n    hint: add a line such as: title: Biden pardons his son Hunter",
        id="missing-title",
    ),
    pytest.param(
        {E: ev("title:\ndate: '2024-12-12'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:2: 'title' is empty\n    hint: add a line such as: title: Biden pardons his son Hunter",
        id="empty-title",
    ),
    pytest.param(
        {E: ev("title: x\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:1: 'date' is missing\n    hint: write the date as YYYY-MM-DD, YYYY-MM or YYYY",
        id="missing-date",
    ),
    pytest.param(
        {"content/events/2024-02-30-x.md": ev("title: x\ndate: '2024-02-30'\nsources: [example-statement]\n"), E: None},
        "content/events/2024-02-30-x.md:3: 'date' 2024-02-30 is impossible: February 2024 has 29 days",
        id="impossible-date",
    ),
    pytest.param(
        {"content/events/2024-13-x.md": ev("title: x\ndate: 2024-13\nsources: [example-statement]\n"), E: None},
        "content/events/2024-13-x.md:3: 'date' 2024-13 is impossible: there is no month 13",
        id="month-13",
    ),
    pytest.param(
        {E: ev("title: x\ndate: 12/12/2024\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:3: 'date' is not a date: '12/12/2024'\n    hint: write it as YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2024-12-12",
        id="date-format",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-11'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:3: the file name says 2024-12-12 but 'date' is 2024-12-11\n    hint: rename the file to 2024-12-11-something-happened.md, or correct the date",
        id="name-mismatch",
    ),
    pytest.param(
        {"content/events/Something Happened.md": EVENT_MD, E: None},
        "content/events/Something Happened.md:1: the file name 'Something Happened.md' is not DATE-slug.md\n    hint: rename it to something like 2024-12-12-something-happened.md (lowercase letters, digits and hyphens)",
        id="bad-name",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\nsources: []\n", "Text.\n")},
        "content/events/2024-12-12-something-happened.md:4: the event has no source\n    hint: every event needs at least one source: add 'sources:' with a source id, e.g. - wh-statement-2024-12-12",
        id="no-source",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\n", "Text.\n")},
        "content/events/2024-12-12-something-happened.md:1: the event has no source\n    hint: every event needs at least one source: add 'sources:' with a source id, e.g. - wh-statement-2024-12-12",
        id="no-sources-key",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\nsources: [example-statment]\n")},
        "content/events/2024-12-12-something-happened.md:4: unknown source 'example-statment'\n    hint: did you mean 'example-statement'?\ncontent/events/2024-12-12-something-happened.md:6: the citation [^example-statement] is not in this event's sources\n    hint: add '- example-statement' to this event's sources:",
        id="unknown-source",
    ),
    pytest.param(
        {E: ev(GOOD, "Text.[^example-statement] More.[^other-source]\n")},
        "content/events/2024-12-12-something-happened.md:7: the citation [^other-source] is not in this event's sources\n    hint: check the spelling",
        id="marker-not-listed",
    ),
    pytest.param(
        {E: ev(GOOD, "Cited.[^example-statement]\n\nNot cited.\n")},
        'content/events/2024-12-12-something-happened.md:9: this paragraph cites no source\n    hint: every statement needs a source: add [^source-id] right after the sentence it supports',
        id="uncited-paragraph",
    ),
    pytest.param(
        {E: ev(GOOD, "\n")},
        'content/events/2024-12-12-something-happened.md:6: the event has no text after the front matter\n    hint: write what happened, citing sources',
        id="no-body",
    ),
    pytest.param(
        {S: SOURCE_YAML.replace("https://example.org/statement", "JavaScript:alert(1)")},
        "content/sources/example-statement.yaml:1: 'url' must start with http:// or https:// (found 'javascript:')\n    hint: use the full address, starting with https://",
        id="javascript-url",
    ),
    pytest.param(
        {S: SOURCE_YAML.replace("https://example.org/statement", "data:text/html,<script>alert(1)</script>")},
        "content/sources/example-statement.yaml:1: 'url' must start with http:// or https:// (found 'data:')\n    hint: use the full address, starting with https://",
        id="data-url",
    ),
    pytest.param(
        {S: SOURCE_YAML.replace("https://example.org/statement", "file:///etc/passwd")},
        "content/sources/example-statement.yaml:1: 'url' must start with http:// or https:// (found 'file:')\n    hint: use the full address, starting with https://",
        id="file-url",
    ),
    pytest.param(
        {S: SOURCE_YAML + "archive_url: ' javascript:alert(1)'\n"},
        "content/sources/example-statement.yaml:5: 'archive_url' must start with http:// or https:// (found 'javascript:')\n    hint: use the full address, starting with https://",
        id="archive-url",
    ),
    pytest.param(
        {"content/events/2024-12-11-something-happened.md": EVENT_MD.replace("2024-12-12", "2024-12-11")},
        "content/events/2024-12-11-something-happened.md:1: the slug 'something-happened' is used by 2 files: content/events/2024-12-11-something-happened.md, content/events/2024-12-12-something-happened.md\n    hint: each event needs its own address (events/<slug>/): rename all but one\ncontent/events/2024-12-12-something-happened.md:1: the slug 'something-happened' is used by 2 files: content/events/2024-12-11-something-happened.md, content/events/2024-12-12-something-happened.md\n    hint: each event needs its own address (events/<slug>/): rename all but one",
        id="dup-slug",
    ),
    pytest.param(
        {E: EVENT_MD.replace("Something happened on", "Caf\u00e9 on").encode("latin-1")},
        "content/events/2024-12-12-something-happened.md:8: the file is not UTF-8 text (byte 0xe9 cannot be read)\n    hint: save the file as UTF-8 (in VS Code: 'Save with Encoding' → 'UTF-8')",
        id="latin1",
    ),
    pytest.param(
        {E: EVENT_MD.replace("on this day", "on\x00 this day")},
        'content/events/2024-12-12-something-happened.md:8: the file contains the control character U+0000\n    hint: delete it: it is invisible in most editors (try retyping the line)',
        id="nul",
    ),
    pytest.param(
        {S: "title: A statement\npublisher: X\npublished: '2024'\n"},
        "content/sources/example-statement.yaml:1: 'url' is missing\n    hint: the full address, starting with https://",
        id="source-no-url",
    ),
    pytest.param(
        {S: "url: https://example.org/\npublisher: X\npublished: '2024'\n"},
        "content/sources/example-statement.yaml:1: 'title' is missing\n    hint: the headline as published; a description in (parentheses) if unknown",
        id="source-no-title",
    ),
    pytest.param(
        {E: ev(GOOD + "end_date: '2024-12-01'\n")},
        "content/events/2024-12-12-something-happened.md:6: 'end_date' 2024-12-01 is not after 'date' 2024-12-12",
        id="end-before",
    ),
    pytest.param(
        {E: ev(GOOD + "tags: [Hunter Biden]\n")},
        "content/events/2024-12-12-something-happened.md:6: the tag 'Hunter Biden' is not lowercase-with-hyphens\n    hint: write it as 'hunter-biden'",
        id="bad-tag",
    ),
    pytest.param(
        {E: ev(GOOD + "draft: yes\n")},
        "content/events/2024-12-12-something-happened.md:6: 'draft' must be true or false, not 'yes'",
        id="draft-yes",
    ),
    pytest.param(
        {E: ev("title: [a, b]\ndate: '2024-12-12'\nsources: [example-statement]\n")},
        "content/events/2024-12-12-something-happened.md:2: 'title' must be text, not a list\n    hint: add a line such as: title: Biden pardons his son Hunter",
        id="title-list",
    ),
    pytest.param(
        {E: ev("title: &t x\ndate: '2024-12-12'\nsummary: *t\nsources: [example-statement]\n")},
        'content/events/2024-12-12-something-happened.md:2: YAML anchors (&name) are not supported\n    hint: anchors and aliases (&name, *name) are not supported: write the value out\n'
        'content/events/2024-12-12-something-happened.md:4: YAML aliases (*name) are not supported\n    hint: anchors and aliases (&name, *name) are not supported: write the value out',
        id="alias",
    ),
    pytest.param(
        {"content/site.yaml": None},
        'content/site.yaml:1: site.yaml is missing\n    hint: create it with title:, description:, base_url:, language:',
        id="no-site",
    ),
    pytest.param(
        {"content/site.yaml": SITE_YAML.replace("https://example.org/test/", "example.org")},
        "content/site.yaml:3: 'base_url' must start with http:// or https:// (found no scheme)\n    hint: use the full address, starting with https://",
        id="site-bad-url",
    ),
    pytest.param(
        {"content/sources/other.txt": "text"},
        'content/sources/other.txt: this snapshot has no source file beside it\n    hint: add other.yaml with url:, title:, publisher:, published:',
        id="orphan-snapshot",
    ),
    pytest.param(
        {"content/events/notes.txt": "x"},
        'content/events/notes.txt: this is not an event (events end in .md), so it would be ignored\n    hint: rename it, or move it out of content/',
        id="stray-file",
    ),
    pytest.param(
        {"content/sources/Bad_Name.yaml": SOURCE_YAML},
        "content/sources/Bad_Name.yaml:1: 'Bad_Name' is not a valid source id\n    hint: use lowercase letters, digits and hyphens, e.g. bad-name.yaml",
        id="bad-source-name",
    ),
    pytest.param(
        {E: ev("title: x\ndate: '2024-12-12'\nsources:\n  - idd: example-statement\n")},
        "content/events/2024-12-12-something-happened.md:5: 'id' is missing\n    hint: write '- id: source-id' and, under it, '  quote: …'\ncontent/events/2024-12-12-something-happened.md:5: unknown key 'idd'\n    hint: did you mean 'id'?",
        id="citation-entry",
    ),
    pytest.param(
        {E: ev(GOOD + "tags: {a: b}\n")},
        "content/events/2024-12-12-something-happened.md:6: 'tags' must be a list, not a mapping\n    hint: write one '- item' per line",
        id="tags-mapping",
    ),
    pytest.param(
        {E: ev("- a\n- b\n")},
        "content/events/2024-12-12-something-happened.md:2: the front matter must be a list of 'key: value' lines, not a list",
        id="front-not-mapping",
    ),
]



def apply(project, files: dict, changes: dict) -> None:
    for relative, data in changes.items():
        if data is None:
            (project / relative).unlink()
            files.pop(relative)
        else:
            write_files(project, {relative: data})


def report_of(result) -> tuple[str, str]:
    """(the problems as the editor reads them, the closing count)."""
    lines = result.err.rsplit("\n", 2)
    return lines[0], lines[1]


@pytest.mark.parametrize("changes, expected", BAD_INPUTS)
def test_bad_input_is_reported_exactly(changes, expected, make_project, run):
    """Validation only: `check` reads and reports exactly what a build would, and writes nothing."""
    files = minimal_files()
    project = make_project(files)
    apply(project, files, changes)
    result = run(project, "check")

    assert result.code == 1
    report, summary = report_of(result)
    assert report == expected
    assert summary.endswith("nothing was written.")
    assert "Traceback" not in result.err
    assert not (project / "_site").exists()


# A build stops at the same report and leaves the published site as it was: for a broken file,
# a broken source and a missing site.yaml (the rows above run `check`, which shares the report).
BUILT = ["no-front-matter", "javascript-url", "dup-slug", "no-site"]


@pytest.mark.parametrize("changes, expected", [row for row in BAD_INPUTS if row.id in BUILT],
                         ids=[row.id for row in BAD_INPUTS if row.id in BUILT])
def test_bad_input_stops_the_build_and_leaves_the_site_untouched(changes, expected, make_project, run):
    files = minimal_files()
    project = make_project(files)
    assert run(project).code == 0, "the minimal content must build"
    before = tree(project / "_site")

    apply(project, files, changes)
    result = run(project)

    assert result.code == 1
    report, summary = report_of(result)
    assert report == expected
    assert summary.endswith("nothing was written.")
    assert "Traceback" not in result.err
    assert tree(project / "_site") == before


def test_the_built_rows_are_rows_of_the_table():
    assert sorted(BUILT) == sorted(row.id for row in BAD_INPUTS if row.id in BUILT)
