"""Stage 4: the one place that touches the output folder.

The new site is written into a hidden folder beside the output and swapped in only when every
file is on disk, so an error or a kill at any moment leaves the previous site whole. Every folder
it makes carries the mark (outdir.py); it replaces only an output folder that is absent, empty or
marked, and deletes beside it only the folders named and marked as its own.
"""

from __future__ import annotations

import ctypes
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from .outdir import (
    MARK,
    UnsafeOutput,
    is_marked,
    is_ours,
    leftover_pattern,
    removable,
    write_mark,
)
from .outputs import Generation, Unchanged

_RENAME_EXCHANGE = 2  # from <linux/fs.h>


class SiteWriter:
    """A new site, written file by file into a hidden staging folder, then swapped in whole.

    Pages are handed over as they are rendered, so a build never holds thousands of pages in
    memory at once; nothing shows at the output until finish() swaps the folder in. An exception
    inside `with SiteWriter(…)` (or abort()) removes the staging folder: the old site stays.

    With `spare` (what the folder kept by the build before last holds, by the cache's record),
    that folder is brought up to date instead of a new one made; with `keep_as` (the live site's
    generation id), the site that finish() swaps out is kept as the next spare.
    """

    def __init__(self, out_dir: Path, spare: Generation | None = None, keep_as: str | None = None):
        # A link to a folder is built through: its target is replaced, the link kept.
        self.out_dir = Path(os.path.realpath(out_dir))
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out_dir)
        self.staging, reusing = _staging(self.out_dir, spare)
        self.spare = spare if reusing else None
        self.keep_as = keep_as
        self.written: set[str] = set()
        self._root, self._live = str(self.staging), str(self.out_dir)  # plain strings: faster calls
        self._made: set[str] = set()
        index = os.path.join(self._root, "pagefind")
        if self.spare is not None and (os.path.islink(index) or not os.path.isdir(index)):
            # The spare's search index is left to finish()'s `finalize` to reuse: here, before
            # any indexer runs, whatever is there that is not a real folder is removed.
            _unlink(index)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is not None:
            self.abort()

    def put(self, relative: str, data: bytes | Unchanged) -> None:
        """One file of the new site. An `Unchanged` one is linked from the live site (which is
        never modified, so the link is as good as a copy), or left as it is in the spare."""
        self.written.add(relative)
        target = os.path.join(self._root, relative)
        parent = os.path.dirname(target)
        if parent not in self._made:  # in a spare, its folders are checked before its file is trusted
            _make_folder(parent, self._root, self.spare is not None, self._made)
        if self.spare is not None and isinstance(data, Unchanged) and self.spare.intact(relative, data.key, self._root):
            return
        if self.spare is not None and relative in self.spare.paths:
            # Never write into the old file: it may be a hard link shared with the live site.
            _unlink(target)
        if isinstance(data, Unchanged):
            _keep(os.path.join(self._live, relative), target)
        else:
            _write_file(target, data)

    def finish(self, finalize: Callable[[Path], None] | None = None) -> str | None:
        """Let `finalize` add to the folder (the search index: it also removes what the spare's
        index has that it does not keep), then swap it in.

        Returns the id under which the replaced site was kept as the spare, or None.
        """
        try:
            if self.spare is not None:
                for relative in self.spare.paths - self.written:
                    _remove(self._root, relative, self._made)
                if finalize is None:  # no search index: what the spare has of one goes (else
                    _unlink(os.path.join(self._root, "pagefind"))  # finalize keeps what is its own)
            if finalize is not None:
                finalize(self.staging)
            self.staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
            swapped = _swap_in(self.staging, self.out_dir)
            if swapped and self.keep_as:
                os.rename(self.staging, _spare_path(self.out_dir, self.keep_as))
                return self.keep_as
            return None
        finally:
            self.abort()  # the old site, when it is not kept; nothing once it was renamed

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_site(files: dict[str, bytes | Unchanged], out_dir: Path,
               finalize: Callable[[Path], None] | None = None,
               spare: Generation | None = None, keep_as: str | None = None) -> str | None:
    """All of a site at once through a SiteWriter: returns the id the old site was kept as, or None."""
    with SiteWriter(out_dir, spare, keep_as) as writer:
        for relative, data in files.items():
            writer.put(relative, data)
        return writer.finish(finalize)


def _staging(out_dir: Path, spare: Generation | None) -> tuple[Path, bool]:
    """The folder to build in: the spare, renamed to a staging name, when it is the one expected.

    Renamed first, so that a build killed while updating it leaves a staging folder, which the
    next build's recover() deletes, rather than a spare that no longer matches its record. Other
    spares are deleted, but only those named and marked as ours: a folder someone put there
    under a like name is left alone. A new staging folder is marked at once, so that whatever a
    killed build leaves is recognised as its own.
    """
    wanted = _spare_path(out_dir, spare.id) if spare else None
    pattern = leftover_pattern(out_dir, "spare")
    staging = None
    for found in out_dir.parent.glob(f".{out_dir.name}.spare-*"):
        if found == wanted and removable(found, pattern) and is_marked(found) and staging is None:
            staging = found.with_name(f".{out_dir.name}.new-{secrets.token_hex(4)}")
            os.rename(found, staging)
        else:
            _clear(found, pattern)
    if staging is not None:
        return staging, True
    made = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    write_mark(made)
    return made, False


def _spare_path(out_dir: Path, generation_id: str) -> Path:
    return out_dir.with_name(f".{out_dir.name}.spare-{generation_id}")


def _unlink(path: str) -> None:
    """Remove a file, a link (never what it points to) or a folder, if there is one."""
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except IsADirectoryError:  # a real folder (os.unlink removes a link to one)
        shutil.rmtree(path)


def _make_folder(folder: str, root: str, in_spare: bool, checked: set[str]) -> None:
    """Make `folder` under `root` (`checked`: the folders already made or looked at).

    In a spare, anything in the way that is not a real folder (a file, or a symbolic link that
    would lead the writes elsewhere) is removed first: the spare is the output of our own build,
    so only someone's hand can have put it there.
    """
    if folder == root or not folder.startswith(root + os.sep):
        return  # the staging folder itself: it exists
    if in_spare:
        parent = os.path.dirname(folder)
        if parent != root and parent not in checked:
            _make_folder(parent, root, True, checked)
        try:
            mode = os.lstat(folder).st_mode  # lstat: a link is not followed
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            checked.add(folder)
            return
        if mode is not None:
            os.unlink(folder)
    os.makedirs(folder, exist_ok=True)
    checked.add(folder)


def _write_file(path: str, data: bytes) -> None:
    try:
        stream = open(path, "xb")  # noqa: SIM115 — a new file, never through one that exists (it may be linked)
    except (FileExistsError, IsADirectoryError):
        _unlink(path)
        stream = open(path, "xb")  # noqa: SIM115 — closed by the with below
    with stream:
        stream.write(data)


def _remove(staging: str, relative: str, checked: set[str]) -> None:
    """Delete a file the new site no longer has, and the folders it leaves empty (its folders
    checked first, as for writing: a link in the spare must not lead the deletion elsewhere)."""
    target = os.path.join(staging, relative)
    _make_folder(os.path.dirname(target), staging, True, checked)
    _unlink(target)
    folder = os.path.dirname(relative)
    while folder:
        try:
            os.rmdir(os.path.join(staging, folder))
        except OSError:  # not empty
            return
        folder = os.path.dirname(folder)


def update_in_place(files: dict[str, bytes | Unchanged], out_dir: Path,
                    previous: frozenset[str] | None = None) -> None:
    """The preview's write: only what changed, straight into the output, and stale files removed.

    Not atomic, and it need not be: a reader of the preview reloads after every rebuild anyway,
    and at thousands of events the swap's new folder tree would cost more than the rebuild.
    `previous` is what the last call wrote there; without it, the whole folder is searched for
    files to remove (the first rebuild of a preview). The folder must be the tool's (new, empty
    or marked), and is marked before anything is written into it.
    """
    out_dir = Path(os.path.realpath(out_dir))
    if not is_ours(out_dir):
        raise UnsafeOutput(f"{out_dir} is not empty and was not made by this tool; refusing to write there")
    out_dir.mkdir(parents=True, exist_ok=True)
    if not is_marked(out_dir):
        write_mark(out_dir)
    for relative, data in files.items():
        if isinstance(data, Unchanged):
            continue
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)  # a page is never seen half-written
    root = str(out_dir)
    if previous is not None:
        checked: set[str] = set()
        for relative in sorted(previous - files.keys()):
            _remove(root, relative, checked)
        return
    for folder, folders, names in os.walk(root, topdown=False):  # children before their folders
        for name in names:  # files, and links (to files or folders: never followed)
            relative = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            if relative not in files and relative != MARK:
                os.unlink(os.path.join(folder, name))
        for name in folders:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.unlink(path)
            elif not os.listdir(path):
                os.rmdir(path)


def _keep(old: str, new: str) -> None:
    try:
        os.link(old, new)
    except FileExistsError:  # not where the spare's record says: replaced, never written through
        _unlink(new)
        os.link(old, new)
    except OSError:  # a file system without hard links
        shutil.copy2(old, new)


def _swap_in(staging: Path, out_dir: Path) -> bool:
    """Make `staging` the output folder. True when `staging` now holds the old site whole.

    The folder swapped out is checked once more first: what a build replaces (and then deletes
    or keeps as the spare) must be its own, even if someone put files there during the build.
    """
    if not is_ours(out_dir):
        raise UnsafeOutput(f"{out_dir} is not empty and was not made by this tool; refusing to replace it")
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return False
    if _exchange(staging, out_dir):
        return True
    # No atomic exchange on this system: two renames, with recover() mending the gap between them.
    old = out_dir.with_name(f".{out_dir.name}.old")
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step with Linux's renameat2(RENAME_EXCHANGE), where available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def recover(out_dir: Path) -> None:
    """Clear what an interrupted build left: staging folders, and a site caught mid-swap.

    Only folders named by the tool's own pattern and carrying its mark (or empty) are touched.
    """
    old = out_dir.with_name(f".{out_dir.name}.old")
    old_pattern = leftover_pattern(out_dir, "old")
    if not os.path.lexists(out_dir) and removable(old, old_pattern) and is_marked(old):
        os.rename(old, out_dir)  # the site, caught between the two renames of _swap_in
    else:
        _clear(old, old_pattern)
    pattern = leftover_pattern(out_dir, "new")
    for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        _clear(leftover, pattern)


def _clear(leftover: Path, pattern: re.Pattern[str]) -> None:
    """Delete a folder a build left beside the output, if it is one: named by the tool's pattern,
    a real folder, and marked (deleted whole) or empty (a build killed before marking it)."""
    if not removable(leftover, pattern):
        return
    if is_marked(leftover):
        shutil.rmtree(leftover, ignore_errors=True)
        return
    try:
        os.rmdir(leftover)  # only if it is still empty
    except OSError:
        pass
