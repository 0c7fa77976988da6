"""`build.py serve`: live preview on 127.0.0.1 that rebuilds on save and never dies of bad content.

livereload watches content/, templates/ and static/ (never the output) and tells open pages to
reload after each rebuild. The pages come from a small WSGI app of ours rather than livereload's
file handler, so that while the content has errors every page is replaced by the list of problems
(Zola's error overlay), and so that nothing outside the output folder can be requested.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import sys
import time
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from jinja2 import Environment

from .model import Problem
from .report import format_problem

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


class Preview:
    """The state of the preview: the output folder, and the problems of the last rebuild."""

    def __init__(self, out_dir: Path, rebuild: Callable[[], list[Problem]]):
        self.out_dir = out_dir.resolve()
        self._rebuild = rebuild
        self.problems: list[Problem] = []

    def rebuild(self) -> None:
        """Called by the watcher: never raises, whatever the content or the templates hold."""
        started = time.perf_counter()
        try:
            self.problems = [p for p in self._rebuild() if p.is_error]
        except Exception as error:  # a bug of ours must not stop the preview either
            self.problems = [Problem(where=_nowhere(), message=f"internal error: {error!r}")]
        took = time.perf_counter() - started
        if self.problems:
            print(f"\n{len(self.problems)} problem(s); the preview shows them:", file=sys.stderr)
            for problem in self.problems:
                print(format_problem(problem), file=sys.stderr)
        else:
            print(f"rebuilt in {took:.2f} s", file=sys.stderr)

    def error_page(self) -> bytes:
        errors = len(self.problems)
        count = f"{errors} problem{'s' * (errors != 1)}"
        return _ERROR_PAGE.render(problems=self.problems, count=count).encode("utf-8")

    def resolve(self, url_path: str) -> Path | None:
        """The file for a request path, or None. Refuses anything that leaves the output folder."""
        path = unquote(url_path)
        if "\x00" in path or "\\" in path:
            return None
        normal = posixpath.normpath("/" + path.lstrip("/"))
        if any(part == ".." for part in normal.split("/")):
            return None
        candidate = (self.out_dir / normal.lstrip("/")).resolve()
        if candidate != self.out_dir and self.out_dir not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def __call__(self, environ, start_response):
        """The WSGI app livereload serves (it adds its reload script to HTML responses)."""
        path = environ.get("PATH_INFO", "/")
        if path.endswith("/") or path.endswith(".html") or "." not in posixpath.basename(path):
            if self.problems:
                return _respond(start_response, "200 OK", "text/html; charset=utf-8", self.error_page())
        if path != "/" and not path.endswith("/") and (self.resolve(path) or Path()).name == "index.html":
            # A folder asked for without its slash: redirect so relative links resolve.
            start_response("301 Moved Permanently", [("Location", path + "/"), ("Content-Length", "0")])
            return [b""]
        found = self.resolve(path)
        if found is None:
            missing = self.resolve("/404.html")
            body = missing.read_bytes() if missing else b"Not found"
            return _respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        body = found.read_bytes()
        if kind.startswith("text/html"):
            # The pages forbid inline script; livereload's is inline. Preview only, never in _site/.
            body = _CSP_META.sub(b"", body)
        return _respond(start_response, "200 OK", kind, body)


def _respond(start_response, status: str, kind: str, body: bytes):
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]


def _nowhere():
    from .model import Location

    return Location("build.py")


def serve(preview: Preview, watched: list[Path], host: str, port: int) -> None:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler

    # livereload drops any change made within 3 s of the previous reload ("too many refreshes"),
    # and the page would then show stale content until the next save. Every save must show.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    preview.rebuild()
    server = Server(app=preview, watcher=_told_of_changes_watcher())
    for folder in watched:
        server.watch(str(folder), preview.rebuild)
    print(f"Previewing on http://{host}:{port}/ — save a file to rebuild; Ctrl+C stops.", file=sys.stderr)
    server.serve(host=host, port=port, open_url_delay=None, restart_delay=0)


def _told_of_changes_watcher():
    """A livereload watcher that the operating system tells of changes (watchfiles: inotify on
    Linux, FSEvents on macOS), instead of livereload's own, which reads the modification time of
    every watched file each 0.8 s: at thousands of events, that alone takes most of a second."""
    import threading

    import watchfiles
    from livereload.watcher import Watcher
    from tornado import ioloop

    class ToldOfChanges(Watcher):
        def __init__(self) -> None:
            super().__init__()
            self.changed: list[str] = []
            self.lock = threading.Lock()

        def start(self, callback) -> bool:
            loop = ioloop.IOLoop.current()
            folders = [path for path in self._tasks if Path(path).exists()]

            def listen() -> None:
                # step: wait this long for more changes of the same save (an editor's write and
                # rename) before reporting them together.
                options = {"step": 30, "debounce": 400, "raise_interrupt": False}
                try:
                    changes_seen = watchfiles.watch(*folders, **options)
                    for changes in changes_seen:
                        report(changes)
                except Exception as error:  # e.g. the system's limit of inotify watches is reached
                    print(f"file events unavailable ({error}); looking for changes every 0.3 s instead",
                          file=sys.stderr)
                    for changes in watchfiles.watch(*folders, force_polling=True, poll_delay_ms=300, **options):
                        report(changes)

            def report(changes) -> None:
                with self.lock:
                    self.changed.extend(sorted(path for _, path in changes))
                loop.add_callback(callback)

            threading.Thread(target=listen, name="watch-content", daemon=True).start()
            return True  # livereload then starts no polling of its own

        def examine(self):
            """Called on the server's loop after a change: rebuild once, then reload the pages."""
            with self.lock:
                changed, self.changed = self.changed, []
            if not changed:
                return None, None
            self.filepath = changed[0]
            for task in {id(t["func"]): t for t in self._tasks.values()}.values():
                if task["func"]:
                    task["func"]()
            return changed[0], None

    return ToldOfChanges()
