"""Keyset pagination with opaque cursors that stay valid while new rows arrive."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from hub.errors import InvalidInput

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None) -> int:
    """`first` must be 1..100 (GitHub's rule); a clear error beyond, never a silent giant page."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"first는 1에서 {MAX_PAGE_SIZE} 사이여야 합니다 (받은 값: {first}) / "
            f"`first` must be between 1 and {MAX_PAGE_SIZE} (got {first})"
        )
    return first


_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(scope: str, key: list[Any]) -> str:
    """URL-safe base64 of the scope and key, unpadded (what `base64.urlsafe_b64encode` gives, in one
    pass through binascii: every edge of a page has a cursor)."""
    raw = orjson.dumps({"s": scope, "k": key})
    return binascii.b2a_base64(raw, newline=False).translate(_URL_SAFE).rstrip(b"=").decode()


def decode_cursor(scope: str, cursor: str) -> list[Any]:
    """The key stored in `cursor`; a cursor from another list or order is refused clearly."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("k"), list):
            raise ValueError(scope)
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidInput(
            "잘못된 커서입니다. 같은 목록과 정렬에서 받은 커서를 쓰세요 / "
            "Invalid cursor: use a cursor returned by the same list and order"
        ) from exc
    key: list[Any] = data["k"]
    return key


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
