#!/usr/bin/env python3
"""Where a build's time goes: one real build, in this process, with every stage timed.

    python bench/stages.py CONTENT_DIR [--warm] [--parallel] [--out DIR] [--json] [-- EXTRA BUILD ARGS]

It runs the project's own `timeline.cli.main(["build", "--content", CONTENT, "--out", OUT, ...])`
with timers wrapped around the functions the pipeline calls (nothing is re-implemented, so the
numbers stay true as the pipeline changes). Times are *exclusive*: a Markdown call made inside
render_site counts under Markdown, not under templates, so the stages add up to the total.

  load        timeline.load.load_content: reading, decoding, splitting (YAML parsing shown apart)
  validate    timeline.validate.validate (quote checks and the "is this source cited" scans apart)
  markdown    MarkdownRenderer.render/.plain: Python-Markdown, nh3 sanitising, citation links
  templates   Jinja2 Template.render, per template
  render      the rest of render_site: page views, JSON-LD, Timeline.citing_events, encoding
  exports     timeline.exports.render_exports (feeds, calendar, sitemap), when the pipeline calls it
  write       SiteWriter.put/.finish (write_site before): files into the staging folder, the swap
              (+ load_static, checks)
  search      the search index (timeline.search.index_for_search, Pagefind), when the build makes one

A wrapper is only installed where the name exists, so the script works before and after other
changes to the pipeline; anything not covered shows up as "other".
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_now() -> float:
    """CPU seconds used so far by this process and its finished child processes (Pagefind)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


class Timers:
    """Exclusive and inclusive time per stage name; a stack subtracts nested stages from their parent."""

    def __init__(self) -> None:
        self.exclusive: dict[str, float] = defaultdict(float)
        self.exclusive_cpu: dict[str, float] = defaultdict(float)
        self.inclusive: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.rss_after: dict[str, float] = {}
        self._children: list[list[float]] = []
        self.installed: list[str] = []
        self.enabled = True

    def wrap(self, fn, name, track_rss: bool = False):
        naming = name if callable(name) else (lambda *a, **k: name)

        def timed(*args, **kwargs):
            if not self.enabled:
                return fn(*args, **kwargs)
            stage = naming(*args, **kwargs)
            self._children.append([0.0, 0.0])
            start, start_cpu = time.perf_counter(), cpu_now()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed, elapsed_cpu = time.perf_counter() - start, cpu_now() - start_cpu
                nested, nested_cpu = self._children.pop()
                self.exclusive[stage] += elapsed - nested
                self.exclusive_cpu[stage] += elapsed_cpu - nested_cpu
                self.inclusive[stage] += elapsed
                self.calls[stage] += 1
                if self._children:
                    self._children[-1][0] += elapsed
                    self._children[-1][1] += elapsed_cpu
                if track_rss:
                    self.rss_after[stage] = rss_mib()

        timed.__wrapped__ = fn
        return timed

    def reset(self) -> None:
        for table in (self.exclusive, self.exclusive_cpu, self.inclusive, self.calls, self.rss_after):
            table.clear()

    def patch(self, module_name: str, attribute: str, name, track_rss: bool = False) -> bool:
        """Wrap module.attribute (or Class.method with 'Class.method') if it exists."""
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            return False
        *path, last = attribute.split(".")
        for part in path:
            owner = getattr(owner, part, None)
            if owner is None:
                return False
        original = getattr(owner, last, None)
        if original is None or not callable(original):
            return False
        setattr(owner, last, self.wrap(original, name, track_rss))
        self.installed.append(f"{module_name}.{attribute}")
        return True


def install(timers: Timers) -> None:
    p = timers.patch
    # Top-level stages, as cli.py calls them (patched in cli's namespace, where it looks them up).
    p("timeline.cli", "load_content", "load: read, decode, split", track_rss=True)
    p("timeline.load", "parse_yaml", "load: YAML")
    p("timeline.cli", "validate", "validate: fields, markers", track_rss=True)
    p("timeline.validate", "is_quoted_in", "validate: quotes vs snapshots")
    p("timeline.validate", "_is_cited", "validate: is-source-cited scans")
    p("timeline.validate", "_check_every_source_cited", "validate: is-source-cited scans")
    p("timeline.cli", "render_site", "render: views, JSON-LD, encode", track_rss=True)
    p("timeline.model", "Timeline.citing_events", "render: citing_events scans")
    p("timeline.render", "render_exports", "exports: feeds, calendar, sitemap")
    p("timeline.cli", "render_exports", "exports: feeds, calendar, sitemap")
    # Markdown, wherever it is called from (render_site, exports, ...).
    p("timeline.markup", "MarkdownRenderer.render", "markdown: citations, other")
    p("timeline.markup", "MarkdownRenderer.plain", "markdown: citations, other")
    p("markdown", "Markdown.convert", "markdown: Python-Markdown")
    p("nh3", "clean", "markdown: nh3 sanitise")
    # Jinja2: one line per template.
    p("jinja2.environment", "Template.render", lambda self, *a, **k: f"templates: {self.name}")
    p("jinja2.environment", "Environment.get_template", "templates: load, compile")
    # Writing.
    p("timeline.cli", "load_static", "write: static, checks")
    p("timeline.cli", "check_output_folder", "write: static, checks")
    p("timeline.cli", "write_site", "write: files, swap", track_rss=True)  # before SiteWriter
    p("timeline.write", "SiteWriter.put", "write: files, swap")  # each page, as it is rendered
    p("timeline.write", "SiteWriter.finish", "write: files, swap", track_rss=True)  # the rest, and the swap
    p("timeline.cli", "index_for_search", "search index (Pagefind)")
    # Extras that exist in some versions of the pipeline.
    p("timeline.lists", "draw_overview", "render: overview SVG")
    p("timeline.cache", "BuildCache.open", "cache: open, save, digests")
    p("timeline.cache", "BuildCache.save", "cache: open, save, digests")
    p("timeline.cache", "folder_digest", "cache: open, save, digests")
    p("timeline.cli", "cache_salt", "cache: open, save, digests")
    # Work handed to other processes is not seen by these timers: its wall time is shown as such.
    # (map's results are collected inside the timer: they arrive lazily otherwise.)
    import concurrent.futures

    pool_map = concurrent.futures.ProcessPoolExecutor.map
    concurrent.futures.ProcessPoolExecutor.map = timers.wrap(
        lambda self, *args, **kwargs: iter(list(pool_map(self, *args, **kwargs))), "render: in worker processes (wall)")
    p("concurrent.futures", "ProcessPoolExecutor.shutdown", "render: in worker processes (wall)")


def serialize() -> str:
    """Make the pipeline render in this process, so every stage's time is seen by the timers.

    Uses the pipeline's own switch (PARALLEL_FROM: items before it pays to fork, in
    timeline.processes, or in timeline.render before there was one) when there is one. Returns a
    note for the report.
    """
    for name in ("timeline.processes", "timeline.render"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "PARALLEL_FROM"):
            module.PARALLEL_FROM = float("inf")
            return ("loading, validation and rendering forced into one process so that every stage is timed "
                    "(the real build uses worker processes: bench/run.py measures its wall time)")
    return ""


GROUPS = ("load", "validate", "markdown", "templates", "render", "exports", "write", "search", "cache")


def code_digest() -> str:
    """A digest of what a build runs (the code, templates, static files), to notice changes mid-benchmark."""
    h = hashlib.blake2b(digest_size=8)
    for folder in ("timeline", "templates", "static"):
        for path in sorted((PROJECT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(PROJECT).as_posix().encode() + b"\0" + path.read_bytes())
    h.update((PROJECT / "build.py").read_bytes())
    return h.hexdigest()


def edit_one_event(content: Path, tag: str) -> tuple[Path, bytes, str, str]:
    """Append a sentence citing one of its sources to the middle event (in file order).

    Returns (the event file, its original bytes for restoring, the sentence, the event's slug).
    """
    events = sorted((content / "events").glob("*.md"))
    path = events[len(events) // 2]
    original = path.read_bytes()
    text = original.decode("utf-8")
    body = text.split("\n---\n", 1)[1]
    marker = re.search(r"\[\^[^\]\s]+\]", body).group(0)
    sentence = f"Benchmark edit {tag}: the agency later confirmed the figures."
    path.write_text(text.rstrip("\n") + f" {sentence}{marker}\n", encoding="utf-8")
    slug = re.sub(r"^[0-9]{4}(-[0-9]{2}){0,2}-", "", path.stem)
    return path, original, sentence, slug


def run(content: Path, out: Path, extra: list[str], warm: bool = False, parallel: bool = False) -> dict:
    started = time.perf_counter()
    from timeline import cli

    imported = time.perf_counter() - started
    timers = Timers()
    install(timers)
    note = "" if parallel else serialize()
    command = ["build", "--content", str(content), "--out", str(out), *extra]

    def build() -> None:
        with contextlib.redirect_stdout(sys.stderr):  # "Built N events ..." must not mix with --json
            status = cli.main(command)
        if status != 0:
            raise SystemExit(f"the build failed (exit status {status}); see the messages above")

    edited = None
    if warm:  # a cold build first, untimed; then one event is edited, and the rebuild is timed
        before = code_digest()
        timers.enabled = False
        build()
        timers.enabled = True
        if code_digest() != before:
            note = "; ".join(filter(None, [note, ("WARNING: the code or templates changed during the cold build, so "
                                                  "the warm build may have found its cache invalid")]))
        edited = edit_one_event(content, "stages")
    try:
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start, start_cpu = time.perf_counter(), cpu_now()
        build()
        total, total_cpu = time.perf_counter() - start, cpu_now() - start_cpu
        if edited and edited[2] not in (out / "events" / edited[3] / "index.html").read_text(encoding="utf-8"):
            raise SystemExit(f"the warm rebuild did not update the page of {edited[0]}")
    finally:
        if edited:
            edited[0].write_bytes(edited[1])
    stages = dict(sorted(timers.exclusive.items(), key=lambda kv: (GROUPS.index(kv[0].split(":")[0].split(" ")[0])
                                                                     if kv[0].split(":")[0].split(" ")[0] in GROUPS
                                                                     else 99, kv[0])))
    groups = defaultdict(float)
    for name, seconds in stages.items():
        groups[name.split(":")[0].split(" ")[0]] += seconds
    other = total - sum(stages.values())
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "content": str(content),
        "mode": "warm rebuild after editing one event" if warm else "cold build",
        "note": note,
        "import_s": imported,
        "total_s": total,
        "stages_s": stages,
        "stages_cpu_s": {name: timers.exclusive_cpu[name] for name in stages},
        "total_cpu_s": total_cpu,
        "calls": dict(timers.calls),
        "groups_s": dict(groups),
        "other_s": other,
        "rss_after_mib": timers.rss_after,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_rss_mib": children / 1024 if children > children_before else 0.0,
        "installed": timers.installed,
    }


def format_report(result: dict) -> str:
    total = result["total_s"]
    cpu = result.get("stages_cpu_s", {})
    groups_cpu: dict[str, float] = defaultdict(float)
    for name, seconds in cpu.items():
        groups_cpu[name.split(":")[0].split(" ")[0]] += seconds
    lines = [(f"Stages of one in-process {result.get('mode', 'build')} of {result['content']} (exclusive times; "
              f"imports {result['import_s']:.2f} s not included):")]
    if result.get("note"):
        lines.append(f"  ({result['note']})")
    lines.append(f"  {'stage':<44} {'wall s':>8} {'share':>6} {'CPU s':>8} {'calls':>7}")
    shown_group = None
    for name, seconds in result["stages_s"].items():
        group = name.split(":")[0].split(" ")[0]
        if group != shown_group:
            shown_group = group
            group_total = result["groups_s"].get(group, 0.0)
            lines.append(f"  {group.upper():<44} {group_total:>8.3f} {group_total / total:>6.1%} "
                         f"{groups_cpu.get(group, float('nan')):>8.3f}")
        lines.append(f"    {name:<42} {seconds:>8.3f} {seconds / total:>6.1%} {cpu.get(name, float('nan')):>8.3f} "
                     f"{result['calls'].get(name, 0):>7}")
    lines.append(f"  {'OTHER (not covered by a timer)':<44} {result['other_s']:>8.3f} {result['other_s'] / total:>6.1%}")
    lines.append(f"  {'TOTAL (cli.main)':<44} {total:>8.3f} {'':>6} {result.get('total_cpu_s', float('nan')):>8.3f}")
    rss = ", ".join(f"{name.split(':')[0]} {mib:.0f}" for name, mib in result["rss_after_mib"].items())
    lines.append(f"  RSS after each stage, MiB: {rss}; peak {result['peak_rss_mib']:.0f}"
                 + (f"; child processes' peak {result['children_peak_rss_mib']:.0f}" if result["children_peak_rss_mib"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time each stage of one in-process build.",
                                     epilog="Arguments after -- are passed to 'build.py build' (e.g. -- --no-search).")
    parser.add_argument("content", type=Path, help="the content folder (e.g. bench/_work/4000/content)")
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary folder, deleted afterwards)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (for bench/run.py)")
    parser.add_argument("--warm", action="store_true",
                        help="time a rebuild after editing one event (a cold build runs first, untimed)")
    parser.add_argument("--parallel", action="store_true",
                        help="keep the build's worker processes (their work is then timed only as a whole)")
    argv = sys.argv[1:] if argv is None else argv
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT))
    temporary = None
    out = args.out
    if out is None:
        temporary = Path(tempfile.mkdtemp(prefix="timeline-stages-"))
        out = temporary / "site"
    try:
        result = run(args.content.resolve(), out, extra, args.warm, args.parallel)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
