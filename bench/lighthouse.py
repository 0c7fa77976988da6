#!/usr/bin/env python3
"""Lighthouse scores of the real site: the timeline and one event page, desktop and mobile.

    (cd bench/lighthouse && npm ci)        # once: Lighthouse 12.2.3, pinned in bench/lighthouse/
    python bench/lighthouse.py [--event SLUG] [--preset desktop|mobile ...] [--reports DIR] [--min-score N]

What it does:
  1. builds the project's own content/ into a temporary folder (`python build.py --out …`);
  2. serves it over HTTP on 127.0.0.1, at the path of the site's base_url (/clemency-timeline/, as
     when deployed), from a thread running http.server's ThreadingHTTPServer;
  3. runs `npx lighthouse URL --output=json --quiet` (CHROME_PATH=/usr/bin/chromium, headless) on each
     page with each preset: "desktop" (--preset=desktop) and "mobile" (Lighthouse's default: a
     mid-range phone, simulated slow 4G and a 4x slower CPU);
  4. prints a table of the four category scores ×100, then every scored audit that fell short, so a
     score under 100 says why.

The target is 100 in every category. With --min-score N the script exits 1 when any score is below N.
--reports DIR keeps each full JSON report (open it in the Lighthouse viewer for the whole story).

The plain http.server sends no compression and no cache headers. Lighthouse reports both, but
neither counts in a score: the performance score comes only from the metrics (FCP, LCP, TBT,
CLS, Speed Index). http://127.0.0.1 is a secure context, so is-on-https does not penalise it.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
LIGHTHOUSE_DIR = BENCH / "lighthouse"  # its own package.json and package-lock.json
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google, and this machine refuses.
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PRESETS = ["desktop", "mobile"]
DEFAULT_EVENT = "smirnov-plea-accepted"  # the event with a claim review: the richest event page


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def build_site(out: Path) -> None:
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--out", str(out)],
                            cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        sys.exit(f"the build failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def base_path(site: Path) -> str:
    """The path of the site's base_url ('clemency-timeline'), read from the timeline's canonical link."""
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text("utf-8"))
    if not canonical:
        sys.exit("index.html has no canonical link to take the site's base path from")
    return urlsplit(canonical.group(1)).path.strip("/")


def serve(site: Path, root: Path) -> tuple[ThreadingHTTPServer, threading.Thread, str]:
    """Serve site at its base path (root/<prefix> links to it); return the server, its thread and the URL."""
    prefix = base_path(site)
    served = site
    if prefix:
        served = root / "served"
        (served / prefix).parent.mkdir(parents=True, exist_ok=True)
        (served / prefix).symlink_to(site, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return server, thread, f"http://{host}:{port}/" + (f"{prefix}/" if prefix else "")


def lighthouse(url: str, preset: str, report: Path) -> dict:
    """Run Lighthouse once; return its JSON report (the LHR)."""
    command = ["npx", "--no-install", "lighthouse", url, "--output=json", f"--output-path={report}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    result = subprocess.run(command, cwd=LIGHTHOUSE_DIR, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    if result.returncode != 0 or not report.is_file():
        sys.exit(f"lighthouse failed on {url} ({preset}), exit {result.returncode}:\n"
                 f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    lhr = json.loads(report.read_text("utf-8"))
    if lhr.get("runtimeError"):
        sys.exit(f"lighthouse could not test {url} ({preset}): {lhr['runtimeError']}")
    return lhr


def scores(lhr: dict) -> dict[str, int | None]:
    result = {}
    for category in CATEGORIES:
        score = lhr["categories"][category]["score"]
        result[category] = None if score is None else round(score * 100)
    return result


def _detail_lines(audit: dict, limit: int = 6) -> list[str]:
    """The first few items an audit points at (nodes, URLs, sources), one short line each."""
    lines = []
    for item in (audit.get("details") or {}).get("items", [])[:limit]:
        parts = []
        node = item.get("node") if isinstance(item.get("node"), dict) else None
        if node:
            parts.append(node.get("selector") or "")
            parts.append((node.get("snippet") or "")[:140])
        for key in ("url", "source", "description", "directive", "severity", "label", "value"):
            value = item.get(key)
            if isinstance(value, dict):
                value = value.get("url") or value.get("value") or value.get("text")
            if value not in (None, ""):
                parts.append(f"{key}={str(value)[:140]}")
        if parts:
            lines.append("      - " + " ".join(p for p in parts if p))
    return lines


def shortfalls(lhr: dict) -> list[str]:
    """Every audit with weight in a category whose score is below 1, with its value and items."""
    lines = []
    for category in CATEGORIES:
        for ref in lhr["categories"][category]["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if ref.get("weight", 0) <= 0 or audit.get("score") is None or audit["score"] >= 1:
                continue
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"    {category}: {ref['id']} scored {audit['score']:.2f}, weight {ref['weight']}: "
                         f"{audit['title']}{value}")
            lines.extend(_detail_lines(audit))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--event", default=DEFAULT_EVENT, help=f"the event page's slug (default {DEFAULT_EVENT})")
    parser.add_argument("--preset", nargs="+", choices=PRESETS, default=PRESETS)
    parser.add_argument("--reports", type=Path, help="keep each JSON report in this folder")
    parser.add_argument("--min-score", type=int, help="exit 1 if any category scores below this")
    args = parser.parse_args(argv)

    if not (LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse").exists():
        sys.exit(f"Lighthouse is not installed: run `npm ci` in {LIGHTHOUSE_DIR.relative_to(PROJECT)}/")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing (Debian's chromium package)")

    with tempfile.TemporaryDirectory(prefix="lighthouse-") as temporary:
        root = Path(temporary)
        site = root / "_site"
        started = time.perf_counter()
        build_site(site)
        if not (site / "events" / args.event / "index.html").is_file():
            sys.exit(f"no event page events/{args.event}/ in the build")
        server, thread, base_url = serve(site, root)
        reports = args.reports or root / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        rows, notes = [], []
        try:
            for name, path in [("timeline", ""), ("event page", f"events/{args.event}/")]:
                for preset in args.preset:
                    slug = f"{name.replace(' ', '-')}-{preset}"
                    print(f"lighthouse {preset:7} {base_url + path}", file=sys.stderr, flush=True)
                    lhr = lighthouse(base_url + path, preset, reports / f"{slug}.json")
                    rows.append((name, preset, scores(lhr)))
                    if missing := shortfalls(lhr):
                        notes.append(f"  {name}, {preset}:")
                        notes.extend(missing)
                    for warning in lhr.get("runWarnings", []):
                        notes.append(f"  {name}, {preset}: Lighthouse warns: {warning}")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
        elapsed = time.perf_counter() - started

    header = ["page", "preset", *CATEGORIES]
    widths = [max(len(header[0]), 10), 7, *(len(c) for c in CATEGORIES)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for name, preset, result in rows:
        cells = [name, preset, *("n/a" if result[c] is None else str(result[c]) for c in CATEGORIES)]
        print("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)))
    print(f"\nLighthouse {lhr['lighthouseVersion']}, {lhr['environment']['hostUserAgent'].split(') ')[-1]}; "
          f"{len(rows)} runs in {elapsed:.0f} s" + (f"; reports in {reports}" if args.reports else ""))
    print("\nAudits below 100:" if notes else "\nEvery scored audit passed.")
    for line in notes:
        print(line)

    if args.min_score is not None:
        low = [(name, preset, c, r[c]) for name, preset, r in rows for c in CATEGORIES
               if r[c] is None or r[c] < args.min_score]
        if low:
            print(f"\nbelow {args.min_score}: {low}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
