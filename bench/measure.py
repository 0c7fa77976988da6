"""Measuring one child process: wall time, CPU time and peak memory of its whole process tree.

Used by bench/run.py (and, through it, bench/floor.py); see run.py's docstring for what the memory
figures mean.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.05  # seconds between samples of the process tree's memory


@dataclass
class Measure:
    wall_s: float
    cpu_s: float  # user + system, of the whole process tree
    max_proc_mib: float  # ru_maxrss from wait4: the largest process of the tree
    tree_mib: float  # the largest sampled sum of RSS over the tree
    status: int
    others_cores: float = 0.0  # CPU used meanwhile by everything else on the machine, in cores
    # The largest sampled sum of PSS over the tree: pages shared by forked workers (copy-on-write)
    # counted once, split between the processes that share them: the memory the build really takes.
    tree_pss_mib: float = 0.0

    @property
    def peak_mib(self) -> float:
        """The memory the build takes: its tree's PSS, never less than its largest process."""
        return max(self.max_proc_mib, self.tree_pss_mib or self.tree_mib)

    def then(self, other: Measure) -> Measure:
        """This build and `other`, run one after the other, as one: times add up, memory is the larger peak."""
        wall = self.wall_s + other.wall_s
        others = (self.others_cores * self.wall_s + other.others_cores * other.wall_s) / wall if wall else 0.0
        return Measure(wall, self.cpu_s + other.cpu_s, max(self.max_proc_mib, other.max_proc_mib),
                       max(self.tree_mib, other.tree_mib), self.status or other.status, others,
                       max(self.tree_pss_mib, other.tree_pss_mib))


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / ticks, idle / ticks


def wait_until_idle(limit: float, threshold: float = 0.3) -> float:
    """Wait (at most `limit` seconds) until other work uses less than `threshold` cores for 2 s in a row.

    Returns the seconds waited."""
    started = time.perf_counter()
    quiet = 0
    while time.perf_counter() - started < limit:
        busy0, _ = machine_cpu()
        time.sleep(1)
        busy1, _ = machine_cpu()
        quiet = quiet + 1 if busy1 - busy0 < threshold else 0
        if quiet >= 2:
            break
    return time.perf_counter() - started


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, resident pages), from /proc/*/stat."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2:].split()
        # After "pid (comm) ": state ppid pgrp session … ; rss is the 24th field of the line.
        table[int(entry)] = (int(fields[1]), int(fields[21]))
    return table


def _tree_rss_mib(root: int) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) over the process tree of `root`, in MiB."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, pss_kib, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            total += table[pid][1]
            pss_kib += _pss_kib(pid)
            todo.extend(children.get(pid, ()))
    return total * PAGE / 2**20, pss_kib / 1024


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:  # the process ended meanwhile
        pass
    return 0


def measure(command: list[str], log: Path, cwd: Path = PROJECT, env: dict | None = None) -> Measure:
    """Run `command`, its output into `log`; wall time, CPU time and peak memory of its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        busy_before, _ = machine_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        peak = [0.0, 0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY):
                try:
                    rss, pss = _tree_rss_mib(process.pid)
                    peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                except (OSError, ValueError, IndexError):
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        busy_after, _ = machine_cpu()
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (busy_after - busy_before) - cpu) / wall if wall > 0 else 0.0
    return Measure(wall, cpu, usage.ru_maxrss / 1024, peak[0], process.returncode, others, peak[1])


def check(result: Measure, what: str, log: Path) -> Measure:
    if result.status != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise SystemExit(f"{what} failed (exit status {result.status}); the end of {log}:\n" + "\n".join(tail))
    return result
