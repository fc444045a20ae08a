"""Relay global object identification: `Node`, global IDs, and `node(id)` / `nodes(ids)`."""

from __future__ import annotations

import base64
import binascii

import strawberry

from hub.errors import InvalidInput


@strawberry.interface(description="An object with a globally unique ID (Relay). 전역 ID가 있는 객체.")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque ID; pass it to `node(id:)`.")


def to_global_id(type_name: str, pk: int | str) -> strawberry.ID:
    # binascii rather than base64.b64encode (a wrapper around it): a page makes a few dozen of these.
    return strawberry.ID(binascii.b2a_base64(f"{type_name}:{pk}".encode(), newline=False).decode())


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        type_name, _, pk = base64.b64decode(global_id.encode(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"잘못된 ID입니다 / Invalid ID: {global_id[:60]}") from exc
    if not type_name or not pk:
        raise InvalidInput(f"잘못된 ID입니다 / Invalid ID: {global_id[:60]}")
    return type_name, pk


def int_pk(global_id: str, expected_type: str) -> int | None:
    """The integer key of `global_id` if it names an `expected_type`, else None."""
    type_name, pk = from_global_id(global_id)
    if type_name != expected_type or not pk.isdigit():
        return None
    return int(pk)
