"""Pipeline stages as pure functions over frozen data: RawPost → Normalised → ItemDraft.

Only `hub/ingest/pipeline.py` touches the database. The understanding stage here reads what a post
states as data (title, structured event times, place); reading times and places from Korean free text
plugs in at `understand()`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from hub.enums import ItemKind
from org_connectors import RawPost, SourceKind

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


def understand(normalised: Normalised) -> ItemDraft:
    raw = normalised.raw
    event = raw.event
    kind = ItemKind.EVENT if event is not None else ItemKind.ANNOUNCEMENT
    return ItemDraft(
        title=derive_title(normalised),
        body=normalised.body,
        excerpt=_shorten(normalised.body, EXCERPT_MAX),
        kind=kind,
        starts_at=event.starts_at if event else None,
        ends_at=event.ends_at if event else None,
        all_day=event.all_day if event else False,
        place_name=clean_text(event.location) if event and event.location else None,
        is_online=raw.source_kind is SourceKind.ICAL and _looks_online(event.location if event else None),
        images=raw.images,
        tags=normalised.tags,
        categories=_stated_categories(raw),
        cancelled=bool(event and event.cancelled),
    )


def _looks_online(location: str | None) -> bool:
    return bool(location) and bool(
        re.search(r"zoom|줌|온라인|youtube|유튜브|meet\.google", location or "", re.I)
    )


def _stated_categories(raw: RawPost) -> tuple[str, ...]:
    """Staff-written posts (manual, API) state their categories; other sources are read for them."""
    if raw.source_kind not in {SourceKind.MANUAL, SourceKind.API}:
        return ()
    stated = raw.payload.get("categories", ())
    return tuple(str(c) for c in stated) if isinstance(stated, list | tuple) else ()
