"""`new`: its options, what it says is left to do, and its placeholder sentence, which is never published."""

from __future__ import annotations

import pytest
from conftest import EVENT_MD, minimal_files

from timeline.cli import main, next_steps
from timeline.fields import parse_date
from timeline.model import Location
from timeline.scaffold import PLACEHOLDER, event_text, tag_hint

EVENT = "content/events/2024-12-12-something-happened.md"
HINT = "    hint: replace it with what happened, in neutral, precise sentences, each citing its source with [^id]"


def test_the_scaffold_writes_the_placeholder_it_defines():
    date = parse_date("2024-12-12", "--date", Location("build.py new"), [])
    assert date is not None
    assert f"\n{PLACEHOLDER}[^wh-statement]\n" in event_text("T", date, [], ["wh-statement"])


@pytest.mark.parametrize("files, line, where", [
    ({EVENT: EVENT_MD.replace("Something happened on this day.", PLACEHOLDER)}, 8, "text"),
    # Wrapped by an editor's word wrap, after a first paragraph: found all the same, at its first line.
    ({EVENT: EVENT_MD.replace("Something happened on this day.[^example-statement]",
                              "It happened.[^example-statement]\n\nWhat happened, in one\nor two sentences."
                              "[^example-statement]")}, 10, "text"),
    ({EVENT: EVENT_MD.replace("title: Something happened", f"title: {PLACEHOLDER}")}, 2, "'title'"),
    ({EVENT: EVENT_MD.replace("tags:", f"summary: {PLACEHOLDER}[^example-statement]\ntags:")}, 4, "'summary'"),
])
def test_check_refuses_the_placeholder_left_in_at_its_line(make_project, run, files, line, where):
    project = make_project({**minimal_files(), **files})
    for args in (["check"], ["check", "--strict"], ["build"]):
        result = run(project, *args)
        assert result.code == 1, args
        assert f"{EVENT}:{line}: the {where} still holds the placeholder '{PLACEHOLDER}'\n{HINT}\n" in result.err
    assert not (project / "_site").exists()  # never published, citation or not


def test_the_placeholder_is_refused_in_a_draft_too(make_project, run):
    draft = EVENT_MD.replace("Something happened on this day.", PLACEHOLDER).replace("---\n" + PLACEHOLDER,
                                                                                     "draft: true\n---\n" + PLACEHOLDER)
    project = make_project({**minimal_files(), EVENT: draft})
    assert "draft: true" in draft
    result = run(project, "check")
    assert result.code == 1 and "still holds the placeholder" in result.err


def test_words_of_the_placeholder_in_a_real_sentence_pass(make_project, run):
    text = EVENT_MD.replace("Something happened on this day.", "What happened, in one or two days, was clear.")
    project = make_project({**minimal_files(), EVENT: text})
    assert run(project, "check", "--strict").code == 0


def test_new_help_lists_only_the_options_new_uses(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["new", "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--content", "--date", "--tag", "--source"):
        assert option in shown
    for option in ("--out", "--cache", "--templates", "--static", "--strict", "--base-url", "--no-search"):
        assert option not in shown


def test_new_refuses_folder_options_it_does_not_use(make_project, capsys):
    project = make_project(minimal_files())
    with pytest.raises(SystemExit) as exit_:
        main(["new", "T", "--date", "2024-12-12", "--content", str(project / "content"), "--out", "x"])
    assert exit_.value.code == 2 and "unrecognized arguments: --out" in capsys.readouterr().err


def test_next_steps_without_sources_ask_for_them(tmp_path):
    steps = next_steps(tmp_path, [])
    assert "content/sources/<id>.yaml" in steps and "under 'sources:'" in steps and PLACEHOLDER in steps


def test_next_steps_with_sources_ask_only_for_what_is_missing(tmp_path):
    (tmp_path / "sources").mkdir()
    for name in ("a.yaml", "a.txt", "b.yaml"):
        (tmp_path / "sources" / name).write_text("x")
    steps = next_steps(tmp_path, ["a", "b"])
    assert "<id>.yaml" not in steps and "under 'sources:'" not in steps
    assert PLACEHOLDER in steps and "(a, b)" in steps
    assert "content/sources/b.txt" in steps and "content/sources/a.txt" not in steps
    assert ".txt" not in next_steps(tmp_path, ["a"])
    assert "  5. When it is ready, delete the line 'draft: true'" in steps  # numbered in order, none skipped


@pytest.mark.parametrize("tag, hint", [
    ("Hunter Biden", "write it as 'hunter-biden'"),
    ("death_row", "write it as 'death-row'"),
    ("!!!", "lowercase letters, digits and hyphens"),
])
def test_a_bad_tag_gets_the_hint_validation_gives(tag, hint):
    assert tag_hint(tag) == hint


def test_a_long_title_makes_a_slug_of_whole_words():
    from timeline.model import EventDate
    from timeline.scaffold import SLUG_LENGTH, event_file_name

    title = "White House publishes the list of the 12 December clemency recipients"
    name = event_file_name(EventDate(2024, 12, 12), title)
    slug = name.removeprefix("2024-12-12-").removesuffix(".md")
    assert len(slug) <= SLUG_LENGTH and "clemency-recipients".startswith(slug.rsplit("-", 1)[1])
    assert slug == "white-house-publishes-the-list-of-the-12-december-clemency"
    assert event_file_name(EventDate(2024), "x" * 80) == "2024-" + "x" * SLUG_LENGTH + ".md"  # one long word
