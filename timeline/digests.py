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
    described: list[str] = list(parts)
    for name in sorted(context):
        described.append(name)
        _describe(context[name], described)
    return digest(*described)


def _describe(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, (bool, int, float)):
        out.append(repr(value))
    elif isinstance(value, str):  # Markup too: the same text is the same output
        out += ["s", value]
    elif isinstance(value, Event):  # its fingerprint: its file's digest and its sources'
        out += ["event", value.slug, value.fingerprint]
    elif isinstance(value, Source):
        out += ["source", value.id, value.digest]
    elif hasattr(value, "key_parts"):  # a value made only when the page is rendered (lists.PlacedCard)
        out += ["parts", *value.key_parts()]
    elif isinstance(value, (list, tuple)):
        out.append(f"[{len(value)}")
        for item in value:
            _describe(item, out)
    elif isinstance(value, dict):
        out.append(f"{{{len(value)}")
        for key, item in sorted(value.items(), key=lambda pair: repr(pair[0])):
            _describe(key, out)
            _describe(item, out)
    elif getattr(getattr(type(value), "__dataclass_params__", None), "frozen", False):
        # Settings and small records (a correction, a policy, a rule): frozen, so their repr is them.
        out += ["d", repr(value)]
    else:
        raise TypeError(f"a page's cache key cannot describe a {type(value).__name__}: describe it in digests.py")
