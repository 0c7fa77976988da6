"""`build.py serve` over real HTTP on 127.0.0.1, watched by a real browser while files change."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PROJECT, minimal_files
from playwright.sync_api import expect
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from timeline.serve import names_this_machine

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
    """A preview server on a free port over a fresh copy of the minimal content; yields (project, url).
    What it prints goes to project/serve.log, for tests to read while it runs."""
    project = make_project(minimal_files())
    port = free_port()
    log = project / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port),
             "--content", str(project / "content"), "--out", str(project / "_site")],
            stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url)
        yield project, url
    finally:
        process.terminate()
        process.wait(timeout=10)
        output = log.read_text(encoding="utf-8")
        assert "Traceback" not in output, output
        assert not (project / "_site").exists(), "serve wrote into the site's folder"


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

    # A new event gets its page; once deleted, its page is gone from the preview's folder too
    # (the preview's own folder: _site/ is never written by serve).
    added = event_file.with_name(event_file.name.replace("something-happened", "another-thing"))
    added.write_text(event_file.read_text(encoding="utf-8").replace("Something fixed", "Another thing"),
                     encoding="utf-8")
    added_page = project / "_preview" / "events" / "another-thing" / "index.html"
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
        page = project / "_preview/events/something-happened/index.html"
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


# ---------------------------------------------------------------------------------------------
# Requests a browser would never send, HEAD, and who may listen for reloads (issue 12)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def ask(url: str, method: str, target: str, headers: dict[str, str] | None = None) -> Reply:
    """Send one request exactly as written, over a raw socket, and read the whole reply: what the
    preview sends, byte for byte, with nothing a client library would tidy up."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    fields = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert b"\r\n\r\n" in received, f"{method} {target[:80]}: no reply, only {received[:200]!r}"
    reply_head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = reply_head.decode("latin-1").split("\r\n")
    replied = dict(line.split(": ", 1) for line in lines)
    return Reply(int(status_line.split()[1]), {k.lower(): v for k, v in replied.items()}, body)


def assert_says_nothing_of_the_machine(reply: Reply, project: Path, what: str) -> None:
    text = reply.body.decode("utf-8", "replace")
    for secret in ("Traceback", str(project), str(PROJECT), "/work", "site-packages", ".py"):
        assert secret not in text, f"{what}: the reply shows {secret!r}:\n{text[:2000]}"


def test_requests_the_preview_cannot_serve_get_a_short_plain_4xx(server):
    project, url = server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    refused = [  # what is sent, and the status it must get
        ("a 100 KB address", "GET", "/" + "a" * 100_000, {}, 414),
        ("a 10 KB query", "GET", "/?q=" + "a" * 10_000, {}, 414),
        ("a name longer than the file system allows", "GET", "/" + "a" * 300 + ".html", {}, 404),
        ("a malformed percent-escape", "GET", "/%zz/", {}, 400),
        ("percent-escapes that are not UTF-8", "GET", "/%ff%fe/", {}, 400),
        ("a NUL byte", "GET", "/index.html%00.txt", {}, 400),
        ("a traversal with an escaped slash", "GET", "/static/..%2f..%2fserve.log", {}, 404),
        ("200 KB of header fields", "GET", "/", {"X-Filler": "b" * 200_000}, 431),
        ("a host name that is not the preview's (DNS rebinding)", "GET", "/", {"Host": f"evil.example:{port}"}, 400),
        ("a method other than GET and HEAD", "POST", "/", {"Content-Length": "0"}, 405),
        ("a method nobody knows", "BREW", "/", {}, 405),
    ]
    for what, method, target, headers, status in refused:
        reply = ask(url, method, target, headers)
        assert reply.status == status, f"{what}: {reply.status}"
        assert_says_nothing_of_the_machine(reply, project, what)
        if status != 404:  # a missing page gets the site's own 404 page, as readers will
            assert reply.headers["content-type"] == "text/plain; charset=utf-8", what
            assert reply.body.startswith(f"{status} ".encode()) and len(reply.body) < 200, reply.body
    assert ask(url, "POST", "/", {"Content-Length": "0"}).headers["allow"] == "GET, HEAD"

    # Over 1 MiB of request head, tornado hangs up before any handler sees it.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"b" * 2_000_000 + b"\r\n\r\n")
            received = sock.recv(65536)
        except ConnectionError:
            received = b""
    assert received == b"" or received.startswith(b"HTTP/1.1 4"), received[:200]

    # It still serves, and its terminal shows one short line for each refusal, nothing alarming.
    assert ask(url, "GET", "/").status == 200
    log = (project / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "[E " not in log, log
    assert all(len(line) < 200 for line in log.splitlines()), log
    assert "414 GET /aaaa" in log


def test_head_is_answered_like_get_without_a_body(server):
    project, url = server
    style = next((project / "_preview" / "static").glob("*.css")).name
    for target, status in [("/", 200), ("/events/something-happened/", 200), (f"/static/{style}", 200),
                           ("/events/something-happened", 301), ("/no-such-page/", 404), ("/%zz/", 400),
                           ("/livereload.js", 200)]:
        got, headed = ask(url, "GET", target), ask(url, "HEAD", target)
        assert got.status == headed.status == status, (target, got.status, headed.status)
        for name in ("content-type", "content-length", "cache-control", "location", "etag"):
            assert headed.headers.get(name) == got.headers.get(name), (target, name)
        assert int(headed.headers["content-length"]) == len(got.body), target
        assert headed.body == b"", target
    assert ask(url, "HEAD", "/events/something-happened").headers["location"] == "/events/something-happened/"


def handshake(url: str, origin: str | None, host: str | None = None) -> int:
    """The status a websocket handshake on /livereload gets (101: accepted)."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    fields = {"Host": host or f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
              "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
    if origin is not None:
        fields["Origin"] = origin
    head = "GET /livereload HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("ascii"))
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(4096)):
            received += chunk
    return int(received.split(b" ", 2)[1])


def test_the_reload_socket_is_only_for_the_previews_own_pages(server):
    """A page elsewhere, open in the same browser, must not learn when and what the editor saves."""
    _, url = server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert handshake(url, "https://evil.example") == 403
    assert handshake(url, "http://evil.example") == 403
    assert handshake(url, f"http://127.0.0.1:{port + 1}") == 403  # another server on this machine
    assert handshake(url, f"https://127.0.0.1:{port}") == 403
    assert handshake(url, "null") == 403  # a sandboxed frame, a file:// page
    # A stranger's name pointed at 127.0.0.1 (DNS rebinding) is same-origin to the browser.
    assert handshake(url, f"http://evil.example:{port}", host=f"evil.example:{port}") == 400

    assert handshake(url, f"http://127.0.0.1:{port}") == 101
    assert handshake(url, f"http://localhost:{port}", host=f"localhost:{port}") == 101
    assert handshake(url, None) == 101  # no browser: browsers always send Origin

    # The livereload conversation itself, as a page of the preview has it, and a refusal seen by
    # tornado's own client.
    assert hello(port, f"http://127.0.0.1:{port}")["command"] == "hello"
    with pytest.raises(Exception, match="403"):
        hello(port, "https://evil.example")


def hello(port: int, origin: str) -> dict:
    """Open /livereload from `origin` with tornado's client, say hello, return the server's reply.
    In a thread of its own: the browser tests' Playwright keeps an event loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(_hello(port, origin))).result(timeout=30)


async def _hello(port: int, origin: str) -> dict:
    request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers={"Origin": origin})
    connection = await websocket_connect(request)
    try:
        await connection.write_message(json.dumps({"command": "hello", "protocols": []}))
        answer = await connection.read_message()
        await connection.write_message("not livereload's JSON")  # closes it, quietly
        assert await connection.read_message() is None
    finally:
        connection.close()
    return json.loads(answer)


@pytest.mark.parametrize(("host", "served", "named"), [
    ("127.0.0.1:8000", "127.0.0.1", True),
    ("localhost:8000", "127.0.0.1", True),
    ("LocalHost", "127.0.0.1", True),
    ("[::1]:8000", "127.0.0.1", True),
    ("192.168.1.20:8000", "0.0.0.0", True),
    ("preview.lan:8000", "preview.lan", True),  # the name given with --host
    (None, "127.0.0.1", True),  # an HTTP/1.0 client
    ("evil.example:8000", "127.0.0.1", False),
    ("localhost.evil.example:8000", "127.0.0.1", False),
    ("evil@127.0.0.1:8000", "127.0.0.1", False),
    ("127.0.0.1:8000/x", "127.0.0.1", False),
    ("", "127.0.0.1", False),
])
def test_names_this_machine(host, served, named):
    assert names_this_machine(host, served) is named
