"""site.yaml's topics and About facts: read, checked with file:line errors, and shown; and the
exports' reader-facing details (the CSV's byte-order mark, calendar UIDs unique per site)."""

from __future__ import annotations

import re

from conftest import EVENT_MD, SITE_YAML, minimal_files

EVENT = "content/events/2024-12-12-something-happened.md"


def with_site(extra: str, event: str = EVENT_MD) -> dict[str, str | bytes]:
    files = minimal_files()
    files["content/site.yaml"] = SITE_YAML + extra
    files[EVENT] = event
    return files


def test_a_tag_that_is_not_a_listed_topic_is_an_error_with_the_line_and_a_hint(make_project, run):
    result = run(make_project(with_site("topics:\n  pardons: Pardons\n")), "check")
    assert result.code == 1
    assert f"{EVENT}:4: the tag 'pardon' is not a topic in site.yaml" in result.err
    assert "did you mean 'pardons'?" in result.err


def test_a_new_tag_gets_the_line_to_add_to_site_yaml(make_project, run):
    result = run(make_project(with_site("topics:\n  courts: Courts\n", EVENT_MD.replace("[pardon]", "[courts, death-row]"))),
                 "check")
    assert result.code == 1
    assert "the tag 'death-row' is not a topic in site.yaml" in result.err
    assert "add it under 'topics:' in site.yaml with its label, e.g. death-row: Death row" in result.err


def test_bad_topics_are_reported_each_at_its_line(make_project, run):
    extra = "topics:\n  pardon: Pardons\n  Bad Topic: Bad\n  empty:\n    description: no label\n  odd:\n    lable: x\n"
    result = run(make_project(with_site(extra)), "check")
    assert result.code == 1
    assert "content/site.yaml:7: the topic 'Bad Topic' is not lowercase-with-hyphens" in result.err
    assert "write it as 'bad-topic'" in result.err
    assert "content/site.yaml:9: the topic 'empty' has no label" in result.err
    assert "content/site.yaml:11: unknown key 'lable'" in result.err


def test_a_topic_no_event_uses_is_a_warning(make_project, run):
    project = make_project(with_site("topics:\n  pardon: Pardons\n  unused: Unused\n"))
    assert run(project, "check").code == 0
    strict = run(project, "check", "--strict")
    assert strict.code == 1 and "content/site.yaml:7: warning: the topic 'unused' has no event" in strict.err


def test_topic_labels_are_shown_and_slugs_stay_in_addresses(make_project, run):
    project = make_project(with_site("topics:\n  pardon:\n    label: Pardons & mercy\n    description: All <pardons>.\n"))
    assert run(project).code == 0
    site = project / "_site"
    page = (site / "tags" / "pardon" / "index.html").read_text(encoding="utf-8")
    assert "Pardons &amp; mercy" in page and "All &lt;pardons&gt;." in page  # escaped, as all content
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="./tags/pardon/"' in index and ">Pardons &amp; mercy</a>" in index


def test_without_topics_a_tag_is_shown_readably(make_project, run):
    project = make_project(with_site("", EVENT_MD.replace("[pardon]", "[death-penalty]")))
    assert run(project).code == 0
    assert ">Death penalty</a>" in (project / "_site" / "index.html").read_text(encoding="utf-8")


def test_the_about_page_states_only_what_site_yaml_says(make_project, run):
    project = make_project(with_site(""))
    assert run(project).code == 0
    about = (project / "_site" / "about" / "index.html").read_text(encoding="utf-8")
    assert about.count("Not yet stated by the site’s owners.") == 3
    assert "has not yet published an address for reports" in about
    for export in ("timeline.csv", "timeline.ics", "timeline.json", "feed.xml", "feed.json"):
        assert f'href="../{export}"' in about

    extra = ("about:\n  owner: The Example Trust\n  contact: desk@example.org\n  funding: Reader donations\n"
             "  report_url: https://example.org/report\n")
    project = make_project(with_site(extra))
    assert run(project).code == 0
    about = (project / "_site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "The Example Trust" in about and "Reader donations" in about
    assert 'href="mailto:desk@example.org"' in about and 'href="https://example.org/report"' in about
    footer = (project / "_site" / "index.html").read_text(encoding="utf-8").split('<footer')[1]
    assert '<a href="https://example.org/report">Report an error</a>' in footer


def test_hostile_about_addresses_are_refused(make_project, run):
    for value, expected in (("javascript:alert(1)", "'report_url'"), ("mailto:<x>", "'report_url' is not an e-mail")):
        result = run(make_project(with_site(f"about:\n  report_url: '{value}'\n")), "check")
        assert result.code == 1 and "content/site.yaml:6:" in result.err and expected in result.err, result.err
    result = run(make_project(with_site("about:\n  contact: 'javascript:alert(1)'\n")), "check")
    assert result.code == 1 and "'contact'" in result.err


def test_the_csv_starts_with_a_byte_order_mark_and_calendar_uids_carry_the_site_path(make_project, run):
    project = make_project(with_site(""))
    assert run(project).code == 0
    csv = (project / "_site" / "timeline.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and csv.count(b"\xef\xbb\xbf") == 1
    uids = re.findall(r"^UID:(.+)\r$", (project / "_site" / "timeline.ics").read_bytes().decode(), re.MULTILINE)
    assert uids == ["something-happened@example.org/test"]
