"""Stage 1: files → raw entries with line numbers. Reads, decodes and splits; judges nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .cache import digest
from .fields import did_you_mean
from .model import Location, Problem
from .yamltext import YValue, parse_yaml

# Tabs and line ends are text; any other control character (NUL, ESC, the C1 set), the Unicode
# line and paragraph separators (YAML would read them as line ends) and the non-characters
# U+FFFE/U+FFFF mean a corrupt file or a paste from somewhere odd.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# Larger files are refused before they are read: no event or source needs this much, and the
# Markdown parser's time grows faster than the text.
MAX_BYTES = {".md": 1_000_000, ".yaml": 1_000_000, ".txt": 5_000_000}
_UNPRINTABLE = re.compile("[^\x20-\x7e\xa0-\U0010ffff]|[\ud800-\udfff]")
_FENCE = re.compile(r"^---[ \t]*$")


@dataclass(frozen=True)
class RawEvent:
    where: Location
    front: YValue | None
    body: str
    body_line: int  # the file line on which the body starts
    digest: str = ""  # of the file's name and text: what the build cache keys the event's pages on


@dataclass(frozen=True)
class RawSource:
    where: Location
    data: YValue | None
    snapshot: str | None
    digest: str = ""  # of the file's name, its text and its snapshot's


@dataclass
class RawContent:
    site: YValue | None = None
    site_where: Location | None = None
    events: list[RawEvent] = field(default_factory=list)
    sources: list[RawSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def decode_text(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without a byte-order mark), any line endings → text with \\n line ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        return None, [
            Problem(
                Location(path, line),
                f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be read)",
                "save the file as UTF-8 (in VS Code: 'Save with Encoding' → 'UTF-8')",
            )
        ]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        return None, [
            Problem(
                Location(path, line),
                f"the file contains the control character U+{ord(control.group()):04X}",
                "delete it: it is invisible in most editors (try retyping the line)",
            )
        ]
    return text, []


def split_front_matter(text: str, path: str) -> tuple[str, int, str, int] | Problem:
    """Return (front matter, its first line, body, body's first line), or the problem."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return Problem(
            Location(path, 1),
            "the file does not start with front matter",
            "did you forget to add '---'? An event starts with a line '---', then title:, date:, "
            "sources:, then another '---' and the text",
        )
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, 2, body, index + 2
    return Problem(
        Location(path, 1),
        "the front matter is never closed",
        "add a line '---' after the last key (sources: …), before the text",
    )


class _Reader:
    """Reads files under one project folder and names them relative to it."""

    def __init__(self, root: Path, problems: list[Problem]):
        self.root = root
        self.problems = problems

    def name(self, path: Path) -> str:
        """The path as the editor sees it; characters that would break a report line are escaped."""
        try:
            shown = path.relative_to(self.root).as_posix()
        except ValueError:
            shown = path.as_posix()
        return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"),
                                shown)

    def text(self, path: Path) -> str | None:
        name = self.name(path)
        if path.is_symlink():
            self.problems.append(
                Problem(Location(name), "symbolic links are not allowed in content/", "copy the file in instead")
            )
            return None
        try:
            size = path.stat().st_size
            limit = MAX_BYTES.get(path.suffix, 1_000_000)
            if size > limit:
                self.problems.append(Problem(
                    Location(name), f"the file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB",
                    "an event is a few paragraphs: keep long documents as a source's .txt snapshot"))
                return None
            data = path.read_bytes()
        except OSError as error:
            self.problems.append(Problem(Location(name), f"cannot read the file: {error.strerror}"))
            return None
        text, problems = decode_text(data, name)
        self.problems.extend(problems)
        return text


def load_content(content_dir: Path, memo=None) -> RawContent:
    """Read content/site.yaml, content/events/*.md and content/sources/*.yaml (+ .txt snapshots).

    `memo` (the build cache) remembers parsed YAML by a digest of the file's name and text.
    """
    raw = RawContent()
    parse = _memoised(memo)
    reader = _Reader(content_dir.parent, raw.problems)
    if not content_dir.is_dir():
        raw.problems.append(Problem(Location(reader.name(content_dir)), "the content folder does not exist"))
        return raw

    site_path = content_dir / "site.yaml"
    raw.site_where = Location(reader.name(site_path), 1)
    if site_path.is_file():
        text = reader.text(site_path)
        if text is not None:
            raw.site, problems = parse_yaml(text, reader.name(site_path))
            raw.problems.extend(problems)
    else:
        raw.problems.append(
            Problem(raw.site_where, "site.yaml is missing", "create it with title:, description:, base_url:, language:")
        )

    _check_top_level(content_dir, reader)
    event_files = _files(content_dir / "events", ".md", reader, "an event (events end in .md)")
    if not event_files and not (content_dir / "events").is_symlink():
        raw.problems.append(Problem(
            Location(reader.name(content_dir / "events")), "there are no events",
            "an empty site would replace the published one: add content/events/<date>-<slug>.md "
            "(python build.py new …)"))
    for path in event_files:
        text = reader.text(path)
        if text is None:
            continue
        name = reader.name(path)
        split = split_front_matter(text, name)
        if isinstance(split, Problem):
            raw.problems.append(split)
            continue
        front_text, front_line, body, body_line = split
        front, problems = parse(front_text, name, front_line)
        raw.problems.extend(problems)
        if not problems:
            raw.events.append(RawEvent(Location(name, 1), front, body, body_line, digest(name, text)))

    snapshots = {}
    for path in _files(content_dir / "sources", (".yaml", ".txt"), reader, "a source (.yaml) or snapshot (.txt)"):
        if path.suffix == ".txt":
            if not path.with_suffix(".yaml").is_file():
                raw.problems.append(
                    Problem(
                        Location(reader.name(path)),
                        "this snapshot has no source file beside it",
                        f"add {path.stem}.yaml with url:, title:, publisher:, published:",
                    )
                )
            snapshots[path.stem] = path
    for path in _files(content_dir / "sources", ".yaml", reader, None):
        text = reader.text(path)
        if text is None:
            continue
        data, problems = parse(text, reader.name(path), 1)
        raw.problems.extend(problems)
        snapshot = reader.text(snapshots[path.stem]) if path.stem in snapshots else None
        if not problems:
            name = reader.name(path)
            raw.sources.append(RawSource(Location(name, 1), data, snapshot, digest(name, text, snapshot or "")))
    return raw


def _memoised(memo):
    """parse_yaml, remembering what parsed cleanly; a problem is always found afresh."""
    if memo is None:
        return parse_yaml

    def parse(text: str, path: str, first_line: int):
        key = digest("yaml", path, str(first_line), text)
        value = memo.get(key)
        if value is not None:
            return value, []
        value, problems = parse_yaml(text, path, first_line)
        if not problems and value is not None:
            memo.put(key, value)
        return value, problems

    return parse


def _check_top_level(content_dir: Path, reader: _Reader) -> None:
    """content/ holds site.yaml, events/ and sources/: anything else would be silently ignored."""
    for path in sorted(content_dir.iterdir()):
        if path.name.startswith(".") or path.name in ("site.yaml", "events", "sources"):
            continue
        hint = did_you_mean(path.name, ("site.yaml", "events", "sources")) or "move it out of content/"
        reader.problems.append(Problem(Location(reader.name(path)), "this is not part of the content, so it "
                                       "would be ignored: content/ holds site.yaml, events/ and sources/", hint))


def _files(folder: Path, suffixes, reader: _Reader, expected: str | None) -> list[Path]:
    """The regular files of `folder` with one of `suffixes`, sorted; anything else is reported once."""
    if folder.is_symlink():
        if expected:  # reported once, on the pass that expects something
            reader.problems.append(Problem(Location(reader.name(folder)), "symbolic links are not allowed in content/",
                                           "make it a real folder"))
        return []
    if not folder.is_dir():
        if folder.exists() and expected:
            reader.problems.append(Problem(Location(reader.name(folder)), "this should be a folder"))
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # editors' and systems' hidden files (.DS_Store, .gitkeep)
        wanted = path.suffix in ((suffixes,) if isinstance(suffixes, str) else suffixes)
        if wanted and (path.is_symlink() or path.is_file()):  # a symlink is refused when read
            found.append(path)
        elif wanted and not path.is_dir() and expected:
            reader.problems.append(Problem(Location(reader.name(path)), "this is not a regular file",
                                           "replace it with an ordinary text file"))
        elif expected:
            reader.problems.append(
                Problem(
                    Location(reader.name(path)),
                    f"this is not {expected}, so it would be ignored",
                    "rename it, or move it out of content/",
                )
            )
    return found


def load_static(static_dir: Path) -> dict[str, bytes]:
    """Every file under static/, keyed by its output path (static/...), copied as is."""
    if not static_dir.is_dir():
        return {}
    return {
        f"static/{path.relative_to(static_dir).as_posix()}": path.read_bytes()
        for path in sorted(static_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
