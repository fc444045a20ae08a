"""Plain read models: what services return to the graph, the CLI and exports (rows, not ORM objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.enums import ItemKind, ItemStatus
from org_connectors import SourceKind


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


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    id: int
    slug: str
    name: str
    area_id: int | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> CategoryRecord:
        return cls(row["id"], row["slug"], row["name"], row["area_id"])


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
