"""SIGKILL at any moment of a build: _site/ is always the complete old site or the complete new one.

Each case builds content A into _site/, then runs a build of content B in a new process that
kills itself with SIGKILL at one exact point (a function of the pipeline wrapped by a small
prelude: during load, validation, rendering, writing the staging folder, the search index, the
swap, the clean-up). The state the kill left is checked as it is on disk; then a normal build must
finish cleanly. Where renameat2(RENAME_EXCHANGE) is missing, the swap is two renames, and a kill
between them leaves no _site/ at all: there the promise is that recover(), which every build runs
first, restores a complete site.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SITE_YAML, SOURCE_YAML, tree, write_files

import timeline.cli
from timeline.processes import PARALLEL_FROM
from timeline.write import recover

pytestmark = pytest.mark.slow  # dozens of builds killed and rebuilt: CI runs them, `scripts/test --fast` does not

PROJECT = Path(__file__).resolve().parent.parent
KILLED = -9  # subprocess's return code for a process ended by SIGKILL


def content(title: str) -> dict[str, str]:
    event = ("---\ntitle: {title}\ndate: '{date}'\ntags: [pardon]\nsources:\n  - id: example-statement\n"
             "    quote: Something happened on this day.\n---\n{title}: something happened on this day.[^example-statement]\n")
    return {
        "content/site.yaml": SITE_YAML,
        "content/sources/example-statement.yaml": SOURCE_YAML,
        "content/sources/example-statement.txt": "Something happened on this day. Nothing else did.\n",
        "content/events/2024-12-12-something-happened.md": event.format(title=f"{title} one", date="2024-12-12"),
        "content/events/2024-12-13-something-else.md": event.format(title="Unchanged two", date="2024-12-13"),
    }


OLD, NEW = content("Old"), content("New")

# Runs in the killed process: wraps one function so that its Nth call kills the process.
PRELUDE = r"""
import os, pathlib, pickle, signal, subprocess, sys, tempfile, threading
sys.path.insert(0, {project!r})
import jinja2
import timeline.cli, timeline.load, timeline.markup, timeline.validate, timeline.write

BUILD = os.getpid()

def die():  # the build, also from a process it forked (the search indexer runs in one)
    os.kill(BUILD, signal.SIGKILL)

def on_call(owner, name, nth=1, after=False, when=None, action=die):
    original = getattr(owner, name)
    seen = 0
    def wrapper(*args, **kwargs):
        nonlocal seen
        hit = False
        if when is None or when(*args, **kwargs):
            seen += 1
            hit = seen == (nth() if callable(nth) else nth)
        if hit and not after:
            action()
        result = original(*args, **kwargs)
        if hit:
            die()
        return result
    setattr(owner, name, wrapper)

written = [{files_in_new_site}]  # how many files the new site has (a few of them linked, not written)

def in_staging(path, *args, **kwargs):
    return ".new-" in str(path)

def by_rmtree(*args, **kwargs):  # removing the old site, not old search shards in the build cache
    fd = kwargs.get("dir_fd")
    return fd is not None and ".timeline-cache" not in os.readlink(f"/proc/self/fd/{{fd}}")

def pagefind(*args, **kwargs):
    return "pagefind" in str(args[0] if args else kwargs.get("args"))

def kill_soon():
    threading.Timer(0.05, die).start()

if {fallback!r}:
    timeline.write._exchange = lambda a, b: False
{install}
sys.exit(timeline.cli.main(sys.argv[1:]))
"""

# (id, the wrapping, fallback swap?, is there an old site (True), and a spare one ("spare")?, the site the kill must leave: old, new, or missing)
POINTS = [
    ("load:first-file", "on_call(timeline.load, 'decode_text', 1)", False, True, "old"),
    ("load:third-file", "on_call(timeline.load, 'decode_text', 3)", False, True, "old"),
    ("validate:first-event", "on_call(timeline.validate, '_event', 1)", False, True, "old"),
    ("render:second-markdown", "on_call(timeline.markup.MarkdownRenderer, 'render', 2)", False, True, "old"),
    ("render:third-template", "on_call(jinja2.Template, 'render', 3)", False, True, "old"),
    ("write:staging-folder-made", "on_call(timeline.write, '_staging', 1, after=True)", False, True, "old"),
    ("write:first-file", "on_call(timeline.write, '_write_file', 1, when=in_staging)", False, True, "old"),
    ("write:partway-through-the-files", "on_call(timeline.write, '_write_file', lambda: written[0] // 4, when=in_staging)",
     False, True, "old"),
    ("write:every-file-written", "on_call(timeline.write.SiteWriter, 'finish', 1)", False, True, "old"),
    ("write:linking-an-unchanged-page", "on_call(os, 'link', 1)", False, True, "old"),
    ("write:updating-the-spare-site", "on_call(os, 'unlink', 2, when=in_staging)", False, "spare", "old"),
    ("write:spare-site-taken", "on_call(timeline.write, '_staging', 1, after=True)", False, "spare", "old"),
    ("swap:after-exchange-from-the-spare", "on_call(timeline.write, '_exchange', 1, after=True)", False, "spare", "new"),
    ("swap:keeping-the-old-site-as-spare", "on_call(os, 'rename', 1, when=lambda a, b: '.spare-' in str(b))",
     False, "spare", "new"),
    ("swap:before", "on_call(timeline.write, '_swap_in', 1)", False, True, "old"),
    ("swap:before-exchange", "on_call(timeline.write, '_exchange', 1)", False, True, "old"),
    ("swap:after-exchange", "on_call(timeline.write, '_exchange', 1, after=True)", False, True, "new"),
    ("cleanup:removing-the-old-site", "on_call(os, 'unlink', 3, when=by_rmtree)", False, "no-cache", "new"),
    ("cache:saving", "on_call(pickle, 'dump', 1, when=lambda data, *rest, **options: isinstance(data, dict))", False, True,
     "new"),  # the build cache's state, not Jinja's compiled templates (it pickles their checksums)
    ("first-build:before-rename", "on_call(os, 'rename', 1)", False, False, "missing"),
    ("first-build:after-rename", "on_call(os, 'rename', 1, after=True)", False, False, "new"),
    ("fallback:before-first-rename", "on_call(os, 'rename', 1)", True, True, "old"),
    ("fallback:between-the-renames", "on_call(os, 'rename', 1, after=True)", True, True, "missing"),
    ("fallback:after-second-rename", "on_call(os, 'rename', 2, after=True)", True, True, "new"),
    ("fallback:removing-the-old-site", "on_call(os, 'unlink', 3, when=by_rmtree)", True, True, "new"),
]
if "index_for_search" in vars(timeline.cli):  # the Pagefind index, written into the staging folder
    POINTS[10:10] = [
        ("write:before-search-index", "on_call(subprocess, 'Popen', 1, when=pagefind)", False, True, "old"),
        ("write:during-search-index", "on_call(subprocess, 'Popen', 1, when=pagefind, action=kill_soon)",
         False, True, "old"),
    ]
OUTCOMES: dict[str, str] = {}
SITES: dict[str, dict[str, bytes]] = {}  # the sites fixture's, for the prelude's file count



def write(project: Path, files: dict[str, str]) -> None:
    if (project / "content").exists():
        shutil.rmtree(project / "content")
    write_files(project, files)


def build_args(project: Path) -> list[str]:
    return ["--content", str(project / "content"), "--out", str(project / "_site")]


def normal_build(project: Path) -> None:
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), *build_args(project)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def killed_build(project: Path, install: str, fallback: bool, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    prelude = PRELUDE.format(project=str(PROJECT), fallback=fallback, install=install,
                             files_in_new_site=len(SITES.get("new", ())) or 10)
    return subprocess.run([sys.executable, "-c", prelude, *build_args(project), *extra],
                          check=False, capture_output=True, text=True, timeout=120)


def wait_for_orphans(project: Path, timeout: float = 60) -> None:
    """A killed build's own children (the Pagefind indexer) may outlive it: wait until they end."""
    needle = os.fsencode(project)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as file:
                    alive = alive or needle in file.read()
            except OSError:
                continue
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"a process of the killed build still runs on {project} after {timeout} s")


CACHE = ".timeline-cache"  # the build cache, beside the output folder


def leftovers(project: Path) -> list[str]:
    """What a build left beside the output, other than the output, the build cache's own file, its
    store of search shards and the one spare site (the previous site, kept for the next build to update)."""
    spares = [p.name for p in project.iterdir() if p.name.startswith("._site.spare-")]
    assert len(spares) <= 1, spares
    found = sorted(p.name for p in project.iterdir() if p.name not in ("content", "_site", CACHE, *spares))
    if (project / CACHE).is_dir():
        found += sorted(f"{CACHE}/{p.name}" for p in (project / CACHE).iterdir() if p.name not in ("cache.pickle", "search"))
    if (project / CACHE / "search").is_dir():  # the search index's shards, each complete or named .partial-
        found += sorted(f"{CACHE}/search/{p.name}" for p in (project / CACHE / "search").iterdir()
                        if p.name.startswith("."))
    return found


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The complete old and new sites, each built normally."""
    found = {}
    for name, files in (("old", OLD), ("new", NEW)):
        project = tmp_path_factory.mktemp(name)
        write(project, files)
        normal_build(project)
        found[name] = tree(project / "_site")
    assert found["old"] != found["new"] and found["old"] and found["new"]
    SITES.update(found)
    return found


@pytest.mark.parametrize("point, install, fallback, has_old, expected", [pytest.param(*p, id=p[0]) for p in POINTS])
def test_a_kill_leaves_the_old_or_the_new_site_whole(point, install, fallback, has_old, expected, sites, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    if has_old:
        write(project, OLD)
        normal_build(project)
        if has_old == "spare":
            normal_build(project)  # now the site before is kept as a spare: the killed build updates it
            assert [p for p in project.iterdir() if p.name.startswith("._site.spare-")]
        assert tree(project / "_site") == sites["old"]
    write(project, NEW)

    # Without a cache there is no spare: the old site is deleted after the swap.
    result = killed_build(project, install, fallback, ("--no-cache",) if has_old == "no-cache" else ())
    assert result.returncode == KILLED, f"the kill point was not reached (exit {result.returncode}):\n{result.stderr}"
    wait_for_orphans(project)

    site = project / "_site"
    state = "missing" if not site.exists() else next((k for k, v in sites.items() if tree(site) == v), "broken")
    OUTCOMES[point] = state
    assert state != "broken", f"_site/ is neither the old nor the new site: {sorted(tree(site))[:10]}"
    assert all(name.startswith(("._site.new-", "._site.old", f"{CACHE}/")) for name in leftovers(project)), leftovers(project)
    if state == "missing" and has_old:
        assert fallback, "with an atomic exchange, _site/ must never be missing"
        assert (project / "._site.old").is_dir(), "the old site is gone"
        recover(site)  # what the next build does first
        assert tree(site) in (sites["old"], sites["new"])
        OUTCOMES[point] += f" → after recover(): {'old' if tree(site) == sites['old'] else 'new'}"
    assert state == expected

    normal_build(project)  # the next build mends whatever the kill left
    assert tree(site) == sites["new"]
    assert leftovers(project) == []


@pytest.mark.parametrize("second_kill, expected", [("on_call(os, 'rename', 1)", "missing"),
                                                   ("on_call(os, 'rename', 1, after=True)", "old")],
                         ids=["recover:before-its-rename", "recover:after-its-rename"])
def test_a_kill_while_recovering_from_a_kill_still_recovers(second_kill, expected, sites, tmp_path, request):
    """Killed between the two renames, then killed again in the next build's recover()."""
    project = tmp_path / "project"
    project.mkdir()
    write(project, OLD)
    normal_build(project)
    write(project, NEW)
    assert killed_build(project, "on_call(os, 'rename', 1, after=True)", fallback=True).returncode == KILLED
    assert not (project / "_site").exists() and (project / "._site.old").is_dir()

    assert killed_build(project, second_kill, fallback=False).returncode == KILLED
    site = project / "_site"
    state = "missing" if not site.exists() else ("old" if tree(site) == sites["old"] else "broken")
    OUTCOMES[request.node.callspec.id] = state
    assert state == expected
    recover(site)
    assert tree(site) == sites["old"]
    normal_build(project)
    assert tree(site) == sites["new"] and leftovers(project) == []


def test_the_kill_points_are_counted():
    points = [p[0] for p in POINTS] + ["recover:before-its-rename", "recover:after-its-rename"]
    assert len(points) >= 20
    print(f"\n{len(points)} kill points (the site each left):")
    for point in points:
        print(f"  {point}: {OUTCOMES.get(point, 'not run in this session')}")


# --- Issue 12: a killed build's child processes (the fork pool's workers, the Pagefind indexer)
# die with it instead of running on, holding the output open.

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dying with the parent is Linux-only")


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state letter, start time) from /proc/<pid>/stat, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            fields = file.read().rsplit(b")", 1)[1].split()  # after the name, which may hold spaces
    except OSError:
        return None
    return int(fields[1]), fields[0].decode(), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every process whose parent chain leads to `root`: {pid: start time}."""
    stats = {int(pid): _stat(int(pid)) for pid in filter(str.isdigit, os.listdir("/proc"))}
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
    found, todo = {}, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        stat = stats[pid]
        if stat is not None:
            found[pid] = stat[2]
            todo += children.get(pid, ())
    return found


def running(processes: dict[int, int]) -> list[int]:
    """Those of {pid: start time} that still run (the same processes, not a reused pid; not zombies)."""
    return [pid for pid, start in processes.items()
            if (stat := _stat(pid)) is not None and stat[2] == start and stat[1] != "Z"]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read()
    except OSError:
        return b""


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as file:
            return file.read().strip()
    except OSError:
        return ""


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    """A generated site with enough events for the renderer to fork its worker pool."""
    root = tmp_path_factory.mktemp("big")
    subprocess.run([sys.executable, str(PROJECT / "bench" / "generate.py"), str(2 * PARALLEL_FROM), str(root)],
                   check=True, capture_output=True, timeout=60)
    return root / "content"


@pytest.fixture
def started() -> Iterator[dict[int, int]]:
    """Where kill_the_build_while records what the build started; whatever of it still runs after the test is killed."""
    processes: dict[int, int] = {}
    yield processes
    for pid in running(processes):
        os.kill(pid, signal.SIGKILL)


def kill_the_build_while(content: Path, out: Path, extra: list[str], targets: Callable[[int, dict[int, int]], list[int]],
                         started: dict[int, int], resume: bool) -> None:
    """Start `build.py build`; once targets(build pid, {pid: start time} of its descendants) names
    some of them, stop those (SIGSTOP: then they cannot finish first, and are surely alive when
    their parent dies), kill -9 the build, and with `resume` let them go on (SIGCONT; else they
    stay stopped: SIGKILL ends a stopped process all the same). `started` receives every process
    the build had started."""
    build = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build", "--content", str(content),
                              "--out", str(out), "--no-cache", *extra],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (chosen := targets(build.pid, found := descendants(build.pid))):
            assert build.poll() is None, f"the build ended (exit {build.returncode}) before its children were seen"
            assert time.monotonic() < deadline, "the build's children were never seen"
            time.sleep(0.002)
        started.update(found)
        for pid in chosen:
            os.kill(pid, signal.SIGSTOP)
        started.update(descendants(build.pid))
        stopping = time.monotonic() + 5  # a signal takes effect a moment after it is sent
        while (states := [stat[1] if (stat := _stat(pid)) else "gone" for pid in chosen]) != ["T"] * len(chosen) \
                and "gone" not in states and time.monotonic() < stopping:
            time.sleep(0.002)
        assert set(states) == {"T"}, f"the children ended before they were stopped: {states}"
        assert build.poll() is None, "the build ended before it could be killed"
    finally:
        build.kill()
        build.wait(timeout=10)
    assert build.returncode == KILLED
    for pid in running({pid: started[pid] for pid in chosen}) if resume else ():
        os.kill(pid, signal.SIGCONT)  # as if they had only been descheduled while their parent died


def assert_all_end(started: dict[int, int], within: float = 5) -> None:
    deadline = time.monotonic() + within
    while (left := running(started)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not left, f"still running {within} s after their parent ended: " + \
        ", ".join(f"{pid} ({_comm(pid)})" for pid in left)


@linux_only
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the renderer forks no workers")
def test_a_killed_builds_workers_die_with_it(big_site, tmp_path, started):
    workers = min(os.cpu_count() or 1, 4) - 1  # one per core, the build's own process being one

    def the_workers(build: int, children: dict[int, int]) -> list[int]:
        forks = [pid for pid in children if _cmdline(pid) == _cmdline(build)]  # a fork keeps its parent's command
        return forks if len(forks) >= workers else []

    # Resumed: a worker may have been stopped before it could ask to die with its parent.
    kill_the_build_while(big_site, tmp_path / "_site", ["--no-search"], the_workers, started, resume=True)
    assert len(started) >= workers
    assert_all_end(started)


@linux_only
def test_a_killed_builds_search_indexer_dies_with_it(big_site, tmp_path, started):
    def the_indexer(build: int, children: dict[int, int]) -> list[int]:
        return [pid for pid in children if _comm(pid) == "pagefind"]  # Pagefind's own binary

    # Kept stopped: seen after its exec, the indexer has asked; left to run, it would end by itself
    # within the 5 s here (a few hundred pages), not in the minutes it takes at scale.
    kill_the_build_while(big_site, tmp_path / "_site", [], the_indexer, started, resume=False)
    assert_all_end(started)


GRANDCHILD = r"""
import os, sys, time
sys.path.insert(0, {project!r})
from timeline.processes import die_with_parent
parent = os.getpid()
child = os.fork()
if child == 0:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # let go of the output pipe: the test waits for it to close
        os.dup2(devnull, fd)
    while os.getppid() == parent:  # the parent ends before the child asks to die with it
        time.sleep(0.001)
    die_with_parent(parent)
    open({survived!r}, "w").close()
    time.sleep(30)
    os._exit(0)
print(child)
"""


@linux_only
def test_a_worker_whose_parent_ended_before_it_asked_ends_at_once(tmp_path, started):
    survived = tmp_path / "survived"
    result = subprocess.run([sys.executable, "-c", GRANDCHILD.format(project=str(PROJECT), survived=str(survived))],
                            check=True, capture_output=True, text=True, timeout=30)
    child = int(result.stdout)
    if (stat := _stat(child)) is not None:
        started[child] = stat[2]
    assert_all_end(started)
    assert not survived.exists()
