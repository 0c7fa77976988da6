"""An opt-in check that the sources' addresses still answer: `python build.py check --links`.

Stdlib only. Every address is requested by this module's own small HTTP client (http.client), so
that each redirect is seen and judged before it is followed: only http and https are ever
requested, and a redirect elsewhere (javascript:, file:, ftp: …) is reported, never followed.

One address → one LinkResult (classify); many addresses → Problems at the line of their key
(check_links). Nothing here raises on a bad address or a bad network: every failure is a result.

    status          severity   when
    ok              —          2xx at the first request
    redirected      —          2xx reached through a temporary redirect (302, 303, 307) first
    moved           warning    2xx reached through permanent redirects (301, 308) first
    slow            warning    2xx (directly or temporarily redirected), but after slow_after seconds
    dead            error      404, 410, other 4xx, DNS failure, refused, TLS or protocol failure
    blocked         warning    401, 403, 429: the server would not serve a script, a browser may work
    server-error    warning    5xx: the server failed, usually for a while
    loop            error      a redirect comes back to an address already seen, or > max_redirects
    bad-redirect    error      a redirect to an address that is not http(s), not followed
    invalid         error      the address itself is not http(s): never requested
    timeout         warning    no complete answer within `timeout` seconds (for the whole chain)
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from .fields import url_problem
from .model import Location, Problem, Source

LINK_KEYS = Source.ADDRESS_KEYS
# original_url records where a page *was* published, after it moved: it is expected to be dead or
# to redirect, so reporting it would only be noise that no edit can fix. Checked only on request.
DEFAULT_KEYS = ("url", "archive_url")

USER_AGENT = "Mozilla/5.0 (compatible; fact-checked-timeline link checker)"
PERMANENT = (301, 308)
TEMPORARY = (302, 303, 307)
BLOCKED = (401, 403, 429)
SEVERITY = {
    "ok": None,
    "redirected": None,
    "moved": "warning",
    "slow": "warning",
    "dead": "error",
    "blocked": "warning",
    "server-error": "warning",
    "loop": "error",
    "bad-redirect": "error",
    "invalid": "error",
    "timeout": "warning",
}
_CHUNK = 64 * 1024
# Characters left as they are when a path or query is made ASCII for the request line.
_SAFE = "/%:@!$&'()*+,;=-._~?"


class LinkTarget(NamedTuple):  # a plain (url, where, key) tuple works as well
    """One address to check, where it is written, and the key that holds it (url, archive_url …)."""

    url: str
    where: Location
    key: str = "url"


@dataclass(frozen=True)
class LinkResult:
    status: str  # one of SEVERITY's keys
    code: int | None = None  # the last HTTP status received, None when there was no answer
    final_url: str = ""  # the last address requested
    seconds: float = 0.0  # the whole chain, redirects and the GET fallback included
    detail: str = ""  # for editors: what happened, in a few words
    new_url: str = ""  # for "moved": the address to write instead (the end of the permanent redirects)
    method: str = ""  # the method of the last request: HEAD, or GET when HEAD was refused
    body_bytes: int = 0  # how much of a GET body was read (never more than max_bytes)

    @property
    def severity(self) -> str | None:
        return SEVERITY[self.status]


class _TooLong(Exception):
    """The deadline passed while a body was being read."""


@dataclass(frozen=True)
class _Answer:
    code: int
    reason: str
    location: str | None
    method: str
    body_bytes: int


def classify(
    url: str,
    *,
    timeout: float = 10.0,
    max_redirects: int = 5,
    max_bytes: int = 1_000_000,
    slow_after: float = 5.0,
    user_agent: str = USER_AGENT,
) -> LinkResult:
    """Request `url` (HEAD, else GET), follow up to `max_redirects` http(s) redirects, and classify it.

    `timeout` is the budget for the whole address, every hop included. Never raises.
    """
    start = time.monotonic()
    deadline = start + timeout
    current = url.strip()
    problem = url_problem(current) or _port_problem(current)
    if problem:
        return LinkResult("invalid", final_url=current, detail=f"the address {problem}")
    seen = {_without_fragment(current)}
    redirects: list[int] = []
    new_url = ""  # the target of the last permanent redirect, while no temporary one came first
    answer = None

    def result(status: str, detail: str, **extra: Any) -> LinkResult:
        return LinkResult(
            status,
            code=answer.code if answer else None,
            final_url=current,
            seconds=round(time.monotonic() - start, 3),
            detail=detail,
            method=answer.method if answer else "",
            body_bytes=answer.body_bytes if answer else 0,
            **extra,
        )

    try:
        while True:
            answer = None
            answer = _fetch(current, deadline, user_agent, max_bytes)
            code = answer.code
            if code in PERMANENT + TEMPORARY:
                if not answer.location:
                    return result("dead", f"HTTP {code} redirect without a Location header")
                target = urljoin(current, answer.location.strip())
                problem = url_problem(target) or _port_problem(target)
                if problem:
                    detail = f"HTTP {code} redirect to '{target}', not followed: the address {problem}"
                    return result("bad-redirect", detail)
                if _without_fragment(target) in seen:
                    return result("loop", f"redirect loop: {current} redirects back to {target}")
                if len(redirects) >= max_redirects:
                    return result("loop", f"more than {max_redirects} redirects (stopped at {current})")
                if code in PERMANENT and all(c in PERMANENT for c in redirects):
                    new_url = target
                redirects.append(code)
                seen.add(_without_fragment(target))
                current = target
                continue
            break
    except _TooLong:
        return result("timeout", f"the answer did not finish within {timeout:g} s")
    except TimeoutError:
        return result("timeout", f"no answer within {timeout:g} s")
    except socket.gaierror as error:
        return result("dead", f"the host name does not resolve ({error.strerror or error})")
    except ConnectionRefusedError:
        return result("dead", "connection refused")
    except ssl.SSLCertVerificationError as error:
        return result("dead", f"the site's TLS certificate is not valid ({error.verify_message or error.reason})")
    except ssl.SSLError as error:
        return result("dead", f"TLS failed ({error.reason or error})")
    except (http.client.HTTPException, OSError) as error:
        return result("dead", f"no valid answer ({type(error).__name__}: {error})".replace(": )", ")"))
    except Exception as error:  # noqa: BLE001 — the contract is "never raises"; say what happened
        return result("dead", f"could not be checked ({type(error).__name__}: {error})")

    code, reason = answer.code, answer.reason
    said = f"HTTP {code}{' ' + reason if reason else ''}"
    if redirects and not 200 <= code < 300:
        said += f" at {current}"  # where the redirects led: the editor sees only the first address
    elapsed = time.monotonic() - start
    if 200 <= code < 300:
        if new_url:
            return result("moved", f"moved permanently to {new_url}", new_url=new_url)
        if elapsed > slow_after:
            return result("slow", f"answered after {elapsed:.1f} s")
        if redirects:
            return result("redirected", f"temporarily redirected to {current}")
        return result("ok", said)
    if code in BLOCKED:
        return result("blocked", f"{said}: the server refused the checker")
    if 500 <= code < 600:
        return result("server-error", said)
    return result("dead", said)  # 4xx, and answers that are neither success nor a usable redirect


def check_links(
    targets: Iterable[LinkTarget | tuple[str, Location, str]],
    *,
    concurrency: int = 8,
    timeout: float = 10.0,
    max_redirects: int = 5,
    max_bytes: int = 1_000_000,
    slow_after: float = 5.0,
    user_agent: str = USER_AGENT,
) -> list[Problem]:
    """Check every address once (duplicates share one request) and report each place it is written.

    `targets` are LinkTargets or (url, Location, key) tuples. Returns the problems sorted by path and
    line; an address that is fine gives none. Never raises on a bad address or network failure.
    """
    listed = [LinkTarget(*target) for target in targets]
    results = check_urls(
        [t.url for t in listed],
        concurrency=concurrency,
        timeout=timeout,
        max_redirects=max_redirects,
        max_bytes=max_bytes,
        slow_after=slow_after,
        user_agent=user_agent,
    )
    problems = [p for t in listed if (p := link_problem(t, results[t.url.strip()])) is not None]
    return sorted(problems, key=Problem.sort_key)


def check_urls(urls: Iterable[str], *, concurrency: int = 8, **options: Any) -> dict[str, LinkResult]:
    """classify() each distinct address (stripped) with at most `concurrency` requests at a time."""
    unique = sorted({url.strip() for url in urls})
    if not unique:
        return {}
    workers = max(1, min(concurrency, len(unique)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck") as pool:
        return dict(zip(unique, pool.map(lambda url: classify(url, **options), unique)))


def link_problem(target: LinkTarget, result: LinkResult) -> Problem | None:
    """The editor's report for one place an address is written, or None when it is fine."""
    severity = result.severity
    if severity is None:
        return None
    key = target.key
    message, hint = _WORDS[result.status](key, result, target.url.strip())
    return Problem(target.where, f"'{key}' {message}", hint, severity)


def _dead_hint(key: str, url: str) -> str:
    if key == "url":
        return (
            "if the page is gone, set url_status: dead and add archive_url: with an archived copy "
            f"(e.g. from https://web.archive.org/web/*/{url}): readers are then sent there"
        )
    if key == "archive_url":
        return "find another archived copy, or remove archive_url:"
    return "original_url: records where the page was published; nothing to fix if that is right"


_WORDS: dict[str, Callable[[str, LinkResult, str], tuple[str, str]]] = {
    "moved": lambda key, r, url: (
        f"has moved: {url} now redirects permanently to {r.new_url}",
        f"update {key}: to {r.new_url}"
        + (" (and keep the old address as original_url: if that is where it was published)" if key == "url" else ""),
    ),
    "slow": lambda key, r, url: (
        f"is slow: {url} answered after {r.seconds:.1f} s",
        "readers may give up waiting; nothing to fix unless it keeps happening (an archived copy may be faster)",
    ),
    "dead": lambda key, r, url: (f"is a dead link: {url} ({r.detail})", _dead_hint(key, url)),
    "blocked": lambda key, r, url: (
        f"could not be checked: {url} refused the link checker (HTTP {r.code})",
        "open it in a browser: many sites refuse scripts; if it does not load there either, treat it as dead",
    ),
    "server-error": lambda key, r, url: (
        f"gave a server error: {url} ({r.detail})",
        "usually temporary: check again later; if it persists, treat it as a dead link",
    ),
    "loop": lambda key, r, url: (
        f"never arrives: {url} ({r.detail})",
        "open it in a browser; if it never loads, treat it as a dead link",
    ),
    "bad-redirect": lambda key, r, url: (
        f"redirects to an address that is not http(s): {url} ({r.detail})",
        "the site now sends readers somewhere unsafe: replace the address, e.g. with an archived copy",
    ),
    "invalid": lambda key, r, url: (
        f"was not requested: {r.detail}",
        "use the full address, starting with https://",
    ),
    "timeout": lambda key, r, url: (
        f"timed out: {url} ({r.detail})",
        "the site may be down or slow: check again later; if it keeps timing out, treat it as a dead link",
    ),
}


# --- Where the addresses are written ------------------------------------------------------------


def source_targets(sources: Iterable[Source], keys: Sequence[str] = DEFAULT_KEYS) -> list[LinkTarget]:
    """The addresses of `sources`, each at the line of its key in its file.

    The lines are those validation recorded (Source.address_lines): no file is read again.
    The url of a source marked `url_status: dead` is known to be gone: it is not checked again.
    """
    targets = []
    for source in sources:
        for key in keys:
            url = getattr(source, key)
            if key == "url" and source.is_dead:
                continue
            if url:
                targets.append(LinkTarget(url, Location(source.where.path, source.line_of(key)), key))
    return targets


# --- One request ----------------------------------------------------------------------------------


def _fetch(url: str, deadline: float, user_agent: str, max_bytes: int) -> _Answer:
    """HEAD, then GET when HEAD is refused (any 4xx/5xx, or a broken answer): servers differ."""
    try:
        answer = _request("HEAD", url, deadline, user_agent, max_bytes)
        if answer.code < 400:
            return answer
    except (http.client.HTTPException, ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        pass  # some servers hang up on HEAD; a timeout, DNS failure or refusal would only repeat
    return _request("GET", url, deadline, user_agent, max_bytes)


def _request(method: str, url: str, deadline: float, user_agent: str, max_bytes: int) -> _Answer:
    parts = urlsplit(url)
    remaining = _remaining(deadline)
    host = parts.hostname or ""
    if parts.scheme.lower() == "https":
        port = parts.port or 443  # given, so that http.client never reads an IPv6 address as host:port
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=remaining, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, parts.port or 80, timeout=remaining)
    try:
        conn.connect()
        sock = conn.sock  # kept: http.client hands the socket to the response on "Connection: close"
        target = quote(parts.path or "/", safe=_SAFE) + (f"?{quote(parts.query, safe=_SAFE)}" if parts.query else "")
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.putheader("User-Agent", user_agent)
        conn.putheader("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        conn.putheader("Accept-Encoding", "identity")
        conn.putheader("Connection", "close")
        conn.endheaders()
        sock.settimeout(_remaining(deadline))
        response = conn.getresponse()
        try:
            read = 0
            if method == "GET":
                # Read a bounded part of the body, so that an answer that never ends is noticed,
                # and never more than max_bytes of it: the rest is dropped with the connection.
                while read < max_bytes and not response.isclosed():  # closed: the body is complete
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _TooLong
                    sock.settimeout(left)
                    try:
                        chunk = response.read(min(_CHUNK, max_bytes - read))
                    except TimeoutError:
                        raise _TooLong from None
                    if not chunk:
                        break
                    read += len(chunk)
            return _Answer(response.status, response.reason or "", response.getheader("Location"), method, read)
        finally:
            response.close()
    finally:
        conn.close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _port_problem(url: str) -> str:
    try:
        _ = urlsplit(url).port  # reading the port is the check: urlsplit raises on a bad one
    except ValueError:
        return f"has an invalid port: '{url}'"
    return ""


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
