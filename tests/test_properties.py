"""Properties: any bytes or text in a content file give an event or problems, never an exception.

Each property runs a fixed number of generated examples (more than 2,000 in all; each test checks
that its examples really ran). The examples are derandomised, so a run is repeatable; set
HYPOTHESIS_RANDOM=1 to explore new ones. Needs `hypothesis` (the test extra).
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import SITE_YAML, SOURCE_YAML
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from timeline.load import decode_text, load_content, split_front_matter
from timeline.model import Problem
from timeline.siteyaml import POLICY_KEYS, SITE_KEYS
from timeline.validate import (
    CITATION_KEYS,
    CLAIM_REVIEW_KEYS,
    CORRECTION_KEYS,
    EVENT_KEYS,
    SOURCE_KEYS,
    validate,
)
from timeline.yamltext import YMap, YValue, parse_yaml

pytestmark = pytest.mark.slow  # thousands of generated files: CI runs them, `scripts/test --fast` does not

PROJECT = Path(__file__).resolve().parent.parent
BASE = settings(
    deadline=None,
    database=None,  # nothing written into the repository
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
EXAMPLES = {  # test → examples; the sum is the suite's total
    "decode_text": 400,
    "split_front_matter": 300,
    "parse_yaml_text": 300,
    "parse_yaml_yamlish": 300,
    "event_bytes": 250,
    "event_text": 250,
    "structured_event": 400,
    "structured_source_or_site": 150,
    "valid_event_renders": 40,
}
RAN: dict[str, int] = {}
EVENT_NAME = "2024-12-12-something-happened.md"
SNAPSHOT = "The Example Office said: \u201cSomething happened on this day.\u201d It was a Thursday -- a cold one.\n"
# YAML (1.1) also breaks lines at these; the files' own line count does not.
YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def ran(name: str) -> None:
    RAN[name] = RAN.get(name, 0) + 1


def check_ran(name: str) -> None:
    assert RAN.get(name, 0) >= EXAMPLES[name], f"{name}: only {RAN.get(name, 0)} of {EXAMPLES[name]} examples ran"


def check_problem(problem, path: str | None = None, max_line: int | None = None) -> None:
    assert isinstance(problem, Problem)
    assert isinstance(problem.where.path, str) and problem.where.path
    if path is not None:
        assert problem.where.path == path, problem
    assert isinstance(problem.where.line, int) and problem.where.line >= 0, problem
    if max_line is not None:
        assert problem.where.line <= max_line, f"line {problem.where.line} of a {max_line}-line file: {problem}"
    assert isinstance(problem.message, str) and problem.message.strip(), problem
    assert problem.severity in ("error", "warning"), problem


# --- strategies ---------------------------------------------------------------------------------

# Characters that mean something to YAML, Markdown, our fences and markers, or our decoder.
SPECIAL = list("-:[]{},&*!|>'\"%@`#?^\\/.~ \t\n\r") + ["---", "...", "[^", "\ufeff", "\x00", "\x1b", "\x7f", "\x85",
                                                        "\u2028", "\u00a0", "\ue000", "\ue001", "\U0001f600"]
chars = st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8"))
texts = st.lists(chars, max_size=300).map("".join)
words = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
ALL_KEYS = sorted(set(EVENT_KEYS + SOURCE_KEYS + SITE_KEYS + CITATION_KEYS + CORRECTION_KEYS + CLAIM_REVIEW_KEYS
                      + POLICY_KEYS + ("idd", "soruces", "<<", "")))
keys = st.one_of(st.sampled_from(ALL_KEYS), st.text(max_size=8))
SCALARS = ["2024-12-12", "2024-12", "2024", "2024-02-30", "2024-13", "0000-01-01", "9999-12-31", "12/12/2024",
           "true", "false", "True", "yes", "no", "~", "null", "", " ", "0", "1", "-1", "99999999999", "1e9", ".nan",
           "example-statement", "other-source", "Hunter Biden", "pardon", "https://example.org/x",
           "javascript:alert(1)", "http://[::1", "mostly-true", "dead", "live", "en", "x" * 300,
           "Something happened on this day.", "Something happend on this day", "\u65e5\u672c",
           "It happened.[^example-statement]", "[^other-source]", "<script>alert(1)</script>"]
scalars = st.one_of(st.sampled_from(SCALARS), texts, st.integers(), st.booleans(), st.none(), st.floats())
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=12,
)


def mapping_of(key_names: tuple[str, ...]):
    return st.dictionaries(st.one_of(st.sampled_from(key_names), keys), values, max_size=len(key_names) + 1)


def dump(data, flow: bool) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False, width=80)


bodies = st.lists(st.one_of(texts, st.sampled_from(["[^example-statement]", "[^other-source]", "\n\n", "```\n", "<!--",
                                                     "-->", "# ", "> ", "- ", "`", "[", "<a ", "*"])),
                  max_size=12).map("".join)

# Lines that look like YAML: indentation, list dashes, keys, flow brackets, anchors, tags.
yaml_lines = st.builds(
    lambda indent, dash, key, sep, value: " " * indent + dash + key + sep + value,
    st.integers(0, 6), st.sampled_from(["", "- ", "? "]), st.one_of(st.sampled_from(ALL_KEYS), st.just("")),
    st.sampled_from([": ", ":", " ", ""]),
    st.one_of(st.sampled_from(SCALARS + ["[", "]", "{", "}", "[a, b]", "{a: b}", "&x", "*x", "!!str", "|", ">",
                                         "'", '"', "#", "%YAML 1.1", "---", "..."]), texts),
)
yamlish = st.lists(yaml_lines, max_size=20).map("\n".join)


@pytest.fixture(scope="module", autouse=True)
def hypothesis_home(tmp_path_factory):
    """Hypothesis keeps caches in .hypothesis/ of the working directory: keep them out of the repository."""
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis-home"))
    yield
    set_hypothesis_home_dir(None)


# --- the project the pipeline properties use ----------------------------------------------------

@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """A project with a valid site, one source with a stored snapshot, and an events folder."""
    root = tmp_path_factory.mktemp("properties")
    (root / "content" / "events").mkdir(parents=True)
    (root / "content" / "sources").mkdir()
    (root / "content" / "site.yaml").write_text(SITE_YAML)
    (root / "content" / "sources" / "example-statement.yaml").write_text(SOURCE_YAML)
    (root / "content" / "sources" / "example-statement.txt").write_text(SNAPSHOT)
    return root / "content"


def line_count(data: bytes) -> int:
    """The number of lines an editor sees in the file (the last one may be empty)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def check_pipeline(content: Path, files: dict[str, bytes], twice: bool = False) -> None:
    """Write the files (paths relative to content/), load and validate, and check the outcome."""
    events = content / "events"
    shutil.rmtree(events)
    events.mkdir()
    originals = {}
    for relative, data in files.items():
        path = content / relative
        if path.exists():
            originals[path] = path.read_bytes()
        path.write_bytes(data)
    try:
        timeline, problems = validate(load_content(content))
        if twice:
            assert validate(load_content(content)) == (timeline, problems), "the same files gave another outcome"
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    lines = {f"content/{relative}": line_count(data) for relative, data in files.items()}
    for problem in problems:
        check_problem(problem, max_line=lines.get(problem.where.path))
        assert problem.where.path.startswith("content/"), problem
    assert problems == sorted(problems, key=Problem.sort_key)
    if timeline is None:
        assert any(p.is_error for p in problems), problems
    else:
        assert not any(p.is_error for p in problems), problems
        assert len(timeline.events) <= 1


# --- properties of each stage --------------------------------------------------------------------

def test_decode_text_takes_any_bytes():
    @settings(BASE, max_examples=EXAMPLES["decode_text"])
    @given(st.one_of(st.binary(max_size=500),
                     st.builds(lambda a, b: a.encode("utf-8") + b + a.encode("utf-8"), texts, st.binary(max_size=8))))
    def decode(data: bytes):
        ran("decode_text")
        text, problems = decode_text(data, "content/x.md")
        if text is None:
            assert len(problems) == 1
            check_problem(problems[0], "content/x.md", line_count(data))
            assert problems[0].where.line >= 1
        else:
            assert problems == []
            assert "\r" not in text
            assert not any(ord(c) < 32 and c not in "\t\n" or c == "\x7f" for c in text)
            expected = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
            assert text == expected.replace("\r\n", "\n").replace("\r", "\n")

    decode()
    check_ran("decode_text")


def test_split_front_matter_takes_any_text():
    fences = st.sampled_from(["---", "--- ", "---\t", "----", " ---", ""])

    @settings(BASE, max_examples=EXAMPLES["split_front_matter"])
    @given(st.one_of(texts, st.builds(lambda f1, a, f2, b: f"{f1}\n{a}\n{f2}\n{b}", fences, texts, fences, texts)))
    def split(text: str):
        ran("split_front_matter")
        text = text.replace("\r", "")  # decode_text never passes a carriage return on
        result = split_front_matter(text, "content/x.md")
        if isinstance(result, Problem):
            check_problem(result, "content/x.md")
            lines = text.split("\n")
            # A '---' between two indented lines is one inside a value, reported where it is.
            assert result.where.line == 1 or (result.message.startswith("a line '---' inside a value")
                                              and lines[result.where.line - 1].rstrip(" \t") == "---")
            return
        front, front_line, body, body_line = result
        lines = text.split("\n")
        assert front_line == 2 and body_line >= 3
        assert lines[0].rstrip(" \t") == "---" and lines[body_line - 2].rstrip(" \t") == "---"
        assert front == "\n".join(lines[1 : body_line - 2])
        assert body == "\n".join(lines[body_line - 1 :])  # the body's line numbers are the file's

    split()
    check_ran("split_front_matter")


def check_yaml_result(text: str, first_line: int, value, problems) -> None:
    last = first_line + text.count("\n") + 1
    bounded = not any(c in text for c in YAML_ONLY_BREAKS)
    for problem in problems:
        check_problem(problem, "content/x.yaml", last if bounded else None)
        assert problem.where.line >= first_line, problem
    if value is None:
        return
    stack = [value]
    while stack:
        item = stack.pop()
        assert isinstance(item, YValue)
        assert first_line <= item.line and (item.line <= last or not bounded), (item, text)
        if isinstance(item.value, list):
            stack.extend(item.value)
        elif isinstance(item.value, YMap):
            assert all(isinstance(k, str) for k in item.value.items)
            assert set(item.value.items) <= set(item.value.key_lines)
            stack.extend(item.value.items.values())
        else:
            assert isinstance(item.value, str)


def test_parse_yaml_takes_any_text():
    @settings(BASE, max_examples=EXAMPLES["parse_yaml_text"])
    @given(texts, st.integers(1, 50))
    def parse(text: str, first_line: int):
        ran("parse_yaml_text")
        value, problems = parse_yaml(text, "content/x.yaml", first_line)
        check_yaml_result(text, first_line, value, problems)

    parse()
    check_ran("parse_yaml_text")


def test_parse_yaml_takes_any_yaml_like_text():
    @settings(BASE, max_examples=EXAMPLES["parse_yaml_yamlish"])
    @given(yamlish, st.integers(1, 5), st.sampled_from([0, 0, 0, 0, 50, 3000]), st.sampled_from(["[", "{a: ", "- "]))
    def parse(text: str, first_line: int, depth: int, opener: str):
        ran("parse_yaml_yamlish")
        # Now and then, nesting deeper than anyone writes (well below what crashes libyaml's composer).
        if depth:
            closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
            nested = opener * depth + "x" + closer * depth
            text = "key: " + nested + "\n" + text
        value, problems = parse_yaml(text, "content/x.yaml", first_line)
        check_yaml_result(text, first_line, value, problems)

    parse()
    check_ran("parse_yaml_yamlish")


# --- properties of the whole of load and validate -----------------------------------------------

def test_any_bytes_in_an_event_file_give_an_event_or_problems(content):
    @settings(BASE, max_examples=EXAMPLES["event_bytes"])
    @given(st.one_of(st.binary(max_size=600),
                     st.builds(lambda a, b, c: b"---\n" + a + b"\n---\n" + b + c, st.binary(max_size=200),
                               st.binary(max_size=200), st.binary(max_size=20))))
    def event(data: bytes):
        ran("event_bytes")
        check_pipeline(content, {f"events/{EVENT_NAME}": data})

    event()
    check_ran("event_bytes")


def test_any_text_in_an_event_file_gives_an_event_or_problems(content):
    @settings(BASE, max_examples=EXAMPLES["event_text"])
    @given(st.one_of(texts, st.builds(lambda a, b: f"---\n{a}\n---\n{b}", yamlish, bodies)),
           st.sampled_from(["utf-8", "utf-8-sig"]), st.sampled_from(["\n", "\r\n", "\r"]))
    def event(text: str, encoding: str, newline: str):
        ran("event_text")
        check_pipeline(content, {f"events/{EVENT_NAME}": text.replace("\n", newline).encode(encoding)})

    event()
    check_ran("event_text")


def test_random_front_matter_gives_an_event_or_problems(content):
    names = st.sampled_from([EVENT_NAME, "2024-12-something.md", "2024-x.md", "0000-01-01-x.md", "9999-12-31-x.md",
                             "Bad Name.md", "2024-12-12-.md"])
    citation = st.one_of(st.sampled_from(["example-statement", "other-source", ""]),
                         st.fixed_dictionaries({"id": st.sampled_from(["example-statement", "other-source"])},
                                               optional={"quote": st.one_of(st.sampled_from(SCALARS), texts)}))
    event_fields = st.fixed_dictionaries(
        {},
        optional={
            "title": values, "date": st.one_of(st.sampled_from(SCALARS), values), "end_date": values,
            "summary": st.one_of(bodies, values), "tags": values,
            "sources": st.one_of(st.lists(citation, max_size=3), values), "draft": values,
            "corrections": st.one_of(st.lists(mapping_of(CORRECTION_KEYS), max_size=2), values),
            "claim_review": st.one_of(mapping_of(CLAIM_REVIEW_KEYS), values),
        },
    )
    front = st.one_of(event_fields, mapping_of(EVENT_KEYS), values)

    @settings(BASE, max_examples=EXAMPLES["structured_event"])
    @given(names, front, bodies, st.booleans())
    def event(name: str, data, body: str, flow: bool):
        ran("structured_event")
        text = "---\n" + dump(data, flow) + "---\n" + body
        check_pipeline(content, {f"events/{name}": text.encode("utf-8", "surrogatepass")}, twice=True)

    event()
    check_ran("structured_event")


def test_random_source_and_site_files_give_problems_not_exceptions(content):
    event = "---\ntitle: x\ndate: '2024-12-12'\nsources: [example-statement]\n---\nIt happened.[^example-statement]\n"

    @settings(BASE, max_examples=EXAMPLES["structured_source_or_site"])
    @given(st.sampled_from(["sources/example-statement.yaml", "site.yaml"]),
           st.one_of(mapping_of(SOURCE_KEYS), mapping_of(SITE_KEYS),
                     st.fixed_dictionaries({"policy": mapping_of(POLICY_KEYS)}), values),
           st.booleans())
    def other(relative: str, data, flow: bool):
        ran("structured_source_or_site")
        files = {relative: dump(data, flow).encode("utf-8", "surrogatepass"), f"events/{EVENT_NAME}": event.encode()}
        check_pipeline(content, files)

    other()
    check_ran("structured_source_or_site")


TODAY = datetime.date.today().isoformat()  # a correction or a review cannot be dated later (validate.py)


def test_every_valid_event_renders(content):
    """Whatever validate accepts, render_site renders: no date, title or text makes it raise."""
    from timeline.render import render_site

    dates = st.builds(lambda y, m, d: (f"{y:04d}", f"{y:04d}-{m:02d}", f"{y:04d}-{m:02d}-{min(d, 28):02d}"),
                      st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))  # year 0: see test_hostile_input
    plain = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp")),
                    min_size=1, max_size=40).filter(lambda s: s.strip())

    # Rendering is slow (a tenth of a second): no shrinking, so a failure is reported in seconds.
    @settings(BASE, max_examples=EXAMPLES["valid_event_renders"], phases=[Phase.explicit, Phase.generate])
    @given(dates, st.integers(0, 2), dates, st.booleans(), plain, plain, st.lists(words, max_size=3), st.booleans())
    @example(("0001", "0001-01", "0001-01-01"), 2, ("0001", "0001-01", "0001-01-02"), True, "x", "x", [], True)
    @example(("9999", "9999-12", "9999-12-31"), 2, ("9999", "9999-12", "9999-12-31"), False, "x", "x", [], True)
    @example(("9999", "9999-12", "9999-12-01"), 0, ("9999", "9999-12", "9999-12-31"), True, "x", "x", ["a"], False)
    def render(date, precision, end, has_end, title, text, tags, has_review):
        ran("valid_event_renders")
        day = date[precision]
        front = {"title": title, "date": day, "tags": tags, "sources": ["example-statement"],
                 "summary": text + "[^example-statement]",
                 "corrections": [{"date": min(date[2], TODAY), "text": text}]}
        if has_end and end[2] > day:
            front["end_date"] = end[2]
        if has_review:
            front["claim_review"] = {"claim": text, "claimant": title, "claim_date": day, "rating": "mixed",
                                     "verdict": text + "[^example-statement]", "date": min(end[2], TODAY),
                                     "appearance": "example-statement"}
        body = text.replace("[", "(") + ".[^example-statement]\n"
        files = {f"events/{day}-x.md": ("---\n" + dump(front, False) + "---\n" + body).encode()}
        shutil.rmtree(content / "events")
        (content / "events").mkdir()
        for relative, data in files.items():
            (content / relative).write_bytes(data)
        timeline, problems = validate(load_content(content))
        assert timeline is not None, problems  # everything generated here is valid content
        render_site(timeline, PROJECT / "templates")

    render()
    check_ran("valid_event_renders")


def test_the_suite_runs_at_least_2000_examples():
    assert sum(EXAMPLES.values()) >= 2000
    print(f"\n{sum(EXAMPLES.values())} examples planned; ran so far: {sum(RAN.values())} ({RAN})")
