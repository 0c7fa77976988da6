"""YAML read as plain text with a line number on every value.

We compose (parse without constructing) so that: every scalar stays the text the editor typed
(YAML 1.1 would turn `no` into False and `2024-12-12` into a date); every key keeps its line for
error messages; duplicate keys and aliases, which `yaml.safe_load` accepts silently, are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .model import Location, Problem

# Characters no text of ours should hold. Tabs and line ends are text; any other control character
# (NUL, ESC, the C1 set), the line and paragraph separators (YAML would read them as line ends)
# and the non-characters U+FFFE/U+FFFF mean a corrupt file or a paste from somewhere odd; the
# bidirectional overrides and isolates make a title read differently from what it says
# (U+202E turns "txt.exe" into "exe.txt").
_CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
CONTROL = re.compile(f"[{_CONTROL_CHARACTERS}\u202a-\u202e\u2066-\u2069]")
# A snapshot is text copied from a page: it may hold the bidirectional marks of right-to-left words.
CONTROL_IN_SNAPSHOTS = re.compile(f"[{_CONTROL_CHARACTERS}]")


def visible(text: str) -> str:
    """Untrusted text for a terminal or a log: each control character written as its escape."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


# The C parser is several times faster; its errors carry the same marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YValue:
    """A YAML value: text (str), a list of YValue, or a YMap. `line` is 1-based in the file."""

    value: object
    line: int

    @property
    def kind(self) -> str:
        if isinstance(self.value, str):
            return "text"
        if isinstance(self.value, list):
            return "a list"
        return "a mapping"


@dataclass(frozen=True)
class YMap:
    items: dict[str, YValue] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


# Hints for PyYAML's messages, matched by their start (the C and Python parsers word them a little differently).
_HINTS = {
    "mapping values are not allowed": "a value that contains ': ' must be in quotes, e.g. title: 'Pardons: the list'",
    "did not find expected ',' or ']'": "a list in [brackets] must end with ], and items are separated by commas",
    "did not find expected key": "check the indentation: keys of one block start in the same column",
    "found unexpected end of stream": "a quotation mark is probably not closed",
    "found undefined alias": "anchors and aliases (&name, *name) are not supported: write the value out",
}
_TAB_HINT = "indent with spaces, not tabs"
_UNCLOSED = ("while parsing a flow", "while scanning a quoted", "while scanning a double-quoted")


_UNCLOSED_QUOTE_HINT = ("the quotation mark that opens this value is not closed on its line: end the value with "
                        "the same mark (inside '…', write an apostrophe as '')")


def _unclosed_quote_line(text: str, mark: yaml.Mark | None) -> int | None:
    """The line (0-based) where a quoted value opens, when that value ran on to the line where the
    parser gave up: `title: 'Pardons` ends at the next line's first quote, and the error comes
    after it. A value quoted across lines on purpose is valid YAML and never gets here."""
    if mark is None:
        return None
    quoted = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                quoted = token
    except yaml.YAMLError:
        pass  # the tokens read so far are all there is to look at
    if quoted is None or quoted.start_mark.line == quoted.end_mark.line or quoted.end_mark.line != mark.line:
        return None
    return int(quoted.start_mark.line)


def _hint(problem: str, text: str, mark: yaml.Mark | None) -> str:
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return _TAB_HINT
    return next((hint for start, hint in _HINTS.items() if problem.startswith(start)), "")


MAX_DEPTH = 32  # front matter is two or three levels deep; a thousand would crash the parser


# What can open a level of nesting: a block entry ("- " or "? ", the indicator then white space or
# the end), a flow bracket, or a new line. Their count bounds how deep a document can nest.
_LEVEL_OPENERS = re.compile(r"[-?](?=[ \t\r\n]|\Z)|[\[{\n]")


def _shape_problems(text: str, path: str, first_line: int) -> list[Problem]:
    """Anchors, aliases and deep nesting, found in the event stream (which, unlike composing, does
    not recurse: 100,000 nested brackets would overflow the C parser's stack). Each anchor and
    alias is reported at its own line, the first ten of them."""
    if "&" not in text and "*" not in text and len(_LEVEL_OPENERS.findall(text)) < MAX_DEPTH:
        # No anchor or alias can be written without '&' or '*', and fewer openers than the limit
        # cannot nest that deep: nothing to find, without walking every event of the parse.
        return []
    problems: list[Problem] = []
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = first_line + (event.start_mark.line if event.start_mark else 0)
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(Location(path, line), "YAML aliases (*name) are not supported",
                                    _HINTS["found undefined alias"]))
        elif getattr(event, "anchor", None):
            problems.append(Problem(Location(path, line), "YAML anchors (&name) are not supported",
                                    _HINTS["found undefined alias"]))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return problems + [Problem(Location(path, line), f"the YAML is nested more than {MAX_DEPTH} levels deep",
                                           "front matter needs two or three levels: check the brackets and the indentation")]
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if len(problems) >= 10:
            break
    return problems


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[YValue | None, list[Problem]]:
    """Parse `text`, which starts at line `first_line` of `path`. Never raises on bad input."""
    try:
        shape = _shape_problems(text, path, first_line)
        if shape:
            return None, shape
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        what = error.problem or "invalid YAML"
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        message = f"YAML syntax error: {what}"
        if error.context:
            message += f" ({error.context})"
            if error.context.startswith(_UNCLOSED) and error.context_mark:
                # The parser notices where it gave up; the line to fix opened the bracket or quote.
                line = first_line + error.context_mark.line
        opened = _unclosed_quote_line(text, mark)
        if opened is not None:
            return None, [Problem(Location(path, first_line + opened),
                                  f"YAML syntax error: the quoted value on this line is not closed ({what})",
                                  _UNCLOSED_QUOTE_HINT)]
        return None, [Problem(Location(path, line), message, _hint(what, text, mark))]
    except yaml.YAMLError as error:  # errors without a position, e.g. a character YAML refuses
        return None, [Problem(Location(path, first_line), "YAML error: " + " ".join(str(error).split()))]
    if node is None:
        return None, []
    return _Converter(path, first_line).convert(node)


class _Converter:
    def __init__(self, path: str, first_line: int):
        self.path = path
        self.offset = first_line
        self.seen: set[int] = set()
        self.problems: list[Problem] = []

    def convert(self, node: yaml.Node) -> tuple[YValue | None, list[Problem]]:
        value = self._value(node)
        return value, self.problems

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.offset

    def _problem(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(Location(self.path, self._line(node)), message, hint))

    def _value(self, node: yaml.Node) -> YValue | None:
        # An alias is the same node object met twice. Refusing it also defuses "billion laughs".
        if id(node) in self.seen:
            self._problem(node, "YAML aliases (*name) are not supported", _HINTS["found undefined alias"])
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            control = CONTROL.search(node.value)
            if control:  # only an escape ("\x1b", "\u202e") can put one here: the file was checked
                self._problem(node, f"the value contains the control character U+{ord(control.group()):04X}",
                              "remove it: write the text as readers should see it")
                return None
            return YValue(node.value, self._line(node))
        if isinstance(node, yaml.SequenceNode):
            items = [self._value(child) for child in node.value]
            return YValue([item for item in items if item is not None], self._line(node))
        assert isinstance(node, yaml.MappingNode)  # the composer makes no other kind
        return YValue(self._mapping(node), self._line(node))

    def _mapping(self, node: yaml.MappingNode) -> YMap:
        result = YMap()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = key_node.value
            if key in result.items or key in result.key_lines:
                first = result.key_lines[key]
                self._problem(
                    key_node,
                    f"duplicate key '{key}' (first given on line {first})",
                    "keep one of them: YAML would silently use the last",
                )
                continue
            result.key_lines[key] = self._line(key_node)
            value = self._value(value_node)
            if value is not None:
                result.items[key] = value
        return result
