"""Pipeline stages as pure functions over frozen data: RawPost → Normalised → ItemDraft.

Only `hub/ingest/pipeline.py` touches the database. `understand()` reads when, where and what from the
Korean text (`hub.ingest.understand`), takes structured calendar times as they are, and masks
individuals' contact details unless the organisation allows them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.enums import ItemKind
from hub.ingest.understand import Gazetteer, Understanding
from hub.ingest.understand import understand as read_announcement
from hub.privacy import mask_personal_data
from org_connectors import RawPost, SourceKind

SEOUL = ZoneInfo("Asia/Seoul")

TITLE_MAX = 120
EXCERPT_MAX = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_HEAD = re.compile(r"^\s*[\[【<(]\s*(공지|안내|알림|모집|행사|notice)\s*[\]】>)]\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Normalised:
    raw: RawPost
    title: str | None
    body: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """Everything the pipeline would write to a feed item, before staff corrections."""

    title: str
    body: str
    excerpt: str
    kind: ItemKind
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    is_online: bool = False
    place_name: str | None = None
    place_detail: str | None = None
    apply_until: datetime | None = None
    fee: str | None = None
    categories: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cancelled: bool = False
    change: str | None = None  # CANCELLED, RESCHEDULED or CHANGED when the post is a change notice
    previous_starts_at: datetime | None = None  # the time a change notice replaces
    understanding: Understanding | None = None  # what matching compares; None for drafts from storage


def clean_text(text: str) -> str:
    """NFC (text from macOS/iOS arrives decomposed), no control characters, tidy whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise(raw: RawPost) -> Normalised:
    tags: list[str] = []
    for tag in raw.tags:
        cleaned = clean_text(tag).lstrip("#")
        if cleaned and cleaned not in tags:
            tags.append(cleaned)
    title = clean_text(raw.title) if raw.title else None
    return Normalised(raw=raw, title=title or None, body=clean_text(raw.body), tags=tuple(tags))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def derive_title(normalised: Normalised) -> str:
    if normalised.title:
        return _shorten(_HEAD.sub("", normalised.title) or normalised.title, TITLE_MAX)
    for line in normalised.body.split("\n"):
        stripped = _HEAD.sub("", line).strip(" -=*~·•")
        if len(stripped) >= 2:
            return _shorten(stripped, TITLE_MAX)
    return "(제목 없음)"


def understand(
    normalised: Normalised,
    *,
    gazetteer: Gazetteer | None = None,
    mask_personal: bool = True,
    tz: ZoneInfo = SEOUL,
) -> ItemDraft:
    raw = normalised.raw
    u = read_announcement(
        normalised.body,
        title=normalised.title,
        posted_at=raw.posted_at,
        gazetteer=gazetteer,
        structured=raw.event,
        tz=tz,
        mask_personal=mask_personal,
    )
    body = mask_personal_data(normalised.body) if mask_personal else normalised.body
    place_name = u.place.name if u.place is not None else u.place_name
    if place_name is None and raw.event is not None and raw.event.location:
        place_name = clean_text(raw.event.location)
    return ItemDraft(
        title=u.title or derive_title(normalised),
        body=body,
        excerpt=u.excerpt or _shorten(body, EXCERPT_MAX),
        kind=u.kind,
        starts_at=u.starts_at,
        ends_at=u.ends_at,
        all_day=u.all_day,
        is_online=u.is_online,
        place_name=place_name,
        place_detail=u.place_detail,
        apply_until=u.apply_until,
        fee=u.fee,
        images=raw.images,
        tags=normalised.tags,
        categories=_stated_categories(raw) or u.categories,
        cancelled=u.change == "CANCELLED",
        change=u.change,
        previous_starts_at=u.previous_starts_at,
        understanding=u,
    )


def _stated_categories(raw: RawPost) -> tuple[str, ...]:
    """Staff-written posts (manual, API) state their categories; other sources are read for them."""
    if raw.source_kind not in {SourceKind.MANUAL, SourceKind.API}:
        return ()
    stated = raw.payload.get("categories", ())
    return tuple(str(c) for c in stated) if isinstance(stated, list | tuple) else ()
