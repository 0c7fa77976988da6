"""Hostile input: every malformed file an editor (or an attacker with a pull request) can produce.

Each case starts from the minimal valid content, builds it, changes some files, and builds again
in a separate process, as editors and CI run it: `python build.py --content … --out …`, with a
time limit and a 1 GiB memory cap. The build must stop with exit status 1, report a clear
`path:line: message` (or `path: message` where no line applies), print no traceback, and leave the
previous _site/ exactly as it was. test_bad_input.py holds the exact wording of the common
mistakes; this table is about what breaks parsers, file systems and the clock.

Expected text is a list of regular expressions searched (multi-line) in the standard error;
`at(path, line, text)` builds the common `^path:line: text` one.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EVENT_MD, SITE_YAML, SOURCE_YAML, minimal_files, tree, write_files

PROJECT = Path(__file__).resolve().parent.parent
TIMEOUT = 10  # seconds; the minimal content builds in well under one
MEMORY = 1 << 30  # bytes of address space (RLIMIT_AS)

E = "content/events/2024-12-12-something-happened.md"
S = "content/sources/example-statement.yaml"
T = "content/sources/example-statement.txt"
SITE = "content/site.yaml"
# An event front matter whose keys are on lines 2-5; a key added after it is on line 6.
GOOD = "title: Something happened\ndate: '2024-12-12'\nsources:\n  - example-statement\n"
CITED = "Something happened on this day.[^example-statement]\n"
CLAIM = ("claim_review:\n  claim: It never happened.\n  claimant: Someone\n  rating: 'false'\n"
         "  verdict: It happened.[^example-statement]\n  date: '2024-12-13'\n")  # keys on lines 6-11


def ev(front: str, body: str = CITED) -> str:
    return "---\n" + front + "---\n" + body


def at(path: str, line: int, text: str) -> str:
    """A regular expression for the report line `path:line: text…` (line 0: `path: text…`)."""
    where = f"{path}:{line}" if line else path
    return "^" + re.escape(f"{where}: {text}")


def replace_key(yaml_text: str, key: str, value: str) -> str:
    """The YAML with `key:` moved to the end and given `value` (so its line is the last)."""
    kept = [line for line in yaml_text.splitlines(keepends=True) if not line.startswith(key + ":")]
    return "".join(kept) + f"{key}: {value}\n"


def quoting(quote: str) -> str:
    """The event's front matter citing example-statement with this quote (on line 6)."""
    return GOOD.replace("  - example-statement\n", f"  - id: example-statement\n    quote: {quote}\n")


def src(key: str, value: str) -> str:
    return replace_key(SOURCE_YAML, key, value)


def site(key: str, value: str) -> str:
    return replace_key(SITE_YAML, key, value)


SRC_LAST = SOURCE_YAML.count("\n")  # a key replaced by src() is on this line
SITE_LAST = SITE_YAML.count("\n")  # a key replaced by site() is on this line
SRC_NEW = SRC_LAST + 1  # a key src() adds is on this line
SITE_NEW = SITE_LAST + 1


# File-system changes besides writing text or bytes (None deletes).
@dataclass(frozen=True)
class Outside:
    """A symbolic link to a file with this content, outside the project."""
    data: str


@dataclass(frozen=True)
class OutsideFolder:
    """A symbolic link to a folder outside the project holding these files."""
    files: dict


@dataclass(frozen=True)
class Link:
    """A symbolic link to exactly this target ('SELF' for a link to itself)."""
    target: str


class Fifo:
    """A named pipe: reading it waits for a writer that never comes."""


class Folder:
    """An empty folder."""


def case(case_id: str, changes: dict, *expected: str, env: dict | None = None):
    return pytest.param(changes, list(expected), env, id=case_id)


LOL = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8)
)
TEN_MB = "Something happened on this day, and many reported it.[^example-statement]\n\n"
TEN_MB = TEN_MB * (10_000_000 // len(TEN_MB) + 1)
DEEP = "deeply|nest|too deep|depth|levels"  # what a nesting limit's message will say



# Statements, quotations and figures (issue 11) and hostile input found in review (issue 12).
STORED = "The Office granted 39 pardons today. “Every case will be heard,” it said.\n"
BODY = 7  # the first line of the body after GOOD's front matter; BODY + 1 after one added key
ONE_LINE = "x" * 3_000_000 + "\n"  # a snapshot of one "word": a missed quote's hint must stay short


def body(text: str, front: str = "") -> str:
    return ev(GOOD + front, text)


ISSUE_12 = [
    # --- Control characters, written as YAML escapes (the file itself holds none) -------------
    case("escape-esc-in-title", {E: ev('title: "\\x1b[31mRed"\ndate: \'2024-12-12\'\nsources: [example-statement]\n')},
         at(E, 2, "the value contains the control character U+001B")),
    case("escape-nul-in-summary", {E: ev(GOOD + 'summary: "a\\0b[^example-statement]"\n')},
         at(E, 6, "the value contains the control character U+0000")),
    case("escape-line-separator-in-title", {E: ev('title: "a\\u2028b"\ndate: \'2024-12-12\'\nsources: [example-statement]\n')},
         at(E, 2, "the value contains the control character U+2028")),
    case("escape-right-to-left-override-in-title",
         {E: ev('title: "exe.\\u202etxt"\ndate: \'2024-12-12\'\nsources: [example-statement]\n')},
         at(E, 2, "the value contains the control character U+202E")),
    case("raw-right-to-left-override-in-title", {E: ev("title: exe.\u202etxt\ndate: '2024-12-12'\nsources: [example-statement]\n")},
         at(E, 2, "the file contains the control character U+202E")),
    case("raw-isolate-in-source-title", {S: src("title", "A \u2066statement")},
         at(S, SRC_LAST, "the file contains the control character U+2066")),
    case("escape-esc-in-source-publisher", {S: src("publisher", '"\\e[2J"')},
         at(S, SRC_LAST, "the value contains the control character U+001B")),
    case("escape-in-correction-text", {E: ev(GOOD + "corrections:\n  - date: '2024-12-13'\n    text: \"a\\x07b\"\n")},
         at(E, 8, "the value contains the control character U+0007")),
    # --- Limits ---------------------------------------------------------------------------------
    case("five-thousand-tags", {E: ev(GOOD + "tags: [" + ", ".join(f"t{i}" for i in range(5000)) + "]\n")},
         at(E, 6, "the event has 5000 tags; the limit is 20")),
    case("twenty-one-tags", {E: ev(GOOD + "tags: [" + ", ".join(f"t{i}" for i in range(21)) + "]\n")},
         at(E, 6, "the event has 21 tags; the limit is 20")),
    case("five-hundred-nested-lists", {E: body("- " * 500 + "deep.[^example-statement]\n")},
         at(E, BODY, "the text is nested 500 levels deep")),
    case("five-hundred-nested-quotes", {E: body("> " * 500 + "deep.[^example-statement]\n")},
         at(E, BODY, "the text is nested 500 levels deep")),
    case("nested-lists-by-indentation", {E: body("".join("    " * i + "- x[^example-statement]\n" for i in range(40)))},
         "^" + re.escape(E) + r":[0-9]+: the text is nested [0-9]+ levels deep"),
    # --- Citations readers cannot see -------------------------------------------------------------
    *[case(f"marker-in-{name}", {E: body(f"Text {hiding} here.[^example-statement]\n")},
           at(E, BODY, "the citation [^example-statement] is not shown to readers here"))
      for name, hiding in [("link-title", '[a](https://example.org/ "t[^example-statement]")'),
                           ("link-address", "[a](https://example.org/[^example-statement])"),
                           ("image-text", "![alt[^example-statement]](https://example.org/a.png)"),
                           ("code", "`[^example-statement]`"), ("comment", "<!-- [^example-statement] -->"),
                           ("style", "<style>[^example-statement]</style>"),
                           ("script", "<script>[^example-statement]</script>"),
                           ("abbr-title", '<abbr title="[^example-statement]">A</abbr>')]],
    case("uncited-after-heading", {E: body(CITED + "\n## Then\nAn uncited statement.\n")},
         at(E, BODY + 3, "this paragraph cites no source")),
    case("uncited-after-last-marker", {E: body("Said.[^example-statement] And more.\n")},
         at(E, BODY, "the words after the last citation of this paragraph cite no source: 'And more.'")),
    case("uncited-list-item", {E: body(CITED + "\n- cited[^example-statement]\n- not cited\n")},
         at(E, BODY + 3, "this list item cites no source")),
    case("html-block-with-words", {E: body(CITED + "\n<div>Words no citation covers.</div>\n")},
         at(E, BODY + 2, "this HTML block states something, but HTML cannot cite a source")),
    # --- Quotations and figures -------------------------------------------------------------------
    case("quotation-changed-by-one-word", {T: STORED, E: body("It said “every case will be held”.[^example-statement]\n")},
         at(E, BODY, "the quotation “every case will be held” is not in the stored copy of 'example-statement'")),
    case("quotation-without-a-copy-under-the-policy", {SITE: SITE_YAML + "policy:\n  quotes_need_snapshots: true\n",
                                                        E: body("It said “anything”.[^example-statement]\n")},
         at(E, BODY, "the quotation “anything” cannot be verified: 'example-statement' has no stored copy")),
    case("missed-quote-against-a-one-line-snapshot", {T: ONE_LINE, E: ev(quoting("'xxxy'"))},
         at(E, 6, "the quote is not in the snapshot of 'example-statement'"), r"^    hint: .{0,400}$"),
    case("figure-changed-by-one-digit", {T: STORED, SITE: SITE_YAML + "policy:\n  figures_must_match: true\n",
                                         E: body("It granted 38 pardons.[^example-statement]\n")},
         at(E, BODY, "the figure 38 is not in the stored copy of 'example-statement'")),
    case("derived-figure-wrong-sum", {T: STORED, E: body("In all 40.[^example-statement]\n",
                                                         "derived:\n  - figure: '40'\n    from: 39 + 2\n")},
         at(E, 7, "the derivation of 40 is wrong: 39 + 2 = 41")),
    case("derived-figure-code", {T: STORED, E: body("In all 40.[^example-statement]\n",
                                                    "derived:\n  - figure: '40'\n    from: __import__('os').system('x')\n")},
         at(E, 7, "'__import__('os').system('x')' is not a sum the build can check")),
    case("derived-figure-not-a-list-of-mappings", {E: body(CITED, "derived: [237]\n")},
         at(E, 6, "each derived figure needs 'figure:' and 'from:'")),
    case("not-quotations-mapping", {E: body(CITED, "not_quotations:\n  - {a: b}\n")},
         at(E, 7, "each entry of not_quotations is a phrase")),
    case("snapshot-extent-without-a-copy", {S: src("snapshot", "complete")},
         at(S, SRC_NEW, "'snapshot' is given but there is no stored copy")),
    case("snapshot-extent-unknown", {S: src("snapshot", "partial"), T: STORED}, at(S, SRC_NEW, "'snapshot' cannot be 'partial'")),
    case("policy-figures-must-match-maybe", {SITE: site("policy", "{figures_must_match: maybe}")},
         at(SITE, SITE_NEW, "'figures_must_match' must be true or false, not 'maybe'")),
    # --- Addresses and dates ----------------------------------------------------------------------
    case("base-url-with-query", {SITE: site("base_url", "https://example.org/?page=1")},
         at(SITE, SITE_LAST, "'base_url' must not have a query (?…) or a fragment (#…)")),
    case("base-url-with-fragment", {SITE: site("base_url", "https://example.org/#top")},
         at(SITE, SITE_LAST, "'base_url' must not have a query (?…) or a fragment (#…)")),
    case("source-url-port-too-large", {S: src("url", "https://example.org:99999/")},
         at(S, SRC_LAST, "'url' has an invalid port: 'https://example.org:99999/'")),
    case("source-url-port-not-a-number", {S: src("url", "https://example.org:http/")},
         at(S, SRC_LAST, "'url' has an invalid port: 'https://example.org:http/'")),
    case("correction-in-year-9999", {E: ev(GOOD + "corrections:\n  - date: '9999-01-01'\n    text: Fixed.\n")},
         at(E, 7, "'date' 9999-01-01 is in the future")),
    case("claim-review-in-the-future", {E: ev(GOOD + CLAIM.replace("'2024-12-13'", "'9000-01-01'"))},
         at(E, 11, "'date' 9000-01-01 is in the future")),
    case("updated-in-the-future", {E: ev(GOOD + "updated: '9000-01-01'\n")}, at(E, 6, "'updated' 9000-01-01 is in the future")),
    case("updated-before-the-event", {E: ev(GOOD + "updated: '2024-12-11'\n")},
         at(E, 6, "'updated' 2024-12-11 is before the event's date 2024-12-12")),
    case("dashes-line-inside-a-summary", {E: ev(GOOD + "summary: |\n  First part.[^example-statement]\n---\n"
                                               "  Second part.[^example-statement]\n")},
         at(E, 8, "a line '---' inside a value ends the front matter here")),
    # --- File names, tags and look-alike ids ------------------------------------------------------
    case("event-file-starting-with-a-dot", {"content/events/.2024-12-13-hidden.md": EVENT_MD.replace("2024-12-12", "2024-12-13")},
         at("content/events/.2024-12-13-hidden.md", 0, "this file name starts with a dot, so it would be ignored")),
    case("event-file-named-only-by-its-date", {E: None, "content/events/2024-12-12.md": EVENT_MD},
         at("content/events/2024-12-12.md", 1, "the file name '2024-12-12.md' has a date but no slug"),
         r"^    hint: rename it to 2024-12-12-what-happened\.md"),
    case("tag-with-an-accent", {E: ev(GOOD + "tags: [café]\n")},
         at(E, 6, "the tag 'café' is not lowercase-with-hyphens"), r"^    hint: write it as 'cafe'$"),
    case("look-alike-source-id", {E: body("Said.[^ex\u0430mple-statement]\n")},
         r"^    hint: it contains U\+0430, invisible or looking like another letter"),
    case("zero-width-source-id", {E: ev(GOOD.replace("  - example-statement", "  - example\u200b-statement"))},
         r"^    hint: it contains U\+200B, invisible or looking like another letter"),
]


HOSTILE = [
    # --- YAML that attacks the parser ---------------------------------------------------------
    case("billion-laughs", {E: ev(GOOD + LOL)}, "^" + re.escape(E) + r":[0-9]+: YAML aliases \(\*name\) are not supported"),
    # An alias is reported where it is written (line 9), not where its anchor is (line 6).
    case("alias-far-from-its-anchor", {E: ev(GOOD + "summary: &s It happened.[^example-statement]\ncorrections:\n"
                                               "  - date: '2024-12-13'\n    text: *s\n")},
         at(E, 9, "YAML aliases (*name) are not supported")),
    case("deep-nesting-flow-100000", {E: ev(GOOD + "tags: " + "[" * 100_000 + "]" * 100_000 + "\n")},
         "^" + re.escape(E) + rf":6: .*({DEEP})"),
    case("deep-nesting-block-1000", {E: ev(GOOD + "tags:\n" + "".join(" " * i + "-\n" for i in range(1000)))},
         "^" + re.escape(E) + rf":[0-9]+: .*({DEEP})"),
    case("deep-nesting-mapping-900", {E: ev(GOOD + "summary: " + "{a: " * 900 + "b" + "}" * 900 + "\n")},
         "^" + re.escape(E) + rf":6: .*({DEEP})"),
    case("anchor-without-alias", {E: ev("title: &t Something happened\ndate: '2024-12-12'\nsources: [example-statement]\n")},
         "^" + re.escape(E) + r":2: .*anchor"),  # README: "Anchors and aliases (&name, *name) are refused."
    case("undefined-alias", {E: ev("title: *t\ndate: '2024-12-12'\nsources: [example-statement]\n")},
         at(E, 2, "YAML aliases (*name) are not supported")),
    case("python-object-tag", {S: src("title", '!!python/object/apply:os.system ["echo pwned"]')},
         at(S, SRC_LAST, "'title' must be text, not a list")),
    case("two-documents-in-a-source", {S: SOURCE_YAML + "---\nurl: https://example.org/other\n"},
         at(S, SRC_NEW, "YAML syntax error: but found another document")),
    case("unknown-yaml-version", {S: "%YAML 9.9\n---\n" + SOURCE_YAML},
         at(S, 1, "YAML syntax error: found incompatible YAML document")),
    case("unclosed-quote-in-source", {S: SOURCE_YAML.replace("title: A statement", 'title: "A statement')},
         at(S, 2, "YAML syntax error:")),
    case("key-is-a-list", {E: ev(GOOD + "? [a, b]\n: c\n")}, at(E, 6, "a key must be a plain word, not a list or mapping")),
    case("merge-key", {E: ev(GOOD + "<<: {summary: x}\n")}, at(E, 6, "unknown key '<<'")),
    case("tabs-in-site-policy", {SITE: SITE_YAML + "policy:\n\tmin_sources: 2\n"},
         at(SITE, SITE_NEW + 1, "YAML syntax error:"), r"^    hint: indent with spaces, not tabs"),
    case("duplicate-key-in-policy", {SITE: SITE_YAML + "policy:\n  min_sources: 2\n  min_sources: 3\n"},
         at(SITE, SITE_NEW + 2, f"duplicate key 'min_sources' (first given on line {SITE_NEW + 1})")),
    case("front-matter-is-text", {E: ev("just a sentence\n")},
         at(E, 2, "the front matter must be a list of 'key: value' lines, not text")),
    case("site-is-a-list", {SITE: "- title\n- description\n"},
         at(SITE, 1, "the site.yaml must be a list of 'key: value' lines, not a list")),
    case("source-is-text", {S: "https://example.org/statement\n"},
         at(S, 1, "the source file must be a list of 'key: value' lines, not text")),
    case("empty-source-file", {S: ""}, at(S, 1, "'url' is missing"), at(S, 1, "'title' is missing")),
    case("empty-site-file", {SITE: ""}, at(SITE, 1, "'title' is missing"), at(SITE, 1, "'base_url' is missing")),

    # --- bytes that are not UTF-8 text --------------------------------------------------------
    case("binary-png-as-event", {E: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4},
         at(E, 1, "the file is not UTF-8 text (byte 0x89 cannot be read)")),
    case("binary-gzip-as-source", {S: b"\x1f\x8b\x08\x00" + bytes(range(255, -1, -1))},
         at(S, 1, "the file is not UTF-8 text (byte 0x8b cannot be read)")),
    case("invalid-utf8-mid-file",
         {E: ev(GOOD, "Line.[^example-statement]\n\n" * 20 + "Caf\xc3\x28.[^example-statement]\n").encode("latin-1")},
         at(E, 47, "the file is not UTF-8 text (byte 0xc3 cannot be read)")),
    case("overlong-utf8", {E: ev(GOOD).encode().replace(b"happened\n", b"happened\xc0\xaf\n", 1)},
         at(E, 2, "the file is not UTF-8 text (byte 0xc0 cannot be read)")),
    case("utf8-encoded-surrogate", {E: ev(GOOD).encode().replace(b"happened\n", b"happened\xed\xa0\x80\n", 1)},
         at(E, 2, "the file is not UTF-8 text (byte 0xed cannot be read)")),
    case("truncated-utf8-at-end", {E: ev(GOOD).encode() + b"\xe2\x82"},
         at(E, 8, "the file is not UTF-8 text (byte 0xe2 cannot be read)")),
    case("utf16-event", {E: ev(GOOD).encode("utf-16")}, at(E, 1, "the file is not UTF-8 text (byte 0xff cannot be read)")),
    case("cp1252-smart-quotes-in-source", {S: SOURCE_YAML.replace("A statement", "\u201cA statement\u201d").encode("cp1252")},
         at(S, 2, "the file is not UTF-8 text (byte 0x93 cannot be read)")),
    case("invalid-utf8-in-snapshot", {T: b"The text.\nMore text.\nCaf\xe9.\n"},
         at(T, 3, "the file is not UTF-8 text (byte 0xe9 cannot be read)")),

    # --- invisible and control characters -----------------------------------------------------
    case("escape-sequence-in-body", {E: ev(GOOD, "Some \x1b[31mred\x1b[0m text.[^example-statement]\n")},
         at(E, 7, "the file contains the control character U+001B")),
    case("nul-in-source", {S: SOURCE_YAML.replace("A statement", "A\x00 statement")},
         at(S, 2, "the file contains the control character U+0000")),
    case("delete-char-in-site", {SITE: SITE_YAML.replace("Test timeline", "Test\x7f timeline")},
         at(SITE, 1, "the file contains the control character U+007F")),
    # C1 controls and Unicode line separators: YAML counts U+0085, U+2028 and U+2029 as line breaks,
    # so every line after them is misreported, and U+0080-U+009F pass into the pages unseen.
    case("c1-next-line-in-title", {E: ev(GOOD.replace("Something happened", "Something\x85happened"))},
         at(E, 2, "the file contains the control character U+0085")),
    case("c1-csi-in-title", {E: ev(GOOD.replace("Something happened", "Something\x9bhappened"))},
         at(E, 2, "the file contains the control character U+009B")),
    case("c1-control-in-body", {E: ev(GOOD, "Something\x80 happened.[^example-statement]\n")},
         at(E, 7, "the file contains the control character U+0080")),
    case("line-separator-in-title", {E: ev(GOOD.replace("Something happened", "Something\u2028happened"))},
         "^" + re.escape(E) + r":2: .*U\+2028"),
    case("noncharacter-in-title", {E: ev(GOOD.replace("Something happened", "Something\ufffehappened"))},
         "^" + re.escape(E) + r":2: .*U\+FFFE"),
    case("two-byte-order-marks", {E: b"\xef\xbb\xbf\xef\xbb\xbf" + ev(GOOD).encode()},
         at(E, 1, "the file does not start with front matter")),
    case("byte-order-mark-only", {E: b"\xef\xbb\xbf"}, at(E, 1, "the file does not start with front matter")),

    # --- front matter fences ------------------------------------------------------------------
    case("empty-event-file", {E: ""}, at(E, 1, "the file does not start with front matter")),
    case("only-an-opening-fence", {E: "---\n"}, at(E, 1, "the front matter is never closed")),
    case("unclosed-fence-crlf-bom", {E: b"\xef\xbb\xbf---\r\ntitle: x\r\ndate: '2024-12-12'\r\nText.\r\n"},
         at(E, 1, "the front matter is never closed")),
    case("fence-of-four-dashes", {E: "----\n" + GOOD + "----\n" + CITED}, at(E, 1, "the file does not start with front matter")),

    # --- files, folders and links -------------------------------------------------------------
    case("symlinked-event-outside", {E: Outside(EVENT_MD)}, at(E, 0, "symbolic links are not allowed in content/")),
    case("symlinked-snapshot-to-etc-passwd", {T: Link("/etc/passwd")}, at(T, 0, "symbolic links are not allowed in content/")),
    case("symlinked-site-outside", {SITE: Outside(SITE_YAML)}, at(SITE, 0, "symbolic links are not allowed in content/")),
    case("dangling-symlink", {"content/events/2024-12-11-gone.md": Link("/nonexistent/2024-12-11-gone.md")},
         at("content/events/2024-12-11-gone.md", 0, "symbolic links are not allowed in content/")),
    case("symlink-to-itself", {"content/events/2024-12-11-loop.md": Link("SELF")},
         at("content/events/2024-12-11-loop.md", 0, "symbolic links are not allowed in content/")),
    case("symlinked-events-folder-outside", {"content/events": OutsideFolder({"2024-12-12-something-happened.md": EVENT_MD})},
         "^" + re.escape("content/events") + r"(:[0-9]+)?: .*symbolic link"),
    case("symlinked-sources-folder-outside", {"content/sources": OutsideFolder({"example-statement.yaml": SOURCE_YAML})},
         "^" + re.escape("content/sources") + r"(:[0-9]+)?: .*symbolic link"),
    case("named-pipe-as-event", {"content/events/2024-12-11-pipe.md": Fifo()},
         "^" + re.escape("content/events/2024-12-11-pipe.md") + r"(:[0-9]+)?: .*not a (regular )?file"),
    case("folder-named-like-an-event", {"content/events/2024-12-11-folder.md": Folder()},
         at("content/events/2024-12-11-folder.md", 0, "this is not an event (events end in .md), so it would be ignored")),
    case("events-is-a-file", {"content/events": "2024-12-12-something-happened.md\n"},
         "^" + re.escape("content/events") + r"(:[0-9]+)?: "),
    case("no-events-at-all", {E: None}, "^content/events(:[0-9]+)?: .*(no event|empty)"),
    case("misspelt-events-folder", {E: None, "content/event/2024-12-12-something-happened.md": EVENT_MD},
         "^" + re.escape("content/event") + r"(/[^:]*)?(:[0-9]+)?: "),
    case("empty-content-folder", {E: None, S: None, SITE: None, "content/events": None, "content/sources": None},
         at(SITE, 1, "site.yaml is missing")),
    case("name-with-date-and-spaces", {E: None, "content/events/2024-12-12 something happened.md": EVENT_MD},
         at("content/events/2024-12-12 something happened.md", 1,
            "the file name '2024-12-12 something happened.md' is not DATE-slug.md"),
         r"^    hint: rename it to something like 2024-12-12-something-happened\.md "),
    case("name-non-ascii", {E: None, "content/events/2024-12-12-café-crème.md": EVENT_MD},
         at("content/events/2024-12-12-café-crème.md", 1, "the file name '2024-12-12-café-crème.md' is not DATE-slug.md"),
         r"^    hint: rename it to something like 2024-12-12-(?!2024-12-12)[a-z0-9-]+\.md "),
    case("name-with-a-line-break", {E: None, "content/events/2024-12-12-a\nb.md": EVENT_MD},
         r"^content/events/2024-12-12-a.*b\.md:1: the file name "),
    case("name-not-utf8", {E: None, "content/events/2024-12-12-caf\udce9.md": EVENT_MD},
         r"^content/events/2024-12-12-caf.*\.md:1: the file name ",
         env={"PYTHONIOENCODING": "utf-8"}),
    case("source-name-with-space", {S: None, "content/sources/example statement.yaml": SOURCE_YAML},
         at("content/sources/example statement.yaml", 1, "'example statement' is not a valid source id")),

    # --- size and time ------------------------------------------------------------------------
    case("ten-megabyte-body", {E: ev(GOOD, TEN_MB)},
         "^" + re.escape(E) + r"(:1)?: .*(too (large|big)|larger|limit|MB|bytes)"),
    case("long-white-space-run-in-snapshot",
         {T: "The president said hello." + " " * 200_000 + "The end.\n", E: ev(quoting("said goodbye"))},
         at(E, 6, "the quote is not in the snapshot of 'example-statement'")),
    case("quote-sharing-no-letter-with-snapshot", {T: "The president said hello.\n", E: ev(quoting("日本語"))},
         at(E, 6, "the quote is not in the snapshot of 'example-statement'")),
    case("min-sources-5000-digits", {SITE: SITE_YAML + "policy:\n  min_sources: " + "1" * 5000 + "\n"},
         "^" + re.escape(SITE) + rf":{SITE_NEW + 1}: 'min_sources' "),
    case("year-zero",
         {E: None, "content/events/0000-01-01-x.md": ev("title: x\ndate: '0000-01-01'\nsources: [example-statement]\n")},
         r"^content/events/0000-01-01-x\.md:3: 'date' .*0000"),

    # --- every editor-controlled field given the wrong type -----------------------------------
    case("event-title-mapping", {E: ev(GOOD.replace("title: Something happened", "title: {a: b}"))},
         at(E, 2, "'title' must be text, not a mapping")),
    case("event-date-list", {E: ev(GOOD.replace("date: '2024-12-12'", "date: [2024, 12, 12]"))},
         at(E, 3, "'date' must be text, not a list")),
    case("event-date-mapping", {E: ev(GOOD.replace("date: '2024-12-12'", "date: {year: 2024}"))},
         at(E, 3, "'date' must be text, not a mapping")),
    case("event-end-date-list", {E: ev(GOOD + "end_date: ['2024-12-13']\n")}, at(E, 6, "'end_date' must be text, not a list")),
    case("event-summary-mapping", {E: ev(GOOD + "summary: {a: b}\n")}, at(E, 6, "'summary' must be text, not a mapping")),
    case("event-summary-list", {E: ev(GOOD + "summary: [a]\n")}, at(E, 6, "'summary' must be text, not a list")),
    case("event-tags-number", {E: ev(GOOD + "tags: 5.5\n")}, at(E, 6, "the tag '5.5' is not lowercase-with-hyphens")),
    case("event-tags-nested-list", {E: ev(GOOD + "tags: [[pardon]]\n")}, at(E, 6, "a tag must be a word, not a list")),
    case("event-tag-item-mapping", {E: ev(GOOD + "tags:\n  - pardon: yes\n")}, at(E, 7, "a tag must be a word, not a mapping")),
    case("event-sources-mapping", {E: ev(GOOD.replace("sources:\n  - example-statement\n", "sources: {example-statement: yes}\n"))},
         at(E, 4, "'sources' must be a list, not a mapping")),
    case("event-source-item-list", {E: ev(GOOD.replace("  - example-statement\n", "  - [example-statement]\n"))},
         at(E, 5, "a source must be an id or 'id:' and 'quote:', not a list")),
    case("event-source-id-list", {E: ev(GOOD.replace("  - example-statement\n", "  - id: [example-statement]\n"))},
         at(E, 5, "'id' must be text, not a list")),
    case("event-source-id-mapping", {E: ev(GOOD.replace("  - example-statement\n", "  - id: {a: b}\n"))},
         at(E, 5, "'id' must be text, not a mapping")),
    case("event-quote-list", {E: ev(GOOD.replace("  - example-statement\n", "  - id: example-statement\n    quote: [a, b]\n"))},
         at(E, 6, "'quote' must be text, not a list")),
    case("event-quote-mapping", {E: ev(GOOD.replace("  - example-statement\n", "  - id: example-statement\n    quote: {a: b}\n"))},
         at(E, 6, "'quote' must be text, not a mapping")),
    case("event-draft-list", {E: ev(GOOD + "draft: [true]\n")}, at(E, 6, "'draft' must be")),
    case("event-draft-mapping", {E: ev(GOOD + "draft: {a: b}\n")}, at(E, 6, "'draft' must be")),
    case("event-draft-number", {E: ev(GOOD + "draft: 1\n")}, at(E, 6, "'draft' must be true or false, not '1'")),
    case("event-corrections-mapping", {E: ev(GOOD + "corrections: {date: '2024-12-13', text: t}\n")},
         at(E, 6, "'corrections' must be a list, not a mapping")),
    case("event-corrections-text", {E: ev(GOOD + "corrections: fixed a typo\n")},
         at(E, 6, "the correction must be a list of 'key: value' lines, not text")),
    case("event-correction-item-list", {E: ev(GOOD + "corrections:\n  - [a, b]\n")},
         at(E, 7, "the correction must be a list of 'key: value' lines, not a list")),
    case("event-correction-date-list", {E: ev(GOOD + "corrections:\n  - date: ['2024-12-13']\n    text: t\n")},
         at(E, 7, "'date' must be text, not a list")),
    case("event-correction-date-mapping", {E: ev(GOOD + "corrections:\n  - date: {a: b}\n    text: t\n")},
         at(E, 7, "'date' must be text, not a mapping")),
    case("event-correction-text-mapping", {E: ev(GOOD + "corrections:\n  - date: '2024-12-13'\n    text: {a: b}\n")},
         at(E, 8, "'text' must be text, not a mapping")),
    case("event-claim-review-list", {E: ev(GOOD + "claim_review: [a, b]\n")},
         at(E, 6, "the claim_review must be a list of 'key: value' lines, not a list")),
    case("event-claim-review-text", {E: ev(GOOD + "claim_review: it is false\n")},
         at(E, 6, "the claim_review must be a list of 'key: value' lines, not text")),
    case("claim-review-claim-list", {E: ev(GOOD + CLAIM.replace("claim: It never happened.", "claim: [a]"))},
         at(E, 7, "'claim' must be text, not a list")),
    case("claim-review-claimant-mapping", {E: ev(GOOD + CLAIM.replace("claimant: Someone", "claimant: {a: b}"))},
         at(E, 8, "'claimant' must be text, not a mapping")),
    case("claim-review-claim-date-list", {E: ev(GOOD + CLAIM + "  claim_date: ['2024']\n")},
         at(E, 12, "'claim_date' must be text, not a list")),
    case("claim-review-appearance-list", {E: ev(GOOD + CLAIM + "  appearance: [example-statement]\n")},
         at(E, 12, "'appearance' must be text, not a list")),
    case("claim-review-rating-list", {E: ev(GOOD + CLAIM.replace("rating: 'false'", "rating: ['false']"))},
         at(E, 9, "'rating' must be text, not a list")),
    case("claim-review-rating-number", {E: ev(GOOD + CLAIM.replace("rating: 'false'", "rating: 1"))},
         at(E, 9, "'rating' cannot be '1'")),
    case("claim-review-verdict-mapping",
         {E: ev(GOOD + CLAIM.replace("verdict: It happened.[^example-statement]", "verdict: {a: b}"))},
         at(E, 10, "'verdict' must be text, not a mapping")),
    case("claim-review-date-list", {E: ev(GOOD + CLAIM.replace("date: '2024-12-13'", "date: ['2024-12-13']"))},
         at(E, 11, "'date' must be text, not a list")),
    case("source-url-list", {S: src("url", "[https://example.org/]")}, at(S, SRC_LAST, "'url' must be text, not a list")),
    case("source-title-mapping", {S: src("title", "{a: b}")}, at(S, SRC_LAST, "'title' must be text, not a mapping")),
    case("source-publisher-list", {S: src("publisher", "[a]")}, at(S, SRC_LAST, "'publisher' must be text, not a list")),
    case("source-published-mapping", {S: src("published", "{year: '2024'}")},
         at(S, SRC_LAST, "'published' must be text, not a mapping")),
    case("source-archive-url-list", {S: src("archive_url", "[https://web.archive.org/x]")},
         at(S, SRC_NEW, "'archive_url' must be text, not a list")),
    case("source-archive-date-list", {S: src("archive_date", "['2024']")}, at(S, SRC_NEW, "'archive_date' must be text, not a list")),
    case("source-url-status-list", {S: src("url_status", "[dead]")}, at(S, SRC_NEW, "'url_status' must be text, not a list")),
    case("source-original-url-mapping", {S: src("original_url", "{a: b}")},
         at(S, SRC_NEW, "'original_url' must be text, not a mapping")),
    case("source-accessed-list", {S: src("accessed", "['2024-12-12']")}, at(S, SRC_NEW, "'accessed' must be text, not a list")),
    case("source-note-list", {S: src("note", "[a, b]")}, at(S, SRC_NEW, "'note' must be text, not a list")),
    case("site-title-list", {SITE: site("title", "[a]")}, at(SITE, SITE_LAST, "'title' must be text, not a list")),
    case("site-description-mapping", {SITE: site("description", "{a: b}")},
         at(SITE, SITE_LAST, "'description' must be text, not a mapping")),
    case("site-base-url-list", {SITE: site("base_url", "[https://example.org/]")},
         at(SITE, SITE_LAST, "'base_url' must be text, not a list")),
    case("site-language-mapping", {SITE: site("language", "{a: b}")}, at(SITE, SITE_LAST, "'language' must be text, not a mapping")),
    case("site-policy-list", {SITE: site("policy", "[strict]")},
         at(SITE, SITE_NEW, "the policy must be a list of 'key: value' lines, not a list")),
    case("site-policy-text", {SITE: site("policy", "strict")},
         at(SITE, SITE_NEW, "the policy must be a list of 'key: value' lines, not text")),
    case("policy-min-sources-list", {SITE: site("policy", "{min_sources: [2]}")},
         at(SITE, SITE_NEW, "'min_sources' must be text, not a list")),
    case("policy-quotes-need-snapshots-mapping", {SITE: site("policy", "{quotes_need_snapshots: {a: b}}")},
         at(SITE, SITE_NEW, "'quotes_need_snapshots' must be text, not a mapping")),
    case("policy-archive-required-list", {SITE: site("policy", "{archive_required: [true]}")},
         at(SITE, SITE_NEW, "'archive_required' must be text, not a list")),
    *ISSUE_12,
]

# Every line of a report is `path[:line]: message`, an indented hint, or the closing count.
REPORT_LINE = re.compile(
    r"(content(/[^\n]*)?(:[1-9][0-9]*)?: (warning: )?\S.*"
    r"|    hint: \S.*"
    r"|[0-9]+ errors?(, [0-9]+ warnings?)?; nothing was written\.)\Z"
)
ANNOTATION = re.compile(r"::(error|warning) file=content[^,]*(,line=[1-9][0-9]*)?,title=[^:]+::\S.*\Z")



def limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the nesting crash must not leave a core file


def build(project: Path, env: dict | None = None, timeout: float = TIMEOUT) -> tuple[int, str, bytes, float]:
    """Run build.py on the project in a new process: (exit status, standard error, standard output, seconds)."""
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, str(PROJECT / "build.py"), "--content", str(project / "content"), "--out", str(project / "_site")],
            cwd=project, capture_output=True, timeout=timeout, preexec_fn=limit_resources, check=False,
            env={**os.environ, "GITHUB_ACTIONS": "true", **(env or {})},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build did not finish within {timeout} s")
    elapsed = time.monotonic() - started
    try:
        err = result.stderr.decode("utf-8")
    except UnicodeDecodeError as error:
        pytest.fail(f"standard error is not UTF-8: {error}: {result.stderr[-2000:]!r}")
    return result.returncode, err, result.stdout, elapsed


def apply(project: Path, outside: Path, changes: dict) -> None:
    for relative, data in changes.items():
        path = project / relative
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        if data is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        elif isinstance(data, Outside):
            target = outside / path.name
            target.write_text(data.data, encoding="utf-8")
            path.symlink_to(target)
        elif isinstance(data, OutsideFolder):
            target = outside / f"folder-{path.name}"
            target.mkdir()
            for name, text in data.files.items():
                (target / name).write_text(text, encoding="utf-8")
            path.symlink_to(target, target_is_directory=True)
        elif isinstance(data, Link):
            path.symlink_to(path if data.target == "SELF" else data.target)
        elif isinstance(data, Fifo):
            os.mkfifo(path)
        elif isinstance(data, Folder):
            path.mkdir()
        else:
            raise TypeError(data)


@pytest.fixture(scope="module")
def built_minimal(tmp_path_factory) -> Path:
    """The minimal content, built once; each case starts from a copy."""
    project = tmp_path_factory.mktemp("minimal") / "project"
    write_files(project, minimal_files())
    code, err, _, _ = build(project, timeout=60)
    assert code == 0, err
    return project


@pytest.fixture
def project(built_minimal, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built_minimal, copy, symlinks=True)
    (tmp_path / "outside").mkdir()
    return copy


@pytest.mark.parametrize("changes, expected, env", HOSTILE)
def test_hostile_input_is_reported_and_leaves_the_site_untouched(changes, expected, env, project):
    before = tree(project / "_site")
    assert before, "the minimal content must have been built"
    beside = sorted(p.name for p in project.iterdir())
    apply(project, project.parent / "outside", changes)

    code, err, out, _ = build(project, env)

    assert "Traceback" not in err, err[-3000:]
    assert code == 1, f"exit status {code}; standard error:\n{err[-3000:]}"
    for pattern in expected:
        assert re.search(pattern, err, re.MULTILINE), f"{pattern!r} not in:\n{err[-3000:]}"
    lines = err.rstrip("\n").split("\n")
    bad = [line for line in lines if not REPORT_LINE.match(line)]
    assert not bad, f"lines that are not `path:line: message`, a hint or the count: {bad[:5]}"
    assert "nothing was written" in lines[-1]
    assert "pwned" not in err + out.decode("utf-8", "replace")
    try:
        annotations = out.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        pytest.fail(f"the GitHub annotations are not UTF-8: {error}: {out[:300]!r}")
    assert annotations and all(ANNOTATION.match(line) for line in annotations), annotations[:5]
    assert tree(project / "_site") == before
    assert sorted(p.name for p in project.iterdir()) == beside  # no staging folder left beside it


def test_the_corpus_is_large_and_distinct():
    ids = [param.id for param in HOSTILE]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    inputs = [repr(sorted((k, repr(v)) for k, v in param.values[0].items())) for param in HOSTILE]
    assert len(set(inputs)) == len(inputs), "two cases change the content in the same way"
    print(f"\n{len(ids)} hostile inputs")


# --- what must be accepted ------------------------------------------------------------------------

RICH = {
    SITE: SITE_YAML + "policy:\n  min_sources: 1\n  quotes_need_snapshots: true\n",
    S: SOURCE_YAML + "archive_url: https://web.archive.org/web/2024/https://example.org/statement\narchive_date: '2024-12-13'\n",
    T: "The Example Office said: \u201cSomething happened on this day.\u201d\nIt was a Thursday.\n",
    E: "---\ntitle: Something happened\ndate: '2024-12-12'\nsummary: It happened.[^example-statement]\ntags: [pardon]\n"
       "sources:\n  - id: example-statement\n    quote: Something happened on this day.\n"
       "corrections:\n  - date: '2024-12-14'\n    text: The first version gave the wrong day.\n"
       + CLAIM + "---\nSomething happened on this day.[^example-statement]\n\nIt was a Thursday.[^example-statement]\n",
}


def _line_ends(text: str, how: str) -> bytes:
    if how == "crlf+bom":
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    if how == "cr":
        return text.replace("\n", "\r").encode("utf-8")
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    raise ValueError(how)


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory) -> dict[str, bytes]:
    project = tmp_path_factory.mktemp("rich") / "project"
    apply(project, project.parent, RICH)
    code, err, _, _ = build(project, timeout=60)
    assert code == 0, err
    return tree(project / "_site")


@pytest.mark.parametrize("how", ["crlf+bom", "cr", "bom"])
def test_windows_line_ends_and_byte_order_marks_are_accepted_in_every_file(how, rich_site, tmp_path):
    project = tmp_path / "project"
    apply(project, tmp_path, {relative: _line_ends(text, how) for relative, text in RICH.items()})
    code, err, _, _ = build(project)
    assert code == 0, err
    assert "warning" not in err, err
    assert tree(project / "_site") == rich_site  # the same site, byte for byte, as from LF files


@pytest.mark.parametrize("date", ["9999-12-31", "9999", "0001-01-01", "1000-01"])
def test_the_ends_of_the_calendar_build_or_are_reported(date, project):
    """Four-digit years are dates the README allows: they build, or are refused at their line."""
    apply(project, project.parent / "outside", {
        E: None,
        f"content/events/{date}-x.md": ev(f"title: x\ndate: '{date}'\nsources: [example-statement]\n"),
    })
    code, err, _, _ = build(project)
    assert "Traceback" not in err, err[-2000:]
    assert code == 0 or re.search(rf"^content/events/{date}-x\.md:3: 'date' ", err, re.MULTILINE), err[-2000:]


def test_an_end_date_at_the_end_of_the_calendar_builds(project):
    apply(project, project.parent / "outside", {E: ev(GOOD + "end_date: '9999-12-31'\n")})
    code, err, _, _ = build(project)
    assert "Traceback" not in err, err[-2000:]
    assert code == 0, err[-2000:]


def test_pathological_markdown_is_refused_quickly_and_a_busy_but_real_text_builds(project):
    """Long runs of unclosed brackets make Python-Markdown's time grow with their square: past a
    limit no real event reaches, the text is refused with a clear message instead of hanging."""
    apply(project, project.parent / "outside", {E: ev(GOOD, "[" * 10_000 + " Something.[^example-statement]\n")})
    code, err, _, elapsed = build(project)
    assert code == 1 and "Traceback" not in err
    assert re.search("^" + re.escape(E) + r":7: the text has 10001 '\[' characters; the limit is 300$", err, re.MULTILINE), err
    assert elapsed < TIMEOUT
    apply(project, project.parent / "outside", {E: ev(GOOD, "[" * 290 + " Something.[^example-statement]\n")})
    code, err, _, elapsed = build(project)
    assert code == 0, err[-2000:]
    assert elapsed < TIMEOUT


# --- the build cache beside the output: not content, but a file a crash or an old version leaves ---

@pytest.mark.parametrize("data", [
    pytest.param(b"\x00not a pickle", id="garbage"),
    pytest.param(b"", id="empty"),
    pytest.param(b"\x80\x05\x95", id="truncated"),
    pytest.param(b"\x80\x04]\x94(K\x01K\x02e.", id="a-list-not-a-mapping"),  # pickle.dumps([1, 2])
    pytest.param(b"cnosuchmodule\nThing\n.", id="a-class-from-a-module-that-is-gone"),  # an older version's cache
    pytest.param(b"(" * 100_000 + b".", id="deeply-nested"),
])
def test_a_corrupt_build_cache_is_ignored(data, project):
    """Whatever the cache file holds, the build ignores it and writes the same site as a clean build."""
    cache = project / ".timeline-cache" / "cache.pickle"
    assert cache.is_file(), "the build keeps its cache beside the output"
    before = tree(project / "_site")
    cache.write_bytes(data)
    code, err, _, _ = build(project)
    assert "Traceback" not in err, err[-2000:]
    assert code == 0, err[-2000:]
    assert tree(project / "_site") == before
