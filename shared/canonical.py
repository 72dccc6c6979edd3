"""One canonical JSON form, so hashes of the same content are the same everywhere."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def json_differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The paths at which two JSON documents differ (``conditions[1].verdict``), in order."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            difference
            for key in sorted(set(a) | set(b))
            for difference in json_differences(a.get(key), b.get(key), f"{path}.{key}".lstrip("."))
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            difference
            for index, (x, y) in enumerate(zip(a, b, strict=True))
            for difference in json_differences(x, y, f"{path}[{index}]")
        ]
    return [] if a == b else [path or "."]
