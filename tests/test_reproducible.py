"""Reproducible builds: the same content gives the same bytes, wherever and whenever it is built.

The project's own content/ is copied into two different folders and built in two processes that
differ in everything that should not matter: the folder, the working directory, the time (the
second starts more than a second later), the time zone and the hash seed. The sites must be
byte-identical and name neither folder. The site shows no build date: a build under a clock set
years ahead gives the same bytes, and SOURCE_DATE_EPOCH (the reproducible-builds convention)
changes nothing; were a build date ever shown, it would have to come from SOURCE_DATE_EPOCH.

Note: the content itself contains today's date on this machine (a claim review dated 2026-11-28),
so a plain search of the output for today's date cannot tell content from clock; the clock is
moved instead.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import tree

PROJECT = Path(__file__).resolve().parent.parent
FUTURE = datetime.datetime(2037, 3, 14, 15, 9, 26, tzinfo=datetime.UTC)  # the moved clock
EPOCHS = (1_700_000_000, 1_234_567_890)  # SOURCE_DATE_EPOCH values: 2023-11-14 and 2009-02-13

# Runs build.py's main() with every clock Python offers set to `fake` (seconds since 1970).
MOVED_CLOCK = r"""
import datetime, sys, time
FAKE = {fake!r}
_gmtime, _localtime, _ctime, _strftime = time.gmtime, time.localtime, time.ctime, time.strftime
time.time = lambda: FAKE
time.time_ns = lambda: int(FAKE * 1_000_000_000)
time.gmtime = lambda secs=None: _gmtime(FAKE if secs is None else secs)
time.localtime = lambda secs=None: _localtime(FAKE if secs is None else secs)
time.ctime = lambda secs=None: _ctime(FAKE if secs is None else secs)
time.strftime = lambda fmt, t=None: _strftime(fmt, _localtime(FAKE) if t is None else t)

class MovedDateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(FAKE, tz)
    @classmethod
    def utcnow(cls):
        return cls.fromtimestamp(FAKE, datetime.timezone.utc).replace(tzinfo=None)
    @classmethod
    def today(cls):
        return cls.fromtimestamp(FAKE)

class MovedDate(datetime.date):
    @classmethod
    def today(cls):
        return cls.fromtimestamp(FAKE)

datetime.datetime, datetime.date = MovedDateTime, MovedDate
sys.path.insert(0, {project!r})
from timeline.cli import main
sys.exit(main(sys.argv[1:]))
"""



def folders(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def build(source: Path, root: Path, env: dict | None = None, clock: datetime.datetime | None = None) -> Path:
    """Copy `source` (a content/ folder) under `root`, build it there in a new process; return the output."""
    shutil.copytree(source, root / "content")
    out = root / "_site"
    args = ["--content", str(root / "content"), "--out", str(out)]
    command = ([sys.executable, "-c", MOVED_CLOCK.format(fake=clock.timestamp(), project=str(PROJECT)), *args]
               if clock else [sys.executable, str(PROJECT / "build.py"), *args])
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=180, check=False,
                            env={**environment, **(env or {})})
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """The project's content/, copied once: every build here starts from the same bytes."""
    copy = tmp_path_factory.mktemp("pristine") / "content"
    shutil.copytree(PROJECT / "content", copy)
    return copy


@pytest.fixture(scope="module")
def first(content, tmp_path_factory) -> Path:
    return build(content, tmp_path_factory.mktemp("first"), {"TZ": "UTC", "PYTHONHASHSEED": "1"})


def test_two_builds_in_different_folders_at_different_times_are_byte_identical(content, first, tmp_path_factory):
    time.sleep(1.1)  # a later second, for anything that records the time
    second_root = tmp_path_factory.mktemp("second") / "a" / "deeper" / "folder"
    second = build(content, second_root, {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "2"})  # UTC+14: another date

    assert folders(second) == folders(first)
    a, b = tree(first), tree(second)
    assert sorted(a) == sorted(b)
    differing = [path for path in a if a[path] != b[path]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"
    assert len(a) > 20  # the real site, not an empty one

    # Nothing names the folders it was built in or from, the project, or the home folder.
    for needle in {str(first.parent), str(second_root), str(PROJECT), str(Path.home())}:
        named = [path for path, data in a.items() if os.fsencode(needle) in data]
        named += [path for path, data in b.items() if os.fsencode(needle) in data]
        assert not named, f"{needle} is written in {named[:5]}"


def test_a_second_build_into_the_same_folder_is_byte_identical(first):
    """The second build uses the build cache and keeps unchanged pages: the bytes are the same."""
    before = tree(first)
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--content", str(first.parent / "content"),
                             "--out", str(first)], capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    assert tree(first) == before


def test_the_site_shows_no_build_date(content, first, tmp_path_factory):
    """Built with the clock 11 years ahead: the same bytes, and the moved date appears nowhere."""
    moved = tree(build(content, tmp_path_factory.mktemp("moved"), {"TZ": "UTC"}, clock=FUTURE))
    assert moved == tree(first)
    shown = [FUTURE.strftime(f) for f in ("%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%B %d, %Y", "%-d %B %Y", "%Y/%m/%d")]
    for path, data in moved.items():
        text = data.decode("utf-8", "replace")
        assert not any(date in text for date in shown + ["2037"]), f"{path} shows the build date"


def test_source_date_epoch_sets_any_build_date(content, first, tmp_path_factory):
    """With SOURCE_DATE_EPOCH set the clock never matters; any difference it makes is its own date."""
    epoch = {"SOURCE_DATE_EPOCH": str(EPOCHS[0]), "TZ": "UTC"}
    now = tree(build(content, tmp_path_factory.mktemp("epoch-now"), epoch))
    moved = tree(build(content, tmp_path_factory.mktemp("epoch-moved"), epoch, clock=FUTURE))
    assert moved == now
    other = tree(build(content, tmp_path_factory.mktemp("epoch-other"), {"SOURCE_DATE_EPOCH": str(EPOCHS[1]), "TZ": "UTC"}))
    assert sorted(other) == sorted(now)
    date = datetime.datetime.fromtimestamp(EPOCHS[0], datetime.UTC).strftime("%Y-%m-%d")
    for path in now:
        if now[path] != other[path]:
            assert date.encode() in now[path], f"{path} differs with SOURCE_DATE_EPOCH but does not show its date"
    # Today the site shows no build date at all, so SOURCE_DATE_EPOCH changes nothing.
    assert now == tree(first)
