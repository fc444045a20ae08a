"""One strawberry object per record the hub keeps between requests (organisations, areas, places,
categories).

`hub.services.item_relations` keeps those records until the next write (or 15 s). Building their objects
once, and declaring them `shared` to the planned executor, lets a page fill `organisation { slug name }`
once per organisation instead of once per item, and pages after it not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from schema.planned_execution import shared

R = TypeVar("R")
T = TypeVar("T")

MAX_KEPT: Final = 4096
_objects: dict[int, tuple[Any, Any]] = {}  # id(record) -> (record, object)


def kept_object(record: R, build: Callable[[R], T]) -> T:
    """`build(record)`, made once per record object (the record must be immutable and kept)."""
    hit = _objects.get(id(record))
    if hit is not None and hit[0] is record:
        made: T = hit[1]
        return made
    if len(_objects) >= MAX_KEPT:
        _objects.clear()
    made = shared(build(record))
    _objects[id(record)] = (record, made)  # holding the record: its id stays its own
    return made
