"""Citation markers `[^source-id]` in an event's Markdown."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[\^([^\]\s]*)\]")
