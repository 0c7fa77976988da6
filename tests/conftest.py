"""Composable fixtures: a content factory, an in-process runner, and the real site built once."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

from timeline.cli import main

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright cannot download its own browser here
# Without the background-networking flags Chromium keeps trying to reach Google, and this machine refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

SITE_YAML = """\
title: Test timeline
description: A small timeline for tests.
base_url: https://example.org/test/
language: en
"""

SOURCE_YAML = """\
url: https://example.org/statement
title: A statement
publisher: The Example Office
published: '2024-12-12'
"""

EVENT_MD = """\
---
title: Something happened
date: '2024-12-12'
tags: [pardon]
sources:
  - example-statement
---
Something happened on this day.[^example-statement]
"""


def minimal_files() -> dict[str, str | bytes]:
    """The smallest valid content: one site, one source, one event. Tests change one thing in it."""
    return {
        "content/site.yaml": SITE_YAML,
        "content/sources/example-statement.yaml": SOURCE_YAML,
        "content/events/2024-12-12-something-happened.md": EVENT_MD,
    }


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: two sites are the same when their trees are."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under `root`, text exactly as given (no newline translation)."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")


@pytest.fixture
def make_project(tmp_path):
    """Write {relative path: text or bytes} under a fresh folder; return the folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        write_files(tmp_path, files)
        (tmp_path / "content").mkdir(exist_ok=True)
        return tmp_path

    return make


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys):
    """Run build.py's main() in this process on a project folder made by make_project."""

    def run_in(project: Path, *args: str) -> Run:
        code = main([*args, "--content", str(project / "content"), "--out", str(project / "_site")])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run_in


def run_script(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """Run build.py as editors do, in a separate process."""
    return subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The project's own content/, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("real") / "_site"
    result = run_script("--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


BIG_EVENTS = 2000  # a big newsroom's timeline: enough for the paged home page, year pages and long lists


@pytest.fixture(scope="session")
def big_site(tmp_path_factory) -> Path:
    """bench/generate.py's synthetic timeline of BIG_EVENTS events, generated and built once."""
    folder = tmp_path_factory.mktemp("big")
    generated = subprocess.run([sys.executable, str(PROJECT / "bench" / "generate.py"), str(BIG_EVENTS), str(folder)],
                               capture_output=True, text=True, timeout=120, check=False)
    assert generated.returncode == 0, generated.stderr
    out = folder / "_site"
    result = run_script("--content", str(folder / "content"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


# The built sites by name, and the fixtures that serve them: tests over both ask for them by name
# (request.getfixturevalue), so a test of the real site alone never builds the big one.
SITES = {"real": ("real_site", "base_url"), "big": ("big_site", "big_base_url")}


def site_base_url(site: Path) -> str:
    """The base_url the site was built for, read back from its home page's canonical link."""
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text(encoding="utf-8"))
    assert canonical, f"{site}/index.html has no canonical link to take the site's base_url from"
    return canonical.group(1)


def _first(paths) -> str | None:
    """The address, relative to the site's root, of the first of these index.html files."""
    found = sorted(paths)
    return found[0].parent.as_posix() + "/" if found else None


def find_page(site: Path, kind: str) -> str | None:
    """The address (relative to the site's root, '' for the home page) of a built page of this kind,
    found in the build so that no test names the live content's events or topics; None if there is none.
    The event page is one with a claim review when the site has any: it has the most to check."""
    def built(*relatives: str) -> str | None:
        return next((r for r in relatives if (site / (r + "index.html" if r == "" or r.endswith("/") else r)).is_file()),
                    None)

    if kind == "timeline":
        return built("")
    if kind == "event page":
        events = sorted(site.glob("events/*/index.html"))
        reviewed = [p for p in events if 'class="claim-review' in p.read_text(encoding="utf-8")]
        return _first([(reviewed or events)[0].relative_to(site)]) if events else None
    if kind == "tag page":
        return _first(p.relative_to(site) for p in site.glob("tags/*/index.html"))
    if kind == "year page":
        return _first(p.relative_to(site) for p in site.glob("years/*/index.html"))
    if kind == "sources letter page":  # the sources list split by initial, on a site big enough to need it
        return _first(p.relative_to(site) for p in site.glob("sources/*/index.html"))
    if kind == "sources page":
        return built("sources/")
    if kind == "search page":
        return built("search/")
    if kind == "404 page":
        return built("404.html")
    raise ValueError(f"unknown kind of page: {kind}")


def pytest_collection_modifyitems(items) -> None:
    """A test that opens Chromium is a `browser` test, and one that builds the big generated site a
    `slow` one, whatever module it is in: the fast tier (`bash scripts/test --fast`, which is
    `-m "not browser and not slow"`) leaves them out; CI runs them all."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"browser", "new_page"} & fixtures:
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        if {"big_site", "big_base_url"} & fixtures or (callspec and "big" in callspec.params.values()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(**context options) → a Page in a fresh context; every context is closed after the test."""
    contexts = []

    def make(**options) -> Page:
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass


@contextmanager
def serving(site: Path, tmp_path_factory) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, at the path of its base_url as when deployed; yields its address."""
    prefix = urlsplit(site_base_url(site)).path.strip("/")
    served = site
    if prefix:
        # The served folder holds only a link named like the base path: every other path is a 404.
        served = tmp_path_factory.mktemp("served")
        (served / prefix).parent.mkdir(parents=True, exist_ok=True)
        (served / prefix).symlink_to(site, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/" + (f"{prefix}/" if prefix else "")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(real_site, tmp_path_factory):
    """The real site over HTTP on 127.0.0.1, at the path of its base_url as when deployed."""
    with serving(real_site, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def big_base_url(big_site, tmp_path_factory):
    """The big generated site over HTTP on 127.0.0.1, like base_url."""
    with serving(big_site, tmp_path_factory) as url:
        yield url
