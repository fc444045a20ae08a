"""One item per real event, inside the pipeline: find the stored item a new post announces again.

The pure decision is `hub.ingest.dedupe`; this module reads the candidates for it. Candidates are the
public items starting within a day of the new post's start (or of the time a change notice replaces),
so each decision reads one small slice of the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.enums import PUBLIC_STATUSES, ItemKind
from hub.ingest import dedupe
from hub.ingest.understand import PlaceRef, Understanding
from hub.models import FeedItem, FeedItemSource, Organisation, Place

_item = FeedItem.__table__  # type: ignore[attr-defined]
_source = FeedItemSource.__table__  # type: ignore[attr-defined]
_org = Organisation.__table__  # type: ignore[attr-defined]
_place = Place.__table__  # type: ignore[attr-defined]

WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Match:
    item_id: int
    decision: dedupe.MatchDecision


async def _candidates(
    session: AsyncSession, around: list[datetime], exclude: int | None
) -> list[tuple[int, dedupe.EventFingerprint]]:
    first_kind = (
        select(_source.c.item_id, func.min(_source.c.kind).label("kind"))
        .group_by(_source.c.item_id)
        .subquery()
    )
    window = [_item.c.starts_at.between(moment - WINDOW, moment + WINDOW) for moment in around]
    from sqlalchemy import or_

    statement = (
        select(
            _item.c.id, _item.c.title, _item.c.excerpt, _item.c.body, _item.c.kind, _item.c.starts_at,
            _item.c.all_day, _item.c.is_online, _org.c.slug, _place.c.name, _place.c.address, _place.c.lat,
            _place.c.lng, _place.c.verified, first_kind.c.kind.label("source_kind"),
        )
        .join(_org, _org.c.id == _item.c.organisation_id)
        .outerjoin(_place, _place.c.id == _item.c.place_id)
        .outerjoin(first_kind, first_kind.c.item_id == _item.c.id)
        .where(or_(*window), _item.c.status.in_([s.value for s in PUBLIC_STATUSES]))
        .limit(500)
    )  # fmt: skip
    if exclude is not None:
        statement = statement.where(_item.c.id != exclude)
    rows = (await (await session.connection()).execute(statement)).mappings().all()
    found = []
    for row in rows:
        place = None
        if row["verified"] and row["lat"] is not None and row["lng"] is not None:
            place = PlaceRef(row["name"], row["address"], row["lat"], row["lng"])
        understood = Understanding(
            title=row["title"],
            excerpt=row["excerpt"],
            kind=ItemKind(row["kind"]),
            starts_at=row["starts_at"],
            all_day=bool(row["all_day"]),
            is_online=bool(row["is_online"]),
            place=place,
            place_name=None if place else row["name"],
        )
        fingerprint = dedupe.fingerprint(
            understood, organisation=row["slug"], source_kind=row["source_kind"] or "", body=row["body"]
        )
        found.append((int(row["id"]), fingerprint))
    return found


async def find_same_event(
    session: AsyncSession, new: dedupe.EventFingerprint, *, exclude: int | None = None
) -> Match | None:
    """The stored item announcing the same event (or the one a change notice refers to), best first."""
    around = [moment for moment in (new.starts_at, new.previous_starts_at) if moment is not None]
    if not around:
        return None
    best: Match | None = None
    for item_id, candidate in await _candidates(session, around, exclude):
        decision = dedupe.decide(new, candidate)
        if decision.same and (best is None or decision.score > best.decision.score):
            best = Match(item_id, decision)
    return best
