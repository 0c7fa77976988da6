"""`build.py serve`: live preview on 127.0.0.1 that rebuilds on save and never dies of bad content.

The preview is built into a folder of its own beside the site's (`_preview/` beside `_site/`),
never over the full build: it holds drafts and lacks the search index and the feeds. The file
watcher (watchfiles) reports changes in content/, templates/ and static/; the changes of one save
are gathered into one rebuild (`batches`), after which livereload tells open pages to reload.
The pages come from a small tornado handler of ours rather than livereload's, so that while the content has errors every page is replaced by the list of problems
(Zola's error overlay), and so that nothing outside the output folder can be requested. A request
the preview cannot serve gets a short plain-text 4xx, never a traceback; the reload socket is
only for the preview's own pages.
"""

from __future__ import annotations

import gc
import ipaddress
import mimetypes
import os
import posixpath
import queue
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from jinja2 import Environment
from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web

from .cache import BuildCache
from .cli import Paths, build_once
from .model import Location, Problem, Timeline
from .outdir import check_output_folder, output_lock
from .report import format_problem

# Seconds without a new file event before a rebuild: an editor's save is several events, which
# watchfiles already gathers (its `step`: 10 ms without a new event); this joins what it reports a
# moment apart (a save of several writes and a rename takes a few milliseconds).
QUIET = 0.02
UNFREEZE_EVERY = 50  # rebuilds between two times the frozen heap is handed back to the collector
PREVIEW = "_preview"  # the preview's folder, beside the site's output folder
INTERNAL_HINT = ("this is a bug in the generator, not in your content; run again with TIMELINE_DEBUG=1 "
                 "and report what the terminal prints")

_ERROR_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ count }} to fix · preview</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; background: #fff8f6; }
h1 { color: #a3000b; font-size: 1.4rem; }
li { margin: 0 0 1rem; } code { font-size: 1rem; font-weight: 600; }
.hint { color: #3d3d3d; display: block; }
</style></head>
<body>
<h1>The preview cannot be built: {{ count }}</h1>
<p>Fix the problems below and save: this page reloads by itself.</p>
<ol class="problems">
{% for p in problems %}
<li><code class="where">{{ p.where }}</code>: <span class="message">{{ p.message }}</span>
{% if p.hint %}<span class="hint">hint: {{ p.hint }}</span>{% endif %}</li>
{% endfor %}
</ol>
</body>
</html>
""")


_CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
# livereload's own snippet: it loads livereload.js, which connects back to /livereload.
_RELOAD_SCRIPT = (
    b'<script type="text/javascript">(function(){var s=document.createElement("script");'
    b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    b's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
    b"document.head.appendChild(s);})();</script>"
)
_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

ADDRESS_LIMIT = 8 * 1024  # characters of a request's address (path and query): more is 414
HEADERS_LIMIT = 64 * 1024  # bytes of its header fields: more is 431
READ_LIMIT = 1024 * 1024  # what tornado reads of a request's head at all: beyond that it hangs up
BODY_LIMIT = 64 * 1024  # the preview takes no request bodies


@dataclass(frozen=True)
class Answer:
    """The reply to one request: GET sends it whole, HEAD the same status and headers without the body."""

    status: int
    kind: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def plain(status: int, detail: str) -> Answer:
    """A refusal in a few words of plain text: its status, and why; never a path or a traceback."""
    return Answer(status, _TEXT, f"{status} {HTTPStatus(status).phrase}: {detail}\n".encode())


# A rebuild gives the timeline (None when the content could not be read) and the problems; a
# list of problems alone is what cli.run_serve's own closure gives (serve() never calls it).
Build = Callable[[], tuple[Timeline | None, list[Problem]] | list[Problem]]


def preview_folder(site_out: Path) -> Path:
    """Where the preview of the site built into `site_out` is written: `_preview` beside it."""
    return site_out.with_name(PREVIEW if site_out.name != PREVIEW else f"{PREVIEW}-preview")


def preview_build(paths: Paths, cache: BuildCache) -> Build:
    """The preview's rebuild: drafts shown, no search index, no feeds, written in place into
    `paths.out` (its own folder), the cache kept in memory between rebuilds."""
    return lambda: build_once(paths, drafts=True, cache=cache, in_place=True)


class Preview:
    """The state of the preview: its folder, and the problems of the last rebuild."""

    def __init__(self, out_dir: Path, rebuild: Build, freeze_heap: bool = False):
        self.out_dir = out_dir.resolve()
        self.freeze_heap = freeze_heap  # in the server's own process only (_listen): see _settle
        self._rebuild = rebuild
        self.problems: list[Problem] = []
        self.base_path = "/"  # the path of the site's base_url: the 404 page's links start with it
        self.rebuilds = 0

    def rebuild(self, changed: Sequence[str] = ()) -> None:
        """Called once for each batch of changes: never raises, whatever the content, the
        templates or the generator hold. Until a rebuild succeeds, every page shows its problems."""
        started = time.perf_counter()
        self.problems = [Problem(Location("build.py serve"), "the rebuild did not finish")]  # until it does
        try:
            built = self._rebuild()
            timeline, problems = built if isinstance(built, tuple) else (None, built)
            if timeline is not None:
                self.base_path = urlsplit(timeline.site.base_url).path or "/"
            self.problems = [p for p in problems if p.is_error]
        except Exception as error:  # noqa: BLE001 -- a bug of ours must not stop the preview either
            debug = bool(os.environ.get("TIMELINE_DEBUG"))
            if debug:
                traceback.print_exc()
            hint = "its traceback is in the terminal" if debug else INTERNAL_HINT
            self.problems = [Problem(Location("build.py serve"),
                                     f"internal error: {type(error).__name__}: {error}", hint)]
        took = time.perf_counter() - started
        self._settle()
        what = f" after changes to {', '.join(changed[:3])}{' …' * (len(changed) > 3)}" if changed else ""
        if self.problems:
            print(f"\n{len(self.problems)} problem(s){what}; the preview shows them:", file=sys.stderr)
            for problem in self.problems:
                print(format_problem(problem), file=sys.stderr)
        else:
            print(f"rebuilt in {took:.2f} s{what}", file=sys.stderr)

    def _settle(self) -> None:
        """After a rebuild, what survives it (the cache, the templates, the timeline) is moved out of
        the cycle collector's sight: otherwise a full collection in a later rebuild walks all of
        it again (at 4,000 events, tens of milliseconds of each save). Now and then it is handed
        back, so that whatever became garbage with cycles is still freed."""
        self.rebuilds += 1
        if not self.freeze_heap:
            return
        if self.rebuilds % UNFREEZE_EVERY == 0:
            gc.unfreeze()
        else:
            gc.freeze()

    def error_page(self) -> bytes:
        errors = len(self.problems)
        count = f"{errors} problem{'s' * (errors != 1)}"
        return _ERROR_PAGE.render(problems=self.problems, count=count).encode("utf-8")

    def locate(self, path: str) -> Path | None:
        """The file, or the folder with an index.html, that a decoded request path names in the
        output folder; None for anything else, and for anything that leaves the output folder."""
        if "\x00" in path or "\\" in path:
            return None
        normal = posixpath.normpath("/" + path.lstrip("/"))
        if any(part == ".." for part in normal.split("/")):
            return None
        try:
            candidate = (self.out_dir / normal.lstrip("/")).resolve()
            if candidate != self.out_dir and self.out_dir not in candidate.parents:
                return None
            if candidate.is_dir():
                return candidate if (candidate / "index.html").is_file() else None
            return candidate if candidate.is_file() else None
        except OSError:  # a name longer than the file system allows, a loop of links, no permission
            return None

    def answer(self, raw_path: str) -> Answer:
        """The reply to a request for `raw_path`, the path of the address as sent (percent-encoded)."""
        path = _decoded(raw_path)
        if path is None:
            return plain(400, "the address is not valid percent-encoded UTF-8.")
        if "\x00" in path:
            return plain(400, "the address holds a NUL character.")
        if self.problems and (path.endswith(("/", ".html")) or "." not in posixpath.basename(path)):
            return Answer(200, _HTML, self.error_page())
        found = self.locate(path)
        if found is None:
            missing = self.locate("/404.html")
            if missing is None:
                return plain(404, "nothing is here.")
            answer = self._read(missing, 404)
            if self.base_path != "/" and answer.status == 404 and answer.kind == _HTML:
                # Its links start with base_url's path (it is served at any depth); the preview's root is /.
                body = answer.body.replace(f'="{self.base_path}'.encode(), b'="/')
                answer = Answer(404, answer.kind, body)
            return answer
        if found.is_dir():
            if not path.endswith("/"):  # a folder asked for without its slash: relative links need it
                folder = quote(posixpath.normpath("/" + path.lstrip("/")) + "/")
                return Answer(301, _TEXT, b"", (("Location", folder),))
            found = found / "index.html"
        return self._read(found, 200)

    def _read(self, found: Path, status: int) -> Answer:
        try:
            body = found.read_bytes()
        except OSError:  # deleted by a rebuild since it was found
            return plain(404, "nothing is here.")
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        if kind.startswith("text/html"):
            # The pages forbid inline script; livereload's is inline. Preview only, never in _site/.
            body = _CSP_META.sub(b"", body)
        return Answer(status, kind, body)


def _decoded(raw_path: str) -> str | None:
    """The path with its %XX escapes decoded as UTF-8; None when they are malformed."""
    if _BAD_ESCAPE.search(raw_path):
        return None
    try:  # tornado gives the request's bytes as Latin-1 text
        return unquote_to_bytes(raw_path.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return None


# ---------------------------------------------------------------------------------------------
# Over HTTP: tornado handlers, the routes livereload's server is given, and its log


_HOST = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::[0-9]{1,5})?")


def names_this_machine(host: str | None, served: str) -> bool:
    """Whether a request's Host header names the preview by IP address, as localhost, or as the
    --host it was given. Any other name may be a stranger's domain pointed at 127.0.0.1 (DNS
    rebinding), which would make that stranger's pages the same origin as the preview."""
    if host is None:
        return True  # an HTTP/1.0 client: every browser sends Host
    match = _HOST.fullmatch(host)
    if match is None:
        return False
    name = (match["ipv6"] or match["name"]).lower()
    if name in ("localhost", served.lower().strip("[]")):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def own_origin(origin: str, host: str | None) -> bool:
    """Whether a websocket's Origin is a page of the preview itself: http:// and the very address
    the browser connected to (its Host, which names_this_machine has accepted)."""
    return host is not None and origin.lower() == f"http://{host}".lower()


class _Guarded(web.RequestHandler):
    """What every route shares: a request it cannot serve is refused in a few words of plain text."""

    ALLOW = "GET, HEAD"

    def initialize(self, host: str) -> None:
        self.served_host = host

    def prepare(self) -> None:
        refusal = self.refusal()
        if refusal is not None:
            self.send(refusal)  # tornado then calls no get()

    def refusal(self) -> Answer | None:
        request = self.request
        if len(request.uri or "") > ADDRESS_LIMIT:
            return plain(414, f"the address is longer than {ADDRESS_LIMIT} characters.")
        if sum(len(name) + len(value) + 4 for name, value in request.headers.get_all()) > HEADERS_LIMIT:
            return plain(431, f"the header fields are larger than {HEADERS_LIMIT // 1024} KiB.")
        if not names_this_machine(request.headers.get("Host"), self.served_host):
            return plain(400, "the preview answers only to its own address, as it printed it.")
        return None

    def send(self, answer: Answer) -> None:
        self.clear()
        self.set_status(answer.status)
        self.set_header("Content-Type", answer.kind)
        self.set_header("Cache-Control", "no-store")
        for name, value in answer.headers:
            self.set_header(name, value)
        body = answer.body
        if answer.kind == _HTML:
            body = body.replace(b"</head>", _RELOAD_SCRIPT + b"</head>", 1)
        self.finish(body)  # for HEAD, tornado sends the headers (Content-Length included) only

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """tornado's errors (405 for a method other than GET and HEAD, 500 for a bug of ours)."""
        if status_code == 405:
            refused = plain(405, f"this address answers {self.ALLOW} only.")
            self.send(Answer(405, refused.kind, refused.body, (("Allow", self.ALLOW),)))
        else:
            self.send(plain(status_code, "the preview could not answer; its terminal says why."))


class _Page(_Guarded):
    """Every address but the reload script and socket: a page of the site, or the list of problems."""

    def initialize(self, host: str, preview: Preview) -> None:  # type: ignore[override]
        super().initialize(host)
        self.preview = preview

    def get(self) -> None:
        self.send(self.preview.answer(self.request.path))

    head = get


class _ReloadScript(_Guarded, LiveReloadJSHandler):
    head = LiveReloadJSHandler.get


class _ReloadSocket(_Guarded, LiveReloadHandler):
    """livereload's socket, which accepted any web page; this one only the preview's own pages.

    A browser always sends Origin when a page opens a websocket, so a page elsewhere cannot hide
    its own; a client without one is no browser but a program on this machine, which could read
    every page over HTTP anyway, and is accepted (so tornado does too)."""

    ALLOW = "GET"

    def refusal(self) -> Answer | None:
        refusal = super().refusal()
        origin = self.request.headers.get("Origin")
        if refusal is None and origin is not None and not own_origin(origin, self.request.headers.get("Host")):
            return plain(403, "the live-reload socket is only for the preview's own pages.")
        return refusal

    def check_origin(self, origin: str) -> bool:
        return own_origin(origin, self.request.headers.get("Host"))

    def on_message(self, message: str | bytes) -> None:
        try:
            super().on_message(message)
        except (ValueError, TypeError, AttributeError):  # not livereload's JSON
            self.close(1003)


def _log_request(handler: web.RequestHandler) -> None:
    """A short line for each refused request (tornado's would quote a 100 KB address whole)."""
    status = handler.get_status()
    if status >= 400:
        target = handler.request.uri or ""
        shown = target[:100].encode("unicode_escape").decode("ascii")
        if len(target) > 100:
            shown += f"… ({len(target)} characters)"
        print(f"{status} {handler.request.method} {shown}", file=sys.stderr)


class _PreviewServer(Server):
    """livereload's server, on our routes instead of its own: application() is where it makes them."""

    def __init__(self, preview: Preview, watcher: Any) -> None:
        super().__init__(watcher=watcher)
        self.preview = preview

    def application(self, port: int, host: str, liveport: Any = None, debug: Any = None,
                    live_css: bool = True) -> None:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        routes: list[tuple[str, type[web.RequestHandler], dict[str, Any]]] = [
            (r"/livereload", _ReloadSocket, {"host": host}),
            (r"/livereload\.js", _ReloadScript, {"host": host}),
            (r".*", _Page, {"host": host, "preview": self.preview}),
        ]
        # As livereload's debug mode did, restart when the generator's own code changes; unlike
        # it, never send a traceback to the browser (serve_traceback stays off).
        app = web.Application(routes, autoreload=True, log_function=_log_request)
        app.listen(port, address=host, max_header_size=READ_LIMIT, max_body_size=BODY_LIMIT)


def run(paths: Paths, cache: BuildCache, host: str, port: int) -> None:
    """The preview of the site `paths` describes: built into `paths.out` (checked and locked as
    a build's output is, so never a folder that is not the tool's), served until Ctrl+C."""
    out = check_output_folder(paths.out, paths.content, paths.templates, paths.static)
    with output_lock(out, "serve", paths.out):
        preview = Preview(out, preview_build(paths, cache))
        _listen(preview, [paths.content, paths.templates, paths.static], host, port)


def _listen(preview: Preview, watched: list[Path], host: str, port: int) -> None:
    # livereload drops any change made within 3 s of the previous reload ("too many refreshes"),
    # and the page would then show stale content until the next save. Every save must show.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    preview.freeze_heap = True  # this process is the server's, for as long as it runs (Preview._settle)
    preview.rebuild()
    server = _PreviewServer(preview, told_of_changes(preview))
    for folder in watched:
        server.watch(str(folder))
    print(f"Previewing {preview.out_dir} on http://{host}:{port}/ — save a file to rebuild; Ctrl+C stops.",
          file=sys.stderr)
    server.serve(host=host, port=port, open_url_delay=None, restart_delay=0)


def batches(events: queue.Queue[set[str] | None], quiet: float = QUIET) -> Iterator[list[str]]:
    """The paths of the file events put in `events`, one sorted list for each run of events with
    less than `quiet` seconds between them: one save, one rebuild. Ends at None."""
    while True:
        first = events.get()
        if first is None:
            return
        changed = set(first)
        while True:
            try:
                more = events.get(timeout=quiet)
            except queue.Empty:
                break
            if more is None:
                yield sorted(changed)
                return
            changed |= more
        yield sorted(changed)


def _watchfiles(*folders: str) -> Iterator[set[str]]:
    """The changed paths in `folders` as the operating system reports them (watchfiles: inotify on
    Linux, FSEvents on macOS); where it refuses (its limit of watches), by looking every 0.3 s."""
    import watchfiles

    options: dict[str, Any] = {"step": 10, "debounce": 400, "raise_interrupt": False}
    try:
        for changes in watchfiles.watch(*folders, **options):
            yield {path for _, path in changes}
    except Exception as error:  # noqa: BLE001 -- e.g. the system's limit of inotify watches
        print(f"file events unavailable ({error}); looking for changes every 0.3 s instead", file=sys.stderr)
        for changes in watchfiles.watch(*folders, force_polling=True, poll_delay_ms=300, **options):
            yield {path for _, path in changes}


def told_of_changes(preview: Preview, events: Callable[..., Iterable[set[str]]] = _watchfiles,
                    quiet: float = QUIET) -> Any:
    """A livereload watcher told of changes by `events` (instead of livereload's own, which reads
    the modification time of every watched file each 0.8 s): each batch of them is one rebuild of
    `preview` on the server's loop, after which livereload reloads the open pages."""
    from livereload.watcher import Watcher
    from tornado import ioloop

    class ToldOfChanges(Watcher):
        def __init__(self) -> None:
            super().__init__()
            self.changed: list[str] = []
            self.lock = threading.Lock()

        def start(self, callback: Callable[[], None]) -> bool:
            loop = ioloop.IOLoop.current()
            folders = [path for path in self._tasks if Path(path).exists()]
            received: queue.Queue[set[str] | None] = queue.Queue()

            def listen() -> None:
                try:
                    for changed in events(*folders):
                        received.put(changed)
                finally:
                    received.put(None)

            def gather() -> None:
                for batch in batches(received, quiet):
                    with self.lock:
                        self.changed.extend(batch)
                    loop.add_callback(callback)

            threading.Thread(target=listen, name="watch-content", daemon=True).start()
            threading.Thread(target=gather, name="gather-changes", daemon=True).start()
            return True  # livereload then starts no polling of its own

        def examine(self) -> tuple[str | None, None]:
            """Called on the server's loop after a batch of changes: rebuild once, then reload."""
            with self.lock:
                changed, self.changed = self.changed, []
            if not changed:
                return None, None
            self.filepath = changed[0]
            preview.rebuild(changed)
            return changed[0], None

    return ToldOfChanges()
