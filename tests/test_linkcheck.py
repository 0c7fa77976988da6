"""The link checker against a local HTTP server: every classification, and the editors' report."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from conftest import SITE_YAML

from timeline.linkcheck import (
    LinkResult,
    LinkTarget,
    check_links,
    check_urls,
    classify,
    source_targets,
)
from timeline.load import load_content
from timeline.model import Location
from timeline.validate import validate

# Short enough for a module that runs in seconds, long enough for a loaded machine to tell them apart.
TIMEOUT = 1.0
SLOW_AFTER = 0.3
SLOW_SLEEP = 0.5  # above SLOW_AFTER, below TIMEOUT
HANG_SLEEP = 5.0  # above TIMEOUT; cut short when the server stops
MAX_REDIRECTS = 5
MAX_BYTES = 100_000
BIG_BODY = 20_000_000  # 200 times MAX_BYTES: reading it all would show
FAST = {"timeout": TIMEOUT, "slow_after": SLOW_AFTER, "max_redirects": MAX_REDIRECTS, "max_bytes": MAX_BYTES}


class Server:
    """What the test server was asked (method, path with query) and, for /big, how much it sent."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.big_sent = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.base = ""

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p in self.requests if p == path)


def make_handler(state: Server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: pytest shows stderr of failing tests
            pass

        def do_HEAD(self):
            self.answer(head=True)

        def do_GET(self):
            self.answer(head=False)

        def send(self, code: int, headers: dict[str, str] | None = None, body: bytes = b"", head: bool = False):
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def redirect(self, code: int, location: str, head: bool):
            self.send(code, {"Location": location}, b"redirecting", head)

        def answer(self, head: bool):
            with state.lock:
                state.requests.append((self.command, self.path))
            path = urlsplit(self.path).path
            if path == "/ok":
                self.send(200, {"Content-Type": "text/html"}, b"<p>ok</p>", head)
            elif path == "/moved":
                self.redirect(301, "/moved2", head)  # relative Location
            elif path == "/moved2":
                self.redirect(301, state.base + "/ok", head)  # absolute Location
            elif path == "/temp":
                self.redirect(302, "/ok", head)
            elif path == "/perm-then-temp":
                self.redirect(308, "/temp", head)
            elif path == "/to-gone":
                self.redirect(301, "/gone", head)
            elif path == "/gone":
                self.send(404, body=b"not found", head=head)
            elif path == "/deleted":
                self.send(410, body=b"gone", head=head)
            elif path == "/forbidden":
                self.send(403, body=b"no robots", head=head)
            elif path == "/error":
                self.send(500, body=b"oops", head=head)
            elif path == "/head-refused":  # refuses HEAD with a 403, serves GET
                self.send(403 if head else 200, body=b"" if head else b"<p>ok</p>", head=head)
            elif path == "/loop-a":
                self.redirect(302, "/loop-b", head)
            elif path == "/loop-b":
                self.redirect(302, "/loop-a", head)
            elif path == "/long-chain":
                self.redirect(301, "/chain/1", head)
            elif path.startswith("/chain/"):
                step = int(path.rsplit("/", 1)[1])
                self.redirect(301, f"/chain/{step + 1}" if step < MAX_REDIRECTS + 3 else "/ok", head)
            elif path == "/slow":
                time.sleep(SLOW_SLEEP)
                self.send(200, body=b"<p>slow</p>", head=head)
            elif path == "/hang":
                if not state.stop.wait(HANG_SLEEP):
                    self.send(200, body=b"<p>too late</p>", head=head)
            elif path == "/big":
                if head:
                    self.send(405, {"Allow": "GET"}, head=True)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(BIG_BODY))
                self.end_headers()
                block = b"x" * 65536
                sent = 0
                try:
                    while sent < BIG_BODY:
                        self.wfile.write(block)
                        sent += len(block)
                except OSError:
                    pass  # the checker hung up after max_bytes, as it should
                finally:
                    with state.lock:
                        state.big_sent = sent
            elif path == "/to-javascript":
                self.redirect(301, "javascript:alert(1)", head)
            else:
                self.send(404, body=b"unknown test path", head=head)

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up (the timeout, the capped read) is part of the tests


@pytest.fixture(scope="module")
def server():
    state = Server()
    httpd = QuietServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def refused_url() -> str:
    """An address on a port where nothing listens: bound once to get a free number, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/page"


# path → (status, last HTTP code, final path, method of the last request)
CASES = {
    "/ok": ("ok", 200, "/ok", "HEAD"),
    "/temp": ("redirected", 200, "/ok", "HEAD"),
    "/moved": ("moved", 200, "/ok", "HEAD"),
    "/perm-then-temp": ("moved", 200, "/ok", "HEAD"),
    "/gone": ("dead", 404, "/gone", "GET"),
    "/to-gone": ("dead", 404, "/gone", "GET"),
    "/deleted": ("dead", 410, "/deleted", "GET"),
    "/forbidden": ("blocked", 403, "/forbidden", "GET"),
    "/error": ("server-error", 500, "/error", "GET"),
    "/head-refused": ("ok", 200, "/head-refused", "GET"),
    "/loop-a": ("loop", 302, "/loop-b", "HEAD"),
    "/long-chain": ("loop", 301, f"/chain/{MAX_REDIRECTS}", "HEAD"),
    "/slow": ("slow", 200, "/slow", "HEAD"),
    "/hang": ("timeout", None, "/hang", ""),
    "/big": ("ok", 200, "/big", "GET"),
    "/to-javascript": ("bad-redirect", 301, "/to-javascript", "HEAD"),
}


@pytest.mark.parametrize("path", CASES)
def test_classify(server, path):
    status, code, final, method = CASES[path]
    result = classify(server.base + path, **FAST)
    assert (result.status, result.code, result.final_url, result.method) == (status, code, server.base + final, method)


def test_moved_names_the_end_of_the_permanent_redirects(server):
    assert classify(server.base + "/moved", **FAST).new_url == server.base + "/ok"
    # 308 → /temp, then 302 → /ok: /temp is the new permanent address; /ok is only where it points today.
    result = classify(server.base + "/perm-then-temp", **FAST)
    assert result.new_url == server.base + "/temp"
    assert result.severity == "warning"


def test_a_temporary_redirect_keeps_the_address(server):
    result = classify(server.base + "/temp", **FAST)
    assert result.new_url == ""
    assert result.severity is None


def test_a_redirect_to_a_dead_page_says_where_it_led(server):
    result = classify(server.base + "/to-gone", **FAST)
    assert result.detail == f"HTTP 404 Not Found at {server.base}/gone"
    assert classify(server.base + "/gone", **FAST).detail == "HTTP 404 Not Found"


def test_loop_and_long_chain_say_which(server):
    loop = classify(server.base + "/loop-a", **FAST)
    assert loop.detail == f"redirect loop: {server.base}/loop-b redirects back to {server.base}/loop-a"
    chain = classify(server.base + "/long-chain", **FAST)
    assert chain.detail == f"more than {MAX_REDIRECTS} redirects (stopped at {server.base}/chain/{MAX_REDIRECTS})"
    assert classify(server.base + "/long-chain", **{**FAST, "max_redirects": 20}).status == "moved"
    # max_redirects is how many are followed: /moved takes exactly two.
    assert classify(server.base + "/moved", **{**FAST, "max_redirects": 2}).status == "moved"
    assert classify(server.base + "/moved", **{**FAST, "max_redirects": 1}).status == "loop"


def test_slow_and_timeout_are_timed(server):
    slow = classify(server.base + "/slow", **FAST)
    assert SLOW_AFTER < slow.seconds < TIMEOUT
    started = time.monotonic()
    hang = classify(server.base + "/hang", **FAST)
    assert hang.status == "timeout"
    assert TIMEOUT <= time.monotonic() - started < TIMEOUT + 0.5


def test_the_get_fallback_reads_at_most_max_bytes(server):
    result = classify(server.base + "/big", **FAST)
    assert result.body_bytes == MAX_BYTES
    deadline = time.monotonic() + 2
    while server.big_sent == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # the server thread notices the hang-up after the checker returned
    assert 0 < server.big_sent < BIG_BODY


def test_a_redirect_to_javascript_is_not_followed(server):
    before = len(server.requests)
    result = classify(server.base + "/to-javascript", **FAST)
    assert result.detail.startswith("HTTP 301 redirect to 'javascript:alert(1)', not followed")
    assert [p for _, p in server.requests[before:]] == ["/to-javascript"]


def test_refused_connection_is_dead(refused_url):
    result = classify(refused_url, **FAST)
    assert (result.status, result.code, result.detail) == ("dead", None, "connection refused")


def test_tls_to_a_plain_http_port_is_dead(server):
    result = classify(server.base.replace("http://", "https://") + "/ok", **FAST)
    assert result.status == "dead"
    assert result.detail.startswith("TLS failed")


def test_dns_failure_is_dead(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no resolver is asked
    result = classify("https://no-such-host.invalid/page", **FAST)
    assert (result.status, result.detail) == ("dead", "the host name does not resolve (Name or service not known)")


@pytest.mark.parametrize(
    "url, detail",
    [
        ("javascript:alert(1)", "the address must start with http:// or https:// (found 'javascript:')"),
        ("ftp://example.org/file", "the address must start with http:// or https:// (found 'ftp:')"),
        ("https://example.org/a b", "the address must not contain spaces or control characters"),
        ("https://example.org:99999/", "the address has an invalid port: 'https://example.org:99999/'"),
        ("https:///no-host", "the address has no host name: 'https:///no-host'"),
    ],
)
def test_anything_but_http_is_never_requested(monkeypatch, url, detail):
    def no_connection(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    result = classify(url, **FAST)
    assert (result.status, result.detail, result.severity) == ("invalid", detail, "error")
    problems = check_links([(url, Location("content/sources/x.yaml", 2), "archive_url")], **FAST)
    shown = [(str(p.where), p.message) for p in problems]
    assert shown == [("content/sources/x.yaml:2", f"'archive_url' was not requested: {detail}")]


def test_check_urls_requests_each_address_once(server):
    url = server.base + "/ok?once"
    results = check_urls([url, url, " " + url + " "], **FAST)
    assert list(results) == [url]
    assert isinstance(results[url], LinkResult)
    assert server.count("/ok?once") == 1


def test_check_links_reports_each_place_sorted(server, refused_url):
    a, b = Location("content/sources/a.yaml", 3), Location("content/sources/b.yaml", 1)
    gone = server.base + "/gone?dup"
    targets = [
        LinkTarget(server.base + "/ok", Location("content/sources/a.yaml", 1), "url"),
        (server.base + "/moved", Location("content/sources/c.yaml", 7), "archive_url"),  # a plain tuple
        LinkTarget(gone, b, "url"),
        LinkTarget(gone, a, "archive_url"),
        LinkTarget(server.base + "/error", Location("content/sources/c.yaml", 2), "url"),
        LinkTarget(refused_url, Location("content/sources/d.yaml", 1), "url"),
    ]
    problems = check_links(targets, **FAST)
    shown = [(str(p.where), p.severity, p.message) for p in problems]
    assert shown == [
        ("content/sources/a.yaml:3", "error", f"'archive_url' is a dead link: {gone} (HTTP 404 Not Found)"),
        ("content/sources/b.yaml:1", "error", f"'url' is a dead link: {gone} (HTTP 404 Not Found)"),
        (
            "content/sources/c.yaml:2",
            "warning",
            f"'url' gave a server error: {server.base}/error (HTTP 500 Internal Server Error)",
        ),
        (
            "content/sources/c.yaml:7",
            "warning",
            f"'archive_url' has moved: {server.base}/moved now redirects permanently to {server.base}/ok",
        ),
        ("content/sources/d.yaml:1", "error", f"'url' is a dead link: {refused_url} (connection refused)"),
    ]
    assert problems[0].hint == "find another archived copy, or remove archive_url:"
    assert problems[1].hint == (
        "if the page is gone, set url_status: dead and add archive_url: with an archived copy "
        f"(e.g. from https://web.archive.org/web/*/{gone}): readers are then sent there"
    )
    assert problems[3].hint == f"update archive_url: to {server.base}/ok"
    assert server.count("/gone?dup") == 2  # one address: HEAD, then the GET fallback, once


def test_check_links_of_nothing_is_nothing():
    assert check_links([]) == []


def test_validation_records_the_line_of_each_address(make_project):
    """Read by the build's own parser: comments, quoted keys and blank lines count as in the file."""
    project = make_project(
        {
            "content/site.yaml": SITE_YAML,
            "content/sources/quoted.yaml": (
                "# a comment\ntitle: 'url: not a key'\npublisher: P\npublished: '2024'\n\n"
                "'url': https://example.org/\narchive_url: https://web.archive.org/x\n"
            ),
            "content/sources/crlf.yaml": (  # a byte-order mark and Windows line ends, as some editors save
                "\ufefftitle: T\r\npublisher: P\r\npublished: '2024'\r\n"
                "original_url: https://example.org/old\r\nurl: https://example.org/new\r\n"
            ),
            "content/events/2024-12-12-both.md": (
                "---\ntitle: Both\ndate: '2024-12-12'\nsources: [quoted, crlf]\n---\nOne.[^quoted] Two.[^crlf]\n"
            ),
        }
    )
    timeline, problems = validate(load_content(project / "content"))
    assert timeline is not None, problems
    by_id = {source.id: source for source in timeline.sources}
    assert by_id["quoted"].address_lines == (("url", 6), ("archive_url", 7))
    assert by_id["crlf"].address_lines == (("url", 5), ("original_url", 4))
    assert [by_id["quoted"].line_of(key) for key in ("url", "archive_url", "original_url")] == [6, 7, 1]


def test_from_the_real_pipeline_to_the_report(server, make_project):
    """What `check --links` does: validate, then check the sources at the lines of their keys."""
    live, gone = server.base + "/ok?pipeline", server.base + "/gone?pipeline"
    project = make_project(
        {
            "content/site.yaml": SITE_YAML,
            "content/sources/first.yaml": (
                f"# checked by check --links\nurl: {gone}\ntitle: First\npublisher: P\npublished: '2024-12-12'\n"
                f"archive_url: {live}\noriginal_url: {gone}\n"
            ),
            "content/sources/second.yaml": f"title: Second\npublisher: P\npublished: '2024-12-12'\nurl: {gone}\n",
            "content/sources/third.yaml": (  # known dead: only its archived copy is checked
                f"url: {gone}\nurl_status: dead\narchive_url: {live}\ntitle: Third\npublisher: P\npublished: '2024'\n"
            ),
            "content/events/2024-12-12-both.md": (
                "---\ntitle: Both\ndate: '2024-12-12'\nsources: [first, second, third]\n---\n"
                "One.[^first] Two.[^second] Three.[^third]\n"
            ),
        }
    )
    timeline, problems = validate(load_content(project / "content"))
    assert timeline is not None, problems
    targets = source_targets(timeline.sources)
    assert [(t.where.path, t.where.line, t.key) for t in targets] == [
        ("content/sources/first.yaml", 2, "url"),
        ("content/sources/first.yaml", 6, "archive_url"),
        ("content/sources/second.yaml", 4, "url"),
        ("content/sources/third.yaml", 3, "archive_url"),
    ]
    report = [(str(p.where), p.severity) for p in check_links(targets, **FAST)]
    assert report == [("content/sources/first.yaml:2", "error"), ("content/sources/second.yaml:4", "error")]
    assert server.count("/gone?pipeline") == 2  # written in two checked places: one HEAD, one GET
    with_original = source_targets(timeline.sources, keys=("url", "archive_url", "original_url"))
    assert [str(t.where) for t in with_original if t.key == "original_url"] == ["content/sources/first.yaml:7"]


def test_no_source_file_is_read_again(server, make_project, monkeypatch):
    """The lines come from validation: files changed or deleted since, and every reader broken, change nothing."""
    gone = server.base + "/gone?unread"
    project = make_project(
        {
            "content/site.yaml": SITE_YAML,
            "content/sources/kept.yaml": f"title: Kept\npublisher: P\npublished: '2024'\n\nurl: {gone}\n",
            "content/sources/deleted.yaml": f"# one\n# two\ntitle: D\npublisher: P\npublished: '2024'\nurl: {gone}\n",
            "content/events/2024-12-12-both.md": (
                "---\ntitle: Both\ndate: '2024-12-12'\nsources: [kept, deleted]\n---\nOne.[^kept] Two.[^deleted]\n"
            ),
        }
    )
    validated, problems = validate(load_content(project / "content"))
    assert validated is not None, problems
    sources = project / "content" / "sources"
    (sources / "kept.yaml").write_text(f"url: {gone}\ntitle: Kept\npublisher: P\npublished: '2024'\n")  # url moved up
    (sources / "deleted.yaml").unlink()

    def no_reading(*args, **kwargs):
        raise AssertionError(f"the link checker read a file: {args}")

    import builtins
    import io
    import os
    import pathlib

    from timeline import load, yamltext

    for owner, name in ((builtins, "open"), (io, "open"), (os, "open"), (pathlib.Path, "open"),
                        (pathlib.Path, "read_bytes"), (pathlib.Path, "read_text"),
                        (load, "decode_text"), (load, "load_content"), (yamltext, "parse_yaml")):
        monkeypatch.setattr(owner, name, no_reading)
    report = [str(p.where) for p in check_links(source_targets(validated.sources), **FAST)]
    monkeypatch.undo()
    assert report == ["content/sources/deleted.yaml:6", "content/sources/kept.yaml:5"]


def test_a_source_without_recorded_lines_is_reported_at_its_first_line():
    from timeline.model import EventDate, Source

    where = Location("content/sources/made-by-hand.yaml", 1)
    source = Source("made-by-hand", "https://example.org/", "T", "P", EventDate(2024), where)
    assert source_targets([source]) == [LinkTarget("https://example.org/", source.where, "url")]


def test_the_lines_survive_the_build_cache():
    """Validated sources are kept in the build cache: what comes back still knows its lines."""
    import io
    import pickle

    from timeline.cache import _SafeUnpickler
    from timeline.model import EventDate, Source

    where = Location("content/sources/cached.yaml", 1)
    source = Source("cached", "https://example.org/", "T", "P", EventDate(2024), where,
                    archive_url="https://web.archive.org/x", address_lines=(("url", 3), ("archive_url", 4)))
    back = _SafeUnpickler(io.BytesIO(pickle.dumps(source))).load()
    assert back == source and hash(back) == hash(source)
    assert [t.where.line for t in source_targets([back])] == [3, 4]


def test_check_links_from_the_command_line(server, make_project, run):
    from conftest import SOURCE_YAML, minimal_files

    project = make_project({**minimal_files(), "content/sources/example-statement.yaml":
                            SOURCE_YAML.replace("https://example.org/statement", server.base + "/gone")})
    assert run(project, "check").code == 0  # no request without --links
    result = run(project, "check", "--links")
    assert result.code == 1
    assert result.err.startswith(f"content/sources/example-statement.yaml:1: 'url' is a dead link: {server.base}/gone")
    make_project({"content/sources/example-statement.yaml": SOURCE_YAML.replace("https://example.org/statement",
                                                                                server.base + "/ok")})
    assert run(project, "check", "--links").code == 0
