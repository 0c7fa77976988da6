"""`build.py serve` over real HTTP on 127.0.0.1, watched by a real browser while files change."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import PROJECT, minimal_files

EVENT = "content/events/2024-12-12-something-happened.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def server(make_project):
    """A preview server on a free port over a fresh copy of the minimal content; yields (project, url)."""
    project = make_project(minimal_files())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port),
         "--content", str(project / "content"), "--out", str(project / "_site")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url)
        yield project, url
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
        assert "Traceback" not in output, output


class ReloadListener:
    """Counts the live-reload handshakes of a page: a page reloads on a save only once it listens."""

    def __init__(self, page):
        self.page = page
        self.handshakes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if '"hello"' in str(payload):
            self.handshakes += 1

    def wait(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while self.handshakes < count and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)
        assert self.handshakes >= count, "the page never connected to the live-reload server"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_edits_show_without_reload_errors_show_in_place_and_the_page_recovers(server, new_page):
    project, url = server
    event_file = project / EVENT
    page = new_page()
    listener = ReloadListener(page)
    page.goto(url + "events/something-happened/")
    expect(page.locator("h1")).to_have_text("Something happened")

    listener.wait(1)
    edit(event_file, "title: Something happened", "title: Something changed")
    expect(page.locator("h1")).to_have_text("Something changed", timeout=3000)

    listener.wait(2)
    edit(event_file, "title: Something changed", "title: [broken")
    problem = page.locator("ol.problems li").first
    expect(problem).to_contain_text(f"{EVENT}:2", timeout=3000)
    expect(problem).to_contain_text("YAML syntax error")

    listener.wait(3)
    edit(event_file, "title: [broken", "title: Something fixed")
    expect(page.locator("h1")).to_have_text("Something fixed", timeout=3000)

    # A new event gets its page; once deleted, its page is gone from the preview's folder too.
    added = event_file.with_name(event_file.name.replace("something-happened", "another-thing"))
    added.write_text(event_file.read_text(encoding="utf-8").replace("Something fixed", "Another thing"),
                     encoding="utf-8")
    added_page = project / "_site" / "events" / "another-thing" / "index.html"
    wait_until(added_page.is_file)
    added.unlink()
    wait_until(lambda: not added_page.exists())
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(url + "events/another-thing/", timeout=5)
    answer.value.close()
    assert answer.value.code == 404


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the preview did not rebuild in time"
        time.sleep(0.05)


def test_serves_only_on_loopback_and_only_the_site(server):
    _, url = server
    with urllib.request.urlopen(url) as response:
        assert response.status == 200 and b"Something happened" in response.read()
    for attempt in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "static/..%2f..%2fcontent/site.yaml",
                    "..%5c..%5ccontent%5csite.yaml", "content/site.yaml"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + attempt)
        refused.value.close()
        assert refused.value.code == 404, attempt
    port = int(url.rsplit(":", 1)[1].strip("/"))
    other = [a for a in {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
             if not a.startswith("127.")]
    for address in other:  # the machine's other addresses, where it has any, are not listened on
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=1).close()


def test_without_file_events_the_preview_still_rebuilds_on_save(make_project):
    """When the system refuses file events (its inotify limit reached), the preview says so and
    looks for changes itself."""
    project = make_project(minimal_files())
    port = free_port()
    starter = (
        "import sys, watchfiles\n"
        f"sys.path.insert(0, {str(PROJECT)!r})\n"
        "real = watchfiles.watch\n"
        "def refusing(*paths, **options):\n"
        "    if not options.get('force_polling'):\n"
        "        raise OSError(28, 'inotify watch limit reached')\n"
        "    return real(*paths, **options)\n"
        "watchfiles.watch = refusing\n"
        "from timeline.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", starter, "serve", "--port", str(port),
         "--content", str(project / "content"), "--out", str(project / "_site")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        page = project / "_site/events/something-happened/index.html"
        edit(project / EVENT, "title: Something happened", "title: Something polled")

        def rebuilt() -> bool:
            # A save made before the watcher's first look is not a change to it: save again.
            event = project / EVENT
            event.write_text(event.read_text(encoding="utf-8"), encoding="utf-8")
            time.sleep(0.5)
            return "Something polled" in page.read_text(encoding="utf-8")

        wait_until(rebuilt, seconds=15)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "file events unavailable" in output and "Traceback" not in output, output
