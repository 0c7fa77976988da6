"""How long from saving an event to seeing it in the browser, with the preview server at N events.

    python bench/preview.py --events 4000 [--edits 5]

Generates (or reuses) N synthetic events with bench/generate.py, copies them to a scratch
folder, starts `build.py serve` there, opens one event's page in headless Chromium, then edits
that event's title N times and measures, for each save, the time until the open page shows the
new title (the reload is livereload's own). Prints each figure and the median.

Two figures per save, both from the moment the file is written:
- "shown": until Playwright sees the new title in the page. This includes Playwright's own
  latency (it re-attaches to the reloaded page and polls it), tens of milliseconds that no
  reader waits for.
- "painted": until the browser first painted the reloaded page, by the page's own clock
  (performance.timeOrigin + the first-contentful-paint entry), on the same machine's wall clock.
Then the server's own time for each rebuild, from its log.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def generated(events: int) -> Path:
    content = HERE / "_work" / str(events) / "content"
    if not (content / "site.yaml").is_file():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(events), str(content.parent)], check=True)
    return content


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 600) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise SystemExit(f"the preview server stopped:\n{process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    try:
        content = scratch / "content"
        shutil.copytree(generated(args.events), content)
        event_file = sorted((content / "events").glob("*.md"))[len(list((content / "events").glob("*.md"))) // 2]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port), "--content", str(content),
             "--out", str(scratch / "_site")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            url = f"http://127.0.0.1:{port}/"
            first = wait_until_serving(url, server)
            print(f"{args.events} events: the preview served its first build after {first:.1f} s")
            page_url = url + f"events/{_slug(event_file)}/"
            figures: list[float] = []
            paints: list[float] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                handshakes = []
                page.on("websocket", lambda ws: ws.on("framereceived", lambda f: handshakes.append(f)
                                                       if '"hello"' in str(f) else None))
                page.goto(page_url)
                for number in range(1, args.edits + 1):
                    # A page reloads on a save only once it listens: it has said hello once per load.
                    deadline = time.monotonic() + 30
                    while len(handshakes) < number and time.monotonic() < deadline:
                        page.wait_for_timeout(20)
                    title = f"Edited title number {number}"
                    text = event_file.read_text()
                    lines = text.split("\n")
                    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
                    lines[at] = f"title: {title}"
                    saved, saved_wall = time.monotonic(), time.time()
                    event_file.write_text("\n".join(lines))
                    page.wait_for_function("t => document.querySelector('h1') && "
                                           "document.querySelector('h1').textContent === t", arg=title, timeout=60_000)
                    figures.append(time.monotonic() - saved)
                    painted_ms = page.evaluate(
                        "() => performance.timeOrigin + performance.getEntriesByName('first-contentful-paint')[0].startTime")
                    paints.append(painted_ms / 1000 - saved_wall)
                    print(f"  edit {number}: shown {figures[-1]:.2f} s after the save, painted after {paints[-1]:.2f} s")
                browser.close()
            print(f"median: {statistics.median(figures):.2f} s from save to the change on screen, as Playwright "
                  f"sees it; {statistics.median(paints):.2f} s to the browser's first paint of the new page "
                  f"({args.events} events, {args.edits} edits)")
        finally:
            server.terminate()
            log, _ = server.communicate(timeout=30)
        # The server's own figure for each rebuild ("rebuilt in 0.31 s"): the rest of a save's
        # time is the watcher's wait for quiet, livereload and the browser's reload.
        rebuilds = [float(m) for m in re.findall(r"rebuilt in ([0-9.]+) s", log)]
        if rebuilds:
            print(f"the server's rebuilds: median {statistics.median(rebuilds):.2f} s "
                  f"({', '.join(f'{r:.2f}' for r in rebuilds)})")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _slug(event_file: Path) -> str:
    """The slug is the file name after its date (YYYY-MM-DD, YYYY-MM or YYYY)."""
    return re.sub(r"^[0-9]{4}(-[0-9]{2}){0,2}-", "", event_file.stem)


if __name__ == "__main__":
    main()
