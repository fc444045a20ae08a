"""The in-process response cache for anonymous trusted-document GETs.

An entry is served only while the data version it was computed under is still current and it is
younger than max-age; so a publication shows up on the next request, and no page is ever older than
max-age. Bounded LRU: many distinct variables cannot grow memory without limit.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from hub.limits.freshness import DataVersion

MAX_ENTRIES: Final = 2048
MAX_ENTRY_BYTES: Final = 512 * 1024


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    content_type: bytes
    etag: bytes
    version: int
    stored_at: float


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


class ResponseCache:
    def __init__(
        self,
        version: DataVersion,
        *,
        max_age: float,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.version = version
        self.max_age = max_age
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.version != self.version.value or self.clock() - entry.stored_at >= self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, body: bytes, content_type: bytes, version: int) -> CachedResponse:
        """Store a response computed while the data version was `version` (read before computing)."""
        entry = CachedResponse(body, content_type, etag_of(body), version, self.clock())
        if version == self.version.value and len(body) <= MAX_ENTRY_BYTES:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def age(self, entry: CachedResponse) -> int:
        return int(self.clock() - entry.stored_at)
