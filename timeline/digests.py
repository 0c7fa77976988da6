"""Short names for bytes: every cache key and fingerprint is made of these."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .model import Event, Source


def digest(*parts: bytes | str) -> str:
    """A short, collision-resistant name for some bytes: blake2b, 128 bits, hex."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # lengths keep ("ab", "c") apart from ("a", "bc")
        h.update(data)
    return h.hexdigest()


def folder_digest(folder: Path) -> str:
    """The names and bytes of every file under `folder` (templates, static files, our own code)."""
    parts: list[bytes | str] = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def context_digest(*parts: str, context: dict[str, Any]) -> str:
    """The key of a page: `parts` (its kind, scope, path and template) and every value of the
    context its template is given, described by what decides it. A value of a kind not described
    here is an error, not a guess: a key that missed an input would keep a stale page."""
    described = tuple((name, _plain(context[name])) for name in sorted(context))
    return digest(*parts, repr(described))  # repr of plain tuples and strings: unambiguous, and quick


_ATOMS = frozenset({str, bool, int, float, type(None)})


def _plain(value: Any) -> Any:
    """The value as plain tuples, strings and numbers, by what decides how a page shows it."""
    kind = type(value)
    if kind in _ATOMS:  # the common case first: a list page's key describes thousands of values
        return value
    if kind is tuple or kind is list:
        return tuple([item if type(item) in _ATOMS else _plain(item) for item in value])
    if hasattr(value, "key_parts"):  # a value made only when the page is rendered (lists.PlacedCard)
        return ("parts", *value.key_parts())
    if isinstance(value, (str, bool, int, float)):  # Markup too: the same text, the same output
        return value
    if isinstance(value, (list, tuple)):  # a named tuple (lists.EventLink): its fields
        return tuple([_plain(item) for item in value])
    if isinstance(value, Event):  # its fingerprint: its file's digest and its sources'
        return ("event", value.slug, value.fingerprint)
    if isinstance(value, Source):
        return ("source", value.id, value.digest)
    if isinstance(value, dict):
        return ("dict", *sorted(((repr(_plain(k)), _plain(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    if getattr(getattr(type(value), "__dataclass_params__", None), "frozen", False):
        # Settings and small records (a correction, a policy, a rule): frozen, so their repr is them.
        return ("dataclass", repr(value))
    raise TypeError(f"a page's cache key cannot describe a {type(value).__name__}: describe it in digests.py")
