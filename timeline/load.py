"""Stage 1: files → raw entries with line numbers. Reads, decodes and splits; judges nothing else."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .digests import digest
from .fields import did_you_mean
from .memo import FileMemo
from .model import Event, Location, Problem, Source
from .yamltext import CONTROL, CONTROL_IN_SNAPSHOTS, YValue, parse_yaml

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
    digest: str = ""  # of the file's name and bytes: what the build cache keys the event's pages on
    reuse: Event | None = None  # validated by an earlier build from the same files: nothing to parse
    text: str | None = None  # the file as read, when its front matter is yet to be parsed (parse_event)


def parse_event(raw: RawEvent) -> tuple[RawEvent | None, list[Problem]]:
    """The event file's front matter parsed (YAML) and its text split off, or its problems.

    load_content leaves this to validation, which checks events in worker processes when there
    are many: parsing thousands of front matters is then shared out to the cores as well.
    """
    if raw.text is None:
        return raw, []
    split = split_front_matter(raw.text, raw.where.path)
    if isinstance(split, Problem):
        return None, [split]
    front_text, front_line, body, body_line = split
    front, problems = parse_yaml(front_text, raw.where.path, front_line)
    if problems:
        return None, problems
    return RawEvent(raw.where, front, body, body_line, raw.digest), []


@dataclass(frozen=True)
class RawSource:
    where: Location
    data: YValue | None
    snapshot: str | None
    digest: str = ""  # of the source file's and its snapshot's digests
    reuse: Source | None = None  # validated by an earlier build from the same files


@dataclass
class RawContent:
    site: YValue | None = None
    site_where: Location | None = None
    site_digest: str = ""  # part of the cache key of every validated entry: the policy lives there
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
    control = (CONTROL_IN_SNAPSHOTS if path.endswith(".txt") else CONTROL).search(text)
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
            after = lines[index + 1] if index + 1 < len(lines) else ""
            before = lines[index - 1] if index > 1 else ""
            if after[:1] in (" ", "\t") and before[:1] in (" ", "\t") and after.strip() and before.strip():
                # Indented on both sides: a '---' line inside a value (a summary written with |),
                # which would end the front matter there and leave the rest of the value as text.
                return Problem(Location(path, index + 1), "a line '---' inside a value ends the front matter here",
                               "indent it like the rest of the value, or write it otherwise (e.g. —)")
            return front, 2, body, index + 2
    return Problem(
        Location(path, 1),
        "the front matter is never closed",
        "add a line '---' after the last key (sources: …), before the text",
    )


class _Reader:
    """Reads files under one project folder and names them relative to it.

    With a build cache it also remembers each file's digest beside its size, times and inode, so
    that the next build can tell an unchanged file from its metadata alone and never read it.
    """

    def __init__(self, root: Path, problems: list[Problem], memo: FileMemo | None = None):
        self.root = root
        self.prefix = os.path.join(str(root), "") if str(root) != "." else ""
        self.problems = problems
        self.memo = memo

    def name(self, path: Path | str) -> str:
        """The path as the editor sees it; characters that would break a report line are escaped."""
        text = os.fspath(path)
        if os.sep == "/" and text.startswith(self.prefix) and ".." not in text:
            shown = text[len(self.prefix):]  # the common case, without pathlib's cost
        else:
            try:
                shown = Path(text).relative_to(self.root).as_posix()
            except ValueError:
                shown = Path(text).as_posix()
        if shown.isascii() and shown.isprintable():  # the common case: nothing to escape
            return shown
        return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"),
                                shown)

    def known_digest(self, path: str) -> str | None:
        """The digest of a file the cache saw with exactly this size, mtime, ctime and inode; else None."""
        if self.memo is None:
            return None
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return self.memo.file_digest(path, _signature(info))

    def text_and_digest(self, path: Path | str) -> tuple[str | None, str]:
        """The file's text (None after a problem) and a digest of its name and bytes."""
        name = self.name(path)
        try:
            # O_NOFOLLOW refuses a symbolic link; O_NONBLOCK keeps a named pipe from hanging the build.
            handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            if os.path.islink(path):
                self.problems.append(
                    Problem(Location(name), "symbolic links are not allowed in content/", "copy the file in instead"))
            else:
                self.problems.append(Problem(Location(name), f"cannot read the file: {error.strerror}"))
            return None, ""
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                self.problems.append(Problem(Location(name), "this is not a regular file",
                                             "replace it with an ordinary text file"))
                return None, ""
            size = info.st_size
            limit = MAX_BYTES.get(os.path.splitext(path)[1], 1_000_000)
            if size > limit:
                self.problems.append(Problem(
                    Location(name), f"the file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB",
                    "an event is a few paragraphs: keep long documents as a source's .txt snapshot"))
                return None, ""
            with os.fdopen(handle, "rb", closefd=False) as stream:
                data = stream.read(limit + 1)
        except OSError as error:
            self.problems.append(Problem(Location(name), f"cannot read the file: {error.strerror}"))
            return None, ""
        finally:
            os.close(handle)
        file_digest = digest(name, data)
        if self.memo is not None:
            # The metadata was taken before the bytes were read: a write in between changes it,
            # so the next build reads the file again rather than trusting this digest.
            self.memo.remember_file(os.fspath(path), _signature(info), file_digest)
        text, problems = decode_text(data, name)
        self.problems.extend(problems)
        return text, file_digest


def file_stem(path: str) -> str:
    """The file name without its extension: a source's id (Path(path).stem, without the object)."""
    return os.path.splitext(os.path.basename(path))[0]


def _signature(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def load_content(content_dir: Path, memo: FileMemo | None = None) -> RawContent:
    """Read content/site.yaml, content/events/*.md and content/sources/*.yaml (+ .txt snapshots).

    With `memo` (the build cache), a file whose metadata and digest the cache knows, and which
    was valid last time with everything it depends on unchanged, is not read again: its entry
    comes back validated from the cache (`reuse`), and validate.py takes it as it is.
    """
    raw = RawContent()
    reader = _Reader(content_dir.parent, raw.problems, memo)
    if not content_dir.is_dir():
        raw.problems.append(Problem(Location(reader.name(content_dir)), "the content folder does not exist"))
        return raw

    site_path = content_dir / "site.yaml"
    raw.site_where = Location(reader.name(site_path), 1)
    if site_path.is_file():
        text, raw.site_digest = reader.text_and_digest(site_path)
        if text is not None:
            raw.site, problems = parse_yaml(text, reader.name(site_path))
            raw.problems.extend(problems)
    else:
        raw.problems.append(
            Problem(raw.site_where, "site.yaml is missing", "create it with title:, description:, base_url:, language:")
        )
    scope = raw.site_digest if memo is not None and raw.site is not None else None

    _check_top_level(content_dir, reader)
    snapshots = {}
    source_files = _files(content_dir / "sources", (".yaml", ".txt"), reader, "a source (.yaml) or snapshot (.txt)")
    stems = {path: file_stem(path) for path in source_files}
    yaml_stems = {stems[path] for path in source_files if path.endswith(".yaml")}
    for path in source_files:
        if not path.endswith(".txt"):
            continue
        if stems[path] not in yaml_stems:
            raw.problems.append(
                Problem(
                    Location(reader.name(path)),
                    "this snapshot has no source file beside it",
                    f"add {stems[path]}.yaml with url:, title:, publisher:, published:",
                )
            )
        snapshots[stems[path]] = path
    source_digests: dict[str, str] = {}
    for path in source_files:
        if not path.endswith(".yaml"):
            continue
        stem = stems[path]
        name = reader.name(path)
        snapshot_path = snapshots.get(stem)
        if scope is not None and memo is not None:
            known = reader.known_digest(path)
            known_snapshot = reader.known_digest(snapshot_path) if snapshot_path else ""
            if known and known_snapshot is not None:
                source_digest = digest("source", known, known_snapshot)
                reused = memo.get(("source", scope, source_digest))
                if reused is not None:
                    raw.sources.append(RawSource(Location(name, 1), None, None, source_digest, reused))
                    source_digests[stem] = source_digest
                    continue
        text, yaml_digest = reader.text_and_digest(path)
        if text is None:
            continue
        snapshot, snapshot_digest = reader.text_and_digest(snapshot_path) if snapshot_path else (None, "")
        source_digest = digest("source", yaml_digest, snapshot_digest)
        # Read, but valid before from the same bytes (a fresh checkout, a cache restored in CI).
        reused = memo.get(("source", scope, source_digest)) if scope is not None and memo is not None else None
        if reused is not None:
            raw.sources.append(RawSource(Location(name, 1), None, None, source_digest, reused))
            source_digests[stem] = source_digest
            continue
        data, problems = parse_yaml(text, name, 1)
        raw.problems.extend(problems)
        if not problems:
            raw.sources.append(RawSource(Location(name, 1), data, snapshot, source_digest))
            source_digests[stem] = source_digest

    event_files = _files(content_dir / "events", ".md", reader, "an event (events end in .md)")
    if not event_files and not (content_dir / "events").is_symlink():
        raw.problems.append(Problem(
            Location(reader.name(content_dir / "events")), "there are no events",
            "an empty site would replace the published one: add content/events/<date>-<slug>.md "
            "(python build.py new …)"))
    def reusable(file_digest: str | None) -> Event | None:
        """The event validated before from a file with this digest, if every source it lists still
        has the digest it had then."""
        stored = memo.get(("event", scope, file_digest)) if file_digest and scope is not None and memo is not None else None
        return stored[1] if stored is not None and all(source_digests.get(i) == d for i, d in stored[0]) else None

    for path in event_files:
        name = reader.name(path)
        known = reader.known_digest(path) if scope is not None and memo is not None else None
        if (event := reusable(known)) is not None:  # not even read: its metadata is as last time
            raw.events.append(RawEvent(Location(name, 1), None, "", 0, known or "", event))
            continue
        text, file_digest = reader.text_and_digest(path)
        if text is None:
            continue
        if (event := reusable(file_digest)) is not None:  # read, but valid before from the same bytes
            raw.events.append(RawEvent(Location(name, 1), None, "", 0, file_digest, event))
            continue
        raw.events.append(RawEvent(Location(name, 1), None, "", 0, file_digest, text=text))  # parse_event
    return raw


def _check_top_level(content_dir: Path, reader: _Reader) -> None:
    """content/ holds site.yaml, events/ and sources/: anything else would be silently ignored."""
    for path in sorted(content_dir.iterdir()):
        if path.name.startswith(".") or path.name in ("site.yaml", "events", "sources"):
            continue
        hint = did_you_mean(path.name, ("site.yaml", "events", "sources")) or "move it out of content/"
        reader.problems.append(Problem(Location(reader.name(path)), "this is not part of the content, so it "
                                       "would be ignored: content/ holds site.yaml, events/ and sources/", hint))


def _files(folder: Path, suffixes: str | tuple[str, ...], reader: _Reader, expected: str | None) -> list[str]:
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
    wanted_suffixes = (suffixes,) if isinstance(suffixes, str) else suffixes
    with os.scandir(folder) as entries:  # the file types come with the listing: no stat per file
        listing = sorted(entries, key=lambda entry: entry.name)
    for entry in listing:
        if entry.name.startswith("."):
            if expected and entry.name.endswith(wanted_suffixes):
                # ".2024-12-12-x.md" looks like an event and would silently be left out.
                reader.problems.append(Problem(Location(reader.name(entry.path)), "this file name starts with a "
                                               "dot, so it would be ignored", f"rename it to {entry.name.lstrip('.')}"))
            continue  # editors' and systems' hidden files (.DS_Store, .gitkeep)
        path = entry.path  # a string: at thousands of files, pathlib's objects cost more than the reading
        wanted = entry.name.endswith(wanted_suffixes)  # as splitext would tell, at a fraction of the cost
        if wanted and (entry.is_symlink() or entry.is_file()):  # a symlink is refused when read
            found.append(path)
        elif wanted and not entry.is_dir() and expected:
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


def symbolic_links(folder: Path, shown_as: str) -> list[Problem]:
    """Every symbolic link under `folder` (templates/, static/), as a problem: a link can lead
    anywhere, and what static/ holds is published (a link to /etc/passwd once was). content/
    refuses links as it reads."""
    problems = []
    if folder.is_symlink():
        return [Problem(Location(shown_as), f"symbolic links are not allowed: {shown_as} is one",
                        "make it a real folder")]
    for root, folders, files in os.walk(folder):  # never follows a link into a folder
        for name in sorted(folders + files):
            path = Path(root, name)
            if path.is_symlink():
                shown = f"{shown_as}/{path.relative_to(folder).as_posix()}"
                problems.append(Problem(Location(shown), f"symbolic links are not allowed in {shown_as}/",
                                        "copy the file into the folder instead of linking to it"))
    return problems


def load_static(static_dir: Path) -> dict[str, bytes]:
    """Every file under static/, keyed by its output path (static/...), copied as is. A symbolic
    link is never followed (symbolic_links() has reported it)."""
    if not static_dir.is_dir() or static_dir.is_symlink():
        return {}
    found = {}
    for root, _, files in os.walk(static_dir):
        for name in files:
            path = Path(root, name)
            if not name.startswith(".") and not path.is_symlink() and path.is_file():
                found[f"static/{path.relative_to(static_dir).as_posix()}"] = path.read_bytes()
    return dict(sorted(found.items()))
