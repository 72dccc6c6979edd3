"""Text a caller may send: Unicode text that every store and export of ours can carry.

Refused, in a request body or a query string: the control characters U+0000-U+001F other than
tab, line feed and carriage return (PostgreSQL cannot store U+0000; an xlsx sheet, which is XML,
cannot carry any of them), and lone UTF-16 surrogates (not Unicode text: they cannot be encoded
as UTF-8, which the database and every response speak).
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def unstorable_character(text: str) -> str | None:
    """Why ``text`` cannot be taken (naming the first offending character), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "a lone UTF-16 surrogate" if code >= 0xD800 else "a control character"
    return (
        f"contains U+{code:04X} at position {found.start()}, {kind}, which cannot be stored; "
        "send plain text (tab, line feed and carriage return are allowed)"
    )
