"""Reading one front-matter value into a typed value, or a Problem the editor can act on."""

from __future__ import annotations

import calendar
import difflib
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from .model import EventDate, Location, Problem
from .yamltext import YMap, YValue

# \Z, not $: "$" also matches before a final newline. [0-9], not \d: \d matches other scripts' digits.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
_SCHEMES = ("http", "https")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")
_NOT_IN_URLS = re.compile(r'[\\"<>]')
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$", re.IGNORECASE)  # "_": DNS allows it, browsers too


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        return ""
    odd = [c for c in word if not c.isascii() or unicodedata.category(c) == "Cf"]
    if odd:  # "did you mean 'x'?" would name what looks like the same word: say what differs
        shown = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(odd))
        return f"it contains {shown}, invisible or looking like another letter: retype it as '{close[0]}'?"
    return f"did you mean '{close[0]}'?"


def slugify(text: str) -> str:
    """Lowercase words with hyphens, accents dropped: 'Café Reform' → 'cafe-reform'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


class Fields:
    """One YAML mapping of a file, read key by key; every problem is collected, none raised."""

    def __init__(self, data: YValue | None, where: Location, problems: list[Problem], what: str):
        self.where = where
        self.problems = problems
        if data is None:
            self.map = YMap()
        elif isinstance(data.value, YMap):
            self.map = data.value
        else:
            self.map = YMap()
            self.problem(data.line, f"the {what} must be a list of 'key: value' lines, not {data.kind}")

    def problem(self, line: int, message: str, hint: str = "", severity: str = "error") -> None:
        self.problems.append(Problem(Location(self.where.path, line), message, hint, severity))

    def line(self, key: str) -> int:
        return self.map.key_lines.get(key, self.where.line)

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key, line in self.map.key_lines.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed) or "the keys are: " + ", ".join(allowed)
                self.problem(line, f"unknown key '{key}'", hint)

    def text(self, key: str, required: bool = False, hint: str = "") -> str:
        value = self.map.items.get(key)
        if value is None:
            if required:
                missing = "is missing" if key not in self.map.key_lines else "is empty"
                self.problem(self.line(key), f"'{key}' {missing}", hint)
            return ""
        if not isinstance(value.value, str):
            self.problem(value.line, f"'{key}' must be text, not {value.kind}", hint)
            return ""
        text = value.value.strip()
        if required and not text:
            self.problem(value.line, f"'{key}' is empty", hint)
        return text

    def date(self, key: str, required: bool = False) -> EventDate | None:
        text = self.text(key, required, "write the date as YYYY-MM-DD, YYYY-MM or YYYY")
        if not text:
            return None
        return parse_date(text, key, Location(self.where.path, self.map.items[key].line), self.problems)

    def url(self, key: str, required: bool = False) -> str:
        text = self.text(key, required, "the full address, starting with https://")
        if not text:
            return ""
        problem = url_problem(text)
        if problem:
            self.problem(self.map.items[key].line, f"'{key}' {problem}", "use the full address, starting with https://")
            return ""
        return text

    def boolean(self, key: str) -> bool:
        written = self.text(key)
        text = written.lower()  # YAML editors write True as often as true
        if text in ("", "false"):
            return False
        if text == "true":
            return True
        text = written
        self.problem(self.map.items[key].line, f"'{key}' must be true or false, not '{text}'")
        return False

    def choice(self, key: str, choices: tuple[str, ...], required: bool = False) -> str:
        text = self.text(key, required, "one of: " + ", ".join(choices))
        if text and text not in choices:
            hint = did_you_mean(text, choices) or "one of: " + ", ".join(choices)
            self.problem(self.map.items[key].line, f"'{key}' cannot be '{text}'", hint)
            return ""
        return text

    def nested(self, key: str, what: str) -> Fields:
        """The mapping under `key`, read with the same problem list."""
        value = self.map.items.get(key)
        return Fields(value, Location(self.where.path, self.line(key)), self.problems, what)

    def nested_line(self, key: str, inner: str) -> int:
        value = self.map.items.get(key)
        if value is not None and isinstance(value.value, YMap):
            return value.value.key_lines.get(inner, value.line)
        return self.line(key)

    def items(self, key: str) -> list[YValue] | None:
        """A list value; a single text is read as a one-item list."""
        value = self.map.items.get(key)
        if value is None:
            return None
        if isinstance(value.value, list):
            return value.value
        if isinstance(value.value, str):
            return [value] if value.value.strip() else []
        self.problem(value.line, f"'{key}' must be a list, not a mapping", "write one '- item' per line")
        return None


def parse_date(text: str, key: str, where: Location, problems: list[Problem]) -> EventDate | None:
    match = _DATE.match(text)
    if not match:
        problems.append(
            Problem(where, f"'{key}' is not a date: '{text}'", "write it as YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2024-12-12")
        )
        return None
    year = int(match.group(1))
    month, day = (int(part) if part else None for part in match.groups()[1:])
    if year == 0:
        problems.append(Problem(where, f"'{key}' {text} is impossible: there is no year 0"))
        return None
    if month is not None and not 1 <= month <= 12:
        problems.append(Problem(where, f"'{key}' {text} is impossible: there is no month {month}"))
        return None
    if month is not None and day is not None:  # the pattern gives a day only with a month
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            problems.append(
                Problem(
                    where,
                    f"'{key}' {text} is impossible: {calendar.month_name[month]} {year} has {last} days",
                )
            )
            return None
    return EventDate(year, month, day)


def url_problem(text: str) -> str:
    """Why `text` is not a safe absolute http(s) address, or '' when it is."""
    if _SPACE_OR_CONTROL.search(text):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError:
        return f"is not a valid address: '{text}'"
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        return f"must start with http:// or https:// (found {shown})"
    if not parts.hostname:
        return f"has no host name: '{text}'"
    # Python and browsers disagree about some addresses ("https://a.example\\@b.example/" is b to
    # Python and a to a browser): anything that could make the host shown differ from the host
    # visited is refused, so the page, the link and check --links all mean the same place.
    odd = _NOT_IN_URLS.search(text)
    if odd:
        return (f"contains '{odd.group()}', which an address may not contain as it is "
                "(percent-encode it: \\ is %5C, \" is %22, < is %3C, > is %3E)")
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password (…@ before the host)"
    if not _valid_host(parts.hostname):
        return f"has an invalid host name: '{parts.hostname}'"
    try:
        parts.port  # noqa: B018 (reading it is the check: urlsplit checks the port only when asked)
    except ValueError:
        return f"has an invalid port: '{text}'"
    return ""


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return all(_HOST_LABEL.match(label) for label in labels)
