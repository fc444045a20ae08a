"""Inputs of the staff mutations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry

from hub.services.staff_sources import Connection
from schema.enums import ItemKind

strawberry.enum(Connection, name="ConnectionKind", description="What kind of source to connect.")

MAX_CATEGORIES = 10


@strawberry.input(description="Fields to correct; leave out what stays. Corrections survive re-ingestion.")
class ItemCorrectionInput:
    title: str | None = strawberry.field(default=None, description="A better title.")
    kind: ItemKind | None = strawberry.field(default=None, description="The right kind.")
    starts_at: datetime | None = strawberry.field(default=None, description="The right start (with offset).")
    ends_at: datetime | None = strawberry.field(default=None, description="The right end (with offset).")
    all_day: bool | None = strawberry.field(default=None, description="True when only dates matter.")
    place: str | None = strawberry.field(default=None, description="The place's name, e.g. 남원시립도서관.")
    place_detail: str | None = strawberry.field(default=None, description="Room or floor, e.g. 3층 강의실.")
    categories: list[str] | None = strawberry.field(default=None, description="Category slugs (replace all).")

    def fields(self) -> dict[str, Any]:
        given: dict[str, Any] = {}
        for name, target in (
            ("title", "title"),
            ("kind", "kind"),
            ("starts_at", "starts_at"),
            ("ends_at", "ends_at"),
            ("all_day", "all_day"),
            ("place", "place_name"),
            ("place_detail", "place_detail"),
        ):
            value = getattr(self, name)
            if value is not None:
                given[target] = value.value if isinstance(value, enum.Enum) else value
        if self.categories is not None:
            given["categories"] = list(self.categories[:MAX_CATEGORIES])
        return given


@strawberry.input(description="A staff-written announcement or event, posted as a MANUAL source.")
class AnnouncementInput:
    organisation: str = strawberry.field(description="Organisation slug.")
    title: str = strawberry.field(description="Title.")
    body: str = strawberry.field(description="Text.")
    kind: ItemKind | None = strawberry.field(default=None, description="Kind (default: EVENT with a start).")
    starts_at: datetime | None = strawberry.field(default=None, description="Start, for events.")
    ends_at: datetime | None = strawberry.field(default=None, description="End, for events.")
    all_day: bool = strawberry.field(default=False, description="Only dates matter.")
    place: str | None = strawberry.field(default=None, description="Place name.")
    categories: list[str] | None = strawberry.field(default=None, description="Category slugs.")


@strawberry.input(
    description="A source to connect. Secrets are write-only: stored encrypted, never returned."
)
class ConnectSourceInput:
    organisation: str = strawberry.field(description="Organisation slug.")
    kind: Connection = strawberry.field(description="BAND, KAKAO, RSS or ICAL.")
    name: str | None = strawberry.field(default=None, description="A name staff recognise.")
    url: str | None = strawberry.field(
        default=None, description="RSS/iCal address (private ones are sealed)."
    )
    band_key: str | None = strawberry.field(default=None, description="BAND: the band_key.")
    access_token: str | None = strawberry.field(
        default=None, description="BAND: the access token (write-only)."
    )
    bot_id: str | None = strawberry.field(default=None, description="Kakao: the channel bot id.")
    staff_names: list[str] | None = strawberry.field(
        default=None, description="Kakao: staff whose messages are kept."
    )
    header_secret: bool = strawberry.field(default=False, description="Kakao: also require a secret header.")
    review_non_staff: bool = strawberry.field(
        default=True, description="BAND: members' posts wait for review (default true)."
    )
