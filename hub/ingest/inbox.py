"""How a connector's `RawPost` is kept in the inbox (JSON), so it can be reprocessed later."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson

from org_connectors import DatePrecision, RawPost, SourceKind, StructuredEvent


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def to_document(raw: RawPost) -> dict[str, Any]:
    event = raw.event
    return {
        "source_kind": raw.source_kind.value,
        "external_id": raw.external_id,
        "posted_at": _dt(raw.posted_at),
        "posted_at_precision": raw.posted_at_precision.value,
        "updated_at": _dt(raw.updated_at),
        "title": raw.title,
        "body": raw.body,
        "url": raw.url,
        "author_name": raw.author_name,
        "author_is_staff": raw.author_is_staff,
        "images": list(raw.images),
        "tags": list(raw.tags),
        "event": None
        if event is None
        else {
            "starts_at": _dt(event.starts_at),
            "ends_at": _dt(event.ends_at),
            "all_day": event.all_day,
            "location": event.location,
            "cancelled": event.cancelled,
        },
        "payload": dict(raw.payload),
    }


def from_document(doc: dict[str, Any]) -> RawPost:
    event_doc = doc.get("event")
    event = None
    if event_doc:
        starts_at = _parse_dt(event_doc["starts_at"])
        assert starts_at is not None
        event = StructuredEvent(
            starts_at=starts_at,
            ends_at=_parse_dt(event_doc.get("ends_at")),
            all_day=bool(event_doc.get("all_day")),
            location=event_doc.get("location"),
            cancelled=bool(event_doc.get("cancelled")),
        )
    posted_at = _parse_dt(doc["posted_at"])
    assert posted_at is not None
    return RawPost(
        source_kind=SourceKind(doc["source_kind"]),
        external_id=doc["external_id"],
        posted_at=posted_at,
        posted_at_precision=DatePrecision(doc.get("posted_at_precision", "second")),
        updated_at=_parse_dt(doc.get("updated_at")),
        title=doc.get("title"),
        body=doc.get("body", ""),
        url=doc.get("url"),
        author_name=doc.get("author_name"),
        author_is_staff=doc.get("author_is_staff"),
        images=tuple(doc.get("images", ())),
        tags=tuple(doc.get("tags", ())),
        event=event,
        payload=doc.get("payload", {}),
    )


def content_hash(document: dict[str, Any]) -> str:
    """Hash of what the post says (not when it was fetched): unchanged posts are skipped on re-poll."""
    material = {k: v for k, v in document.items() if k not in {"payload"}}
    return hashlib.sha256(orjson.dumps(material, option=orjson.OPT_SORT_KEYS)).hexdigest()
