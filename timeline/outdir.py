"""The output folder is the tool's alone: which folders a build may replace, and one build at a time.

A build replaces its output folder whole (write.py), so it must never be given a folder that
holds anything else. It writes only into a folder that does not exist, is empty, or carries the
mark of an earlier build (MARK, a one-line file every build writes into the site); and never,
mark or not, into the folders a project or a person cannot lose: the content, templates and
static folders, the generator's own code, a Git repository, the home folder, `/`, or a folder
holding any of them. Folders beside the output (staging, spare, old) are deleted only when
named by the tool's own pattern and marked, or empty.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARK = ".timeline-site"
MARK_TEXT = b"Made by build.py, the fact-checked timeline generator: each build replaces this folder whole.\n"
LOCKS = ".timeline-cache"  # the lock of each output folder is kept here, beside it
CODE = Path(__file__).resolve().parent
OVERLAP_HINT = "choose a new or empty folder of its own, such as _site beside content/"
FOREIGN_HINT = "choose an empty or new folder, or delete it yourself if it is an old site"


class UnsafeOutput(Exception):
    """The output folder is not the tool's to replace: the build refuses before any work."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


class OutputBusy(Exception):
    """Another build or preview is writing the same output folder."""


def check_output_folder(out_dir: Path, content: Path, templates: Path, static: Path) -> Path:
    """Refuse an output folder a build must not replace; return it with its links resolved.

    Only reads: nothing is written, created or locked before the folder is accepted.
    """
    out = Path(os.path.realpath(out_dir))
    if ".git" in out.parts:
        where = "is a Git repository's .git folder" if out.name == ".git" else "is inside a .git folder"
        raise UnsafeOutput(f"--out {out_dir} {where}; refusing to write there", OVERLAP_HINT)
    for what, folder, inside_is_fine in _protected(content, templates, static):
        real = Path(os.path.realpath(folder))
        if out == real or out in real.parents or (not inside_is_fine and real in out.parents):
            raise UnsafeOutput(f"--out {out_dir} overlaps {what} {folder}; refusing to write there", OVERLAP_HINT)
    for name, what in ((".git", "a Git repository"), ("build.py", "a copy of this generator")):
        if os.path.lexists(out / name):
            raise UnsafeOutput(f"--out {out_dir} holds {name} ({what}); refusing to replace it", OVERLAP_HINT)
    if os.path.lexists(out) and not out.is_dir():
        raise UnsafeOutput(f"--out {out_dir} is a file, not a folder; refusing to replace it", FOREIGN_HINT)
    if not is_ours(out):
        raise UnsafeOutput(f"--out {out_dir} is not empty and was not made by this tool; refusing to replace it",
                           FOREIGN_HINT)
    return out


def _protected(content: Path, templates: Path, static: Path) -> list[tuple[str, Path, bool]]:
    """(what, folder, may the output be inside it?): the output may never be one, nor hold one."""
    try:
        home = [("the home folder", Path.home(), True)]
    except (KeyError, RuntimeError):  # no home folder known: nothing to protect there
        home = []
    return [("the root folder", Path("/"), True), *home,
            ("the project folder", content.parent, True),  # holds content/: the output may be inside
            ("the generator's folder", CODE.parent, True),
            ("the content folder", content, False), ("the templates folder", templates, False),
            ("the static folder", static, False), ("the generator's code", CODE, False)]


def is_ours(folder: Path | str) -> bool:
    """True when a build may replace `folder`: it does not exist, is empty, or carries the mark."""
    try:
        with os.scandir(folder) as entries:
            empty = next(entries, None) is None
    except FileNotFoundError:
        return True
    except NotADirectoryError:
        return False
    return empty or is_marked(folder)


def is_marked(folder: Path | str) -> bool:
    """True when `folder` holds the mark: a regular file (not a link) with exactly MARK_TEXT."""
    try:
        handle = os.open(os.path.join(folder, MARK), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(handle, "rb") as stream:
        return stat.S_ISREG(os.fstat(handle).st_mode) and stream.read(len(MARK_TEXT) + 1) == MARK_TEXT


def write_mark(folder: Path | str) -> None:
    """Put the mark in a folder this build made (a staging folder, or the preview's output)."""
    path = os.path.join(folder, MARK)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        handle = os.open(path, flags, 0o644)
    except FileExistsError:  # an old one, or something in its place: replaced, never written through
        os.unlink(path)
        handle = os.open(path, flags, 0o644)
    with os.fdopen(handle, "wb") as stream:
        stream.write(MARK_TEXT)


def leftover_pattern(out_dir: Path, kind: str) -> re.Pattern[str]:
    """The names of the folders a build leaves beside `out_dir`: `.<name>.new-<id>` (staging),
    `.<name>.spare-<id>` (the site before, kept for reuse) or `.<name>.old` (mid-swap)."""
    suffix = "" if kind == "old" else r"-[0-9A-Za-z_]+"
    return re.compile(re.escape(f".{out_dir.name}.{kind}") + suffix)


def removable(path: Path, pattern: re.Pattern[str]) -> bool:
    """True when `path` may be deleted as a build's leftover: named by the tool's own pattern, a
    real folder (a link is never followed), and marked or empty. Anything else is someone's."""
    if not pattern.fullmatch(path.name):
        return False
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    return is_ours(path)


@contextmanager
def output_lock(out: Path, command: str, shown: Path) -> Iterator[None]:
    """Hold the lock of the output folder `out` (links resolved) while a build or preview writes it.

    The lock is `.timeline-cache/<name>.lock` beside the output, taken with flock: the kernel
    releases it when the process ends, however it ends. It holds the holder's pid and command,
    for the message another build gets. It is deleted on release, while still held; a build
    that opened the file before then finds, once it has the lock, that the path is no longer
    that file, and starts again.
    """
    path = out.parent / LOCKS / f"{out.name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _acquire(path, shown)
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()} {command}\n".encode())
        yield
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        os.close(handle)


def _acquire(path: Path, shown: Path) -> int:
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                os.close(handle)
                raise
            holder = _holder(handle)
            os.close(handle)
            raise OutputBusy(_busy_message(holder, shown)) from None
        try:
            same = os.path.samestat(os.fstat(handle), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return handle
        os.close(handle)  # released and deleted by its holder meanwhile: take the new one


def _holder(handle: int) -> tuple[str, str]:
    """The pid and command written in a held lock (its holder writes them just after locking)."""
    for _ in range(50):
        words = os.pread(handle, 200, 0).decode("ascii", "replace").split()
        if len(words) == 2 and words[0].isdigit():
            return words[0], words[1]
        time.sleep(0.01)
    return "", "build"


def _busy_message(holder: tuple[str, str], shown: Path) -> str:
    pid, command = holder
    who = f" (pid {pid})" if pid else ""
    if command == "serve":
        return f"a preview{who} is writing {shown}; stop it, or build into another --out"
    return f"another build{who} is writing {shown}; wait for it to finish"
