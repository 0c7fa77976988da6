#!/usr/bin/env python3
"""Screenshots of a built site as readers see it: phone and desktop, light and dark.

    python scripts/screenshots.py SITE_DIR OUT_DIR [--page PATH …] [--full]

Serves SITE_DIR over HTTP on 127.0.0.1 (search needs a real server) and writes
OUT_DIR/<page>-<phone|desktop>-<light|dark>.png for each page: by default the home page, the
first event page and, on a site with year pages, the first year page. Look at them before a
change to the pages lands.
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright cannot download a browser here
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the screenshots are the output, not the request log
        pass


def default_pages(site: Path) -> list[str]:
    pages = [""]
    events = sorted(p.parent.name for p in (site / "events").glob("*/index.html"))
    if events:
        pages.append(f"events/{events[0]}/")
    years = sorted(p.parent.name for p in (site / "years").glob("*/index.html"))
    if years:
        pages.append(f"years/{years[0]}/")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--page", action="append", help="a path under the site, e.g. events/x/ (repeatable)")
    parser.add_argument("--full", action="store_true", help="the whole page, not only the first screen")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no index.html here; build the site first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for page_path in args.page or default_pages(args.site):
                name = page_path.strip("/").replace("/", "-") or "home"
                for size, (width, height) in SIZES.items():
                    for scheme in ("light", "dark"):
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      color_scheme=scheme)
                        page = context.new_page()
                        page.goto(base + page_path)
                        if page_path.startswith("search/?"):  # results come after the index loads
                            page.wait_for_selector("#search-results-list li, #search-status:not(:empty)")
                        target = args.out / f"{name}-{size}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=args.full)
                        print(target)
                        context.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
