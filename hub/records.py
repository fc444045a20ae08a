"""Plain read models: what services return to the graph, the CLI and exports (rows, not ORM objects).

`from_row` reads a mapping by column name; `from_values` reads the columns named by the fields, in field
order (`hub.services.prepared.record_columns`), and ignores any that follow: the hot reads' rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.enums import ItemKind, ItemStatus
from org_connectors import SourceKind

# `from_values` looks members up by value here: calling the enum costs ten times as much, for every row.
_ITEM_KINDS = {member.value: member for member in ItemKind}
_ITEM_STATUSES = {member.value: member for member in ItemStatus}
_SOURCE_KINDS = {member.value: member for member in SourceKind}


@dataclass(frozen=True, slots=True)
class AreaRecord:
    id: int
    slug: str
    name: str
    name_en: str
    description: str
    position: int

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> AreaRecord:
        return cls(row["id"], row["slug"], row["name"], row["name_en"], row["description"], row["position"])

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> AreaRecord:
        return cls(v[0], v[1], v[2], v[3], v[4], v[5])


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    slug: str
    name: str
    area_id: int
    description: str
    homepage: str | None
    allow_contact_details: bool

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> OrganisationRecord:
        return cls(
            row["id"],
            row["slug"],
            row["name"],
            row["area_id"],
            row["description"],
            row["homepage"],
            bool(row["allow_contact_details"]),
        )

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> OrganisationRecord:
        return cls(v[0], v[1], v[2], v[3], v[4], v[5], bool(v[6]))


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    id: int
    name: str
    aliases: tuple[str, ...]
    category: str | None
    address: str | None
    lat: float | None
    lng: float | None
    verified: bool

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> PlaceRecord:
        return cls(
            row["id"],
            row["name"],
            tuple(row["aliases"] or ()),
            row["category"],
            row["address"],
            row["lat"],
            row["lng"],
            bool(row["verified"]),
        )

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> PlaceRecord:
        return cls(v[0], v[1], tuple(v[2] or ()), v[3], v[4], v[5], v[6], bool(v[7]))


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    id: int
    slug: str
    name: str
    area_id: int | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> CategoryRecord:
        return cls(row["id"], row["slug"], row["name"], row["area_id"])

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> CategoryRecord:
        return cls(v[0], v[1], v[2], v[3])


@dataclass(frozen=True, slots=True)
class SourceRefRecord:
    id: int
    item_id: int
    organisation_id: int
    kind: SourceKind
    external_id: str
    url: str | None
    posted_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> SourceRefRecord:
        return cls(
            row["id"],
            row["item_id"],
            row["organisation_id"],
            SourceKind(row["kind"]),
            row["external_id"],
            row["url"],
            row["posted_at"],
        )

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> SourceRefRecord:
        return cls(v[0], v[1], v[2], _SOURCE_KINDS[v[3]], v[4], v[5], v[6])


@dataclass(frozen=True, slots=True)
class FeedItemRecord:
    id: int
    organisation_id: int
    area_id: int
    kind: ItemKind
    status: ItemStatus
    title: str
    body: str
    excerpt: str
    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool
    is_online: bool
    place_id: int | None
    place_detail: str | None
    apply_until: datetime | None
    fee: str | None
    images: tuple[str, ...]
    tags: tuple[str, ...]
    posted_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> FeedItemRecord:
        return cls(
            id=row["id"],
            organisation_id=row["organisation_id"],
            area_id=row["area_id"],
            kind=ItemKind(row["kind"]),
            status=ItemStatus(row["status"]),
            title=row["title"],
            body=row["body"],
            excerpt=row["excerpt"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            all_day=bool(row["all_day"]),
            is_online=bool(row["is_online"]),
            place_id=row["place_id"],
            place_detail=row["place_detail"],
            apply_until=row["apply_until"],
            fee=row["fee"],
            images=tuple(row["images"] or ()),
            tags=tuple(row["tags"] or ()),
            posted_at=row["posted_at"],
            updated_at=row["updated_at"],
        )

    @classmethod
    def from_values(cls, v: Sequence[Any]) -> FeedItemRecord:
        return cls(
            v[0],
            v[1],
            v[2],
            _ITEM_KINDS[v[3]],
            _ITEM_STATUSES[v[4]],
            v[5],
            v[6],
            v[7],
            v[8],
            v[9],
            bool(v[10]),
            bool(v[11]),
            v[12],
            v[13],
            v[14],
            v[15],
            tuple(v[16] or ()),
            tuple(v[17] or ()),
            v[18],
            v[19],
        )
