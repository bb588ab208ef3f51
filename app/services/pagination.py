"""Opaque keyset cursors: base64url of the last row's sort key, so pages never skip or repeat a row
when rows are added in between (offsets would)."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from typing import Any

from app.services.errors import InvalidQuery

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise InvalidQuery("cursor is not one this API issued") from exc
    if not isinstance(value, list) or len(value) != arity:
        raise InvalidQuery("cursor is not one this API issued")
    if not all(_plain(item) for item in value):
        raise InvalidQuery("cursor is not one this API issued")
    return value


def _plain(item: object) -> bool:
    """A value a cursor of ours can hold, and every database can compare: JSON also reads
    integers of any size, NaN and Infinity, which overflowed the driver (a 500)."""
    if item is None or isinstance(item, str):
        return item is None or "\x00" not in item
    if isinstance(item, bool):
        return False
    if isinstance(item, int):
        return _INT64_MIN <= item <= _INT64_MAX
    return isinstance(item, float) and math.isfinite(item)


def last_id_cursor(rows: Sequence[Any], limit: int) -> str | None:
    """For id-ordered lists fetched with limit + 1 rows."""
    if len(rows) <= limit:
        return None
    return encode_cursor(rows[limit - 1].id)


def cursor_id(cursor: str | None) -> int | None:
    key = decode_cursor(cursor, arity=1)
    if key is None:
        return None
    if not isinstance(key[0], int):
        raise InvalidQuery("cursor is not one this API issued")
    return key[0]
