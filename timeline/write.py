"""Stage 4: the one place that touches the output folder.

The new site is written into a hidden folder beside the output and swapped in only when every
file is on disk, so an error or a kill at any moment leaves the previous site whole.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

_RENAME_EXCHANGE = 2  # from <linux/fs.h>


@dataclass(frozen=True)
class Unchanged:
    """A file the previous build wrote from the same inputs: it is kept (linked), not written again."""

    key: str


class UnsafeOutput(Exception):
    """The output folder would overwrite or delete the content it is built from."""


def check_output_folder(out_dir: Path, protected: list[Path]) -> None:
    out = out_dir.resolve()
    for folder in protected:
        folder = folder.resolve()
        if out == folder or out in folder.parents or folder in out.parents:
            raise UnsafeOutput(f"the output folder {out_dir} overlaps {folder}: choose another --out")


def write_site(files: dict[str, bytes | Unchanged], out_dir: Path,
               finalize: Callable[[Path], None] | None = None) -> None:
    """Write every file, let `finalize` add to the folder (the search index), then swap it in.

    An `Unchanged` file is hard-linked from the current output: the old site is never modified,
    so the link is as good as a copy, and costs nothing.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        made: set[Path] = set()
        for relative, data in files.items():
            target = staging / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(data, Unchanged):
                _keep(out_dir / relative, target)
            else:
                target.write_bytes(data)
        if finalize is not None:
            finalize(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def update_in_place(files: dict[str, bytes | Unchanged], out_dir: Path) -> None:
    """The preview's write: only what changed, straight into the output, and stale files removed.

    Not atomic, and it need not be: a reader of the preview reloads after every rebuild anyway,
    and at thousands of events the swap's new folder tree would cost more than the rebuild.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for relative, data in files.items():
        if isinstance(data, Unchanged):
            continue
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)  # a page is never seen half-written
    for path in sorted(out_dir.rglob("*"), reverse=True):  # children before their folders
        relative = path.relative_to(out_dir).as_posix()
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif relative not in files:
            path.unlink()


def _keep(old: Path, new: Path) -> None:
    try:
        os.link(old, new)
    except OSError:  # a file system without hard links
        shutil.copy2(old, new)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the output folder; afterwards `staging` holds the old site (or nothing)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    # No atomic exchange on this system: two renames, with recover() mending the gap between them.
    old = out_dir.with_name(f".{out_dir.name}.old")
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step with Linux's renameat2(RENAME_EXCHANGE), where available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def recover(out_dir: Path) -> None:
    """Clear what an interrupted build left: staging folders, and a site caught mid-swap."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, out_dir)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
