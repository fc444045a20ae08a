"""Subscribable exports of any feed filter: `/feeds/calendar.ics` (iCalendar) and `/feeds/feed.atom` (Atom).

Query parameters mirror `FeedFilter` (lists comma-separated or repeated):
`areas`, `organisations`, `categories`, `kinds`, `sourceKinds`, `text`, `startsAfter`, `startsBefore`
(ISO date or datetime; a date means local midnight), `near=LAT,LNG,RADIUS_KM`.
Both answer `ETag` and `Last-Modified` and honour `If-None-Match` / `If-Modified-Since` with 304, so a
phone calendar polling every few minutes costs one query and no body.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from hub.db import Database
from hub.enums import ItemKind, ItemStatus
from hub.errors import InvalidInput
from hub.records import FeedItemRecord, OrganisationRecord, PlaceRecord, SourceRefRecord
from hub.services.feed import FeedOrder, FeedQuery, Near, feed_items
from hub.services.item_relations import sources_by_item_ids
from hub.services.organisations import organisations_by_ids
from hub.services.places import places_by_ids
from hub.settings import Settings
from org_connectors import SourceKind

ICS_LIMIT = 500
ATOM_LIMIT = 50
ICS_LOOKBACK = timedelta(days=30)  # a subscribed calendar keeps the last month's events visible
ATOM_NS = "http://www.w3.org/2005/Atom"
E = TypeVar("E", ItemKind, SourceKind)


def _values(request: Request, name: str) -> tuple[str, ...]:
    return tuple(v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip())


def _enums(request: Request, name: str, enum: Callable[[str], E]) -> tuple[E, ...]:
    try:
        return tuple(enum(value.upper()) for value in _values(request, name))
    except ValueError as exc:
        raise InvalidInput(f"{name} 값을 알 수 없습니다 / unknown {name} value: {exc}") from exc


def _moment(request: Request, name: str, zone: ZoneInfo) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), zone)
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            f"{name}은 ISO 날짜나 시각이어야 합니다 (예: 2026-12-01) / {name} must be an ISO date or datetime"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _near(request: Request) -> Near | None:
    raw = request.query_params.get("near")
    if not raw:
        return None
    try:
        lat, lng, radius = (float(part) for part in raw.split(","))
    except ValueError as exc:
        raise InvalidInput(
            "near는 '위도,경도,반경km' 형식입니다 (예: 35.41,127.39,2) / near must be 'lat,lng,radiusKm'"
        ) from exc
    return Near(lat, lng, radius)


def query_from_params(request: Request, zone: ZoneInfo, order: FeedOrder) -> FeedQuery:
    """The `FeedQuery` named by an export URL's query string (invalid values raise `InvalidInput`)."""
    text = request.query_params.get("text")
    query = FeedQuery(
        areas=_values(request, "areas"),
        organisations=_values(request, "organisations"),
        categories=_values(request, "categories"),
        kinds=_enums(request, "kinds", ItemKind),
        source_kinds=_enums(request, "sourceKinds", SourceKind),
        text=text.strip() if text is not None else None,
        starts_after=_moment(request, "startsAfter", zone),
        starts_before=_moment(request, "startsBefore", zone),
        near=_near(request),
        collection=request.query_params.get("collection") or None,
        order=order,
    )
    query.validate()
    return query


@dataclass(frozen=True, slots=True)
class _Bundle:
    items: list[FeedItemRecord]
    places: dict[int, PlaceRecord]
    sources: dict[int, list[SourceRefRecord]]
    organisations: dict[int, OrganisationRecord]

    def link(self, item: FeedItemRecord) -> str | None:
        return next((s.url for s in self.sources.get(item.id, []) if s.url), None)


async def _bundle(db: Database, items: list[FeedItemRecord]) -> _Bundle:
    ids = [item.id for item in items]
    place_ids = [item.place_id for item in items if item.place_id is not None]
    return _Bundle(
        items,
        await places_by_ids(db, place_ids) if place_ids else {},
        await sources_by_item_ids(db, ids) if ids else {},
        await organisations_by_ids(db, sorted({item.organisation_id for item in items})) if ids else {},
    )


def _validators(kind: str, request: Request, items: Sequence[FeedItemRecord]) -> tuple[str, datetime]:
    """A strong ETag over what the export shows, and the latest change (HTTP dates have whole seconds)."""
    digest = hashlib.sha256(f"{kind}?{request.url.query}".encode())
    for item in items:
        digest.update(f"|{item.id}:{item.updated_at.isoformat()}".encode())
    latest = max((item.updated_at for item in items), default=datetime(2026, 1, 1, tzinfo=UTC))
    return f'"{digest.hexdigest()[:32]}"', latest.astimezone(UTC).replace(microsecond=0)


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _ical(bundle: _Bundle, settings: Settings, title: str) -> bytes:
    zone = settings.zone
    host = urlsplit(settings.public_url).hostname or "yeongyeol.local"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Yeongyeol hub//연결 허브//KO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", str(zone))
    calendar.add_component(icalendar.Timezone.from_tzid(str(zone)))
    for item in bundle.items:
        if item.starts_at is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"feed-item-{item.id}@{host}")  # stable: the item id never changes
        event.add("dtstamp", item.updated_at.astimezone(UTC))
        event.add("last-modified", item.updated_at.astimezone(UTC))
        event.add("created", item.posted_at.astimezone(UTC))
        start = item.starts_at.astimezone(zone)
        if item.all_day:
            event.add("dtstart", start.date())
            end_day = (
                item.ends_at.astimezone(zone).date() if item.ends_at else start.date() + timedelta(days=1)
            )
            event.add("dtend", max(end_day, start.date() + timedelta(days=1)))
        else:
            event.add("dtstart", start)
            if item.ends_at is not None and item.ends_at > item.starts_at:
                event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title)
        organisation = bundle.organisations.get(item.organisation_id)
        description = item.body or item.excerpt
        if organisation is not None:
            description = f"{description}\n\n— {organisation.name}"
        event.add("description", description)
        place = bundle.places.get(item.place_id) if item.place_id is not None else None
        if place is not None:
            event.add("location", f"{place.name}, {place.address}" if place.address else place.name)
            if place.lat is not None and place.lng is not None:
                event.add("geo", (place.lat, place.lng))
        link = bundle.link(item)
        if link:
            event.add("url", link)
        event.add("status", "CANCELLED" if item.status is ItemStatus.CANCELLED else "CONFIRMED")
        event.add("sequence", 0)
        calendar.add_component(event)
    payload: bytes = calendar.to_ical()
    return payload


def _atom(bundle: _Bundle, settings: Settings, self_url: str, title: str) -> bytes:
    host = urlsplit(settings.public_url).hostname or "yeongyeol.local"
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "ko"})
    sub(feed, "id", f"tag:{host},2026:feed?{urlsplit(self_url).query}")
    sub(feed, "title", title)
    latest = max((item.updated_at for item in bundle.items), default=datetime(2026, 1, 1, tzinfo=UTC))
    sub(feed, "updated", latest.astimezone(UTC).isoformat())
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "generator", "Yeongyeol hub")
    for item in bundle.items:
        entry = sub(feed, "entry")
        sub(entry, "id", f"tag:{host},2026:feed-item/{item.id}")
        sub(entry, "title", item.title)
        sub(entry, "updated", item.updated_at.astimezone(UTC).isoformat())
        sub(entry, "published", item.posted_at.astimezone(UTC).isoformat())
        organisation = bundle.organisations.get(item.organisation_id)
        author = sub(entry, "author")
        sub(author, "name", organisation.name if organisation else "연결 허브")
        link = bundle.link(item)
        if link:
            sub(entry, "link", rel="alternate", href=link)
        sub(entry, "summary", item.excerpt or item.title)
        sub(entry, "content", item.body or item.excerpt, type="text")
        sub(entry, "category", term=item.kind.value)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    zone = settings.zone

    async def export(request: Request, kind: str) -> Response:
        try:
            if kind == "ics":
                query = query_from_params(request, zone, FeedOrder.UPCOMING)
                if query.starts_after is None:
                    query = _with(query, starts_after=datetime.now(UTC) - ICS_LOOKBACK)
                items = await feed_items(db, query, limit=ICS_LIMIT)
            else:
                items = await feed_items(
                    db, query_from_params(request, zone, FeedOrder.NEWEST), limit=ATOM_LIMIT
                )
        except InvalidInput as exc:
            return PlainTextResponse(exc.message, status_code=400)
        etag, last_modified = _validators(kind, request, items)
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(last_modified, usegmt=True),
            "Cache-Control": "public, max-age=300",
        }
        if _not_modified(request, etag, last_modified):
            return Response(status_code=304, headers=headers)
        bundle = await _bundle(db, items)
        title = "연결 허브 · 남원 한눈에"
        if kind == "ics":
            return Response(
                _ical(bundle, settings, title), media_type="text/calendar; charset=utf-8", headers=headers
            )
        return Response(
            _atom(bundle, settings, str(request.url), title),
            media_type="application/atom+xml; charset=utf-8",
            headers=headers,
        )

    async def ics(request: Request) -> Response:
        return await export(request, "ics")

    async def atom(request: Request) -> Response:
        return await export(request, "atom")

    return [
        Route("/feeds/calendar.ics", ics, methods=["GET", "HEAD"]),
        Route("/feeds/feed.atom", atom, methods=["GET", "HEAD"]),
    ]


def _with(query: FeedQuery, **changes: Any) -> FeedQuery:
    fields = {name: getattr(query, name) for name in FeedQuery.__dataclass_fields__}
    return FeedQuery(**{**fields, **changes})
