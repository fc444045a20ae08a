"""Split an automatic merge: detach a source the pipeline joined to an item into an item of its own.

The pipeline joins a post to a stored item when it announces the same event (`hub.ingest.matching`);
sometimes it is wrong. A facilitator, or staff of the organisation whose post was joined, detaches that
source: its post is understood again into a new item, and a `SourceSplit` row tells the pipeline never to
match that post to an item again, so the split survives re-ingestion and `hub reprocess`. (A facilitator's
own merges are undone with `curation.split_item`.) The change and its audit entry commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.auth.policy import moderates, require_authenticated, require_organisation
from hub.auth.roles import ApiScope, Role
from hub.auth.viewer import Viewer
from hub.db import Database
from hub.enums import PUBLIC_STATUSES, ItemStatus
from hub.errors import NotFound
from hub.ingest.inbox import from_document
from hub.ingest.pipeline import ingest_in_session
from hub.models import FeedItem, FeedItemSource, ItemMerge, RawPost, Source, SourceSplit
from hub.records import FeedItemRecord, OrganisationRecord
from hub.services.audit import record_action
from hub.services.staff_items import ITEM_NOT_FOUND, FieldError, record_of
from org_connectors import SourceKind

_ref = FeedItemSource.__table__  # type: ignore[attr-defined]
_merge = ItemMerge.__table__  # type: ignore[attr-defined]
_split = SourceSplit.__table__  # type: ignore[attr-defined]

NOT_A_SOURCE = "이 항목의 출처가 아닙니다 / This is not a source of the item"
NOT_AUTOMATIC = (
    "자동으로 합쳐진 출처가 아닙니다 (촉진단이 합친 항목은 splitItem으로 나눕니다) / "
    "This source was not merged automatically (undo a facilitator's merge with splitItem)"
)
ONLY_SOURCE = "항목의 유일한 출처는 떼어 낼 수 없습니다 / The only source of an item cannot be split off"
NO_ORIGINAL = "원본 글이 저장되어 있지 않아 나눌 수 없습니다 / The original post is not stored"


@dataclass(frozen=True, slots=True)
class SourceKey:
    organisation: OrganisationRecord
    kind: SourceKind
    external_id: str


@dataclass(frozen=True, slots=True)
class SplitResult:
    item: FeedItemRecord  # the new item the detached source now shows
    remaining: FeedItemRecord  # the item it was detached from


def _is_curator(viewer: Viewer) -> bool:
    return viewer.is_user and viewer.role in {Role.ADMIN, Role.FACILITATOR}


async def split_source(db: Database, viewer: Viewer, item_id: int, key: SourceKey) -> SplitResult:
    """Detach `key` from `item_id` into its own item. Facilitators and admins may split any automatic
    merge; organisation staff (and their API keys with the ITEMS scope) only their own organisation's
    source. Raises `Forbidden`, `NotFound` (an item the viewer may not see) or `FieldError`."""
    require_authenticated(viewer)
    if not _is_curator(viewer):
        require_organisation(viewer, key.organisation.id, ApiScope.ITEMS)
    async with db.write() as session:
        item = await session.get(FeedItem, item_id)
        if item is None or (
            ItemStatus(item.status) not in PUBLIC_STATUSES
            and not _is_curator(viewer)
            and not moderates(viewer, item.organisation_id, item.area_id)
        ):
            raise NotFound(ITEM_NOT_FOUND)
        ref = (
            await session.execute(
                select(FeedItemSource).where(
                    _ref.c.item_id == item_id,
                    _ref.c.organisation_id == key.organisation.id,
                    _ref.c.kind == key.kind.value,
                    _ref.c.external_id == key.external_id,
                )
            )
        ).scalar()
        if ref is None:
            raise FieldError("source", NOT_A_SOURCE)
        if ref.match_score is None:
            raise FieldError("source", NOT_AUTOMATIC)
        sources = (await session.execute(select(func.count()).where(_ref.c.item_id == item_id))).scalar_one()
        if sources < 2:
            raise FieldError("source", ONLY_SOURCE)
        raw = await session.get(RawPost, ref.raw_post_id) if ref.raw_post_id is not None else None
        if raw is None:
            raise FieldError("source", NO_ORIGINAL)
        review_non_staff = True  # the pipeline's default for a post without a connected source
        if raw.source_id is not None:
            source = await session.get(Source, raw.source_id)
            review_non_staff = source.review_non_staff if source is not None else True
        before = {
            "item": item_id,
            "source": [key.organisation.id, key.kind.value, key.external_id],
            "match_score": ref.match_score,
            "match_reason": ref.match_reason,
        }

        await session.delete(ref)
        await _forget_in_merges(session, item_id, [key.organisation.id, key.kind.value, key.external_id])
        split = (
            await session.execute(
                select(SourceSplit).where(
                    _split.c.organisation_id == key.organisation.id,
                    _split.c.kind == key.kind.value,
                    _split.c.external_id == key.external_id,
                )
            )
        ).scalar()
        if split is None:
            split = SourceSplit(
                organisation_id=key.organisation.id,
                kind=key.kind.value,
                external_id=key.external_id,
                created_by=viewer.label,
            )
        split.split_from_item_id, split.created_by = item_id, viewer.label
        session.add(split)
        await session.flush()

        # The post is understood again on its own, exactly as the pipeline would have stored it alone.
        result = await ingest_in_session(
            session,
            key.organisation,
            from_document(raw.payload),
            source_id=raw.source_id,
            review_non_staff=review_non_staff,
            reprocess=True,
        )
        assert result.item_id is not None and result.item_id != item_id
        new_item = await session.get(FeedItem, result.item_id)
        assert new_item is not None
        item.updated_at = datetime.now(UTC)
        session.add(item)
        record_action(
            session,
            viewer,
            "item.split_source",
            f"FeedItem:{item_id}",
            organisation_id=key.organisation.id,
            before=before,
            after={"item": new_item.id, "status": new_item.status},
        )
        await session.flush()
        return SplitResult(record_of(new_item), record_of(item))


async def _forget_in_merges(session: AsyncSession, item_id: int, ref: list[object]) -> None:
    """A facilitator merge that moved this source onto the item must not move it back on `splitItem`."""
    merges = (await session.execute(select(ItemMerge).where(_merge.c.kept_item_id == item_id))).scalars()
    for merge in merges:
        kept = [moved for moved in merge.moved_refs if list(moved) != ref]
        if len(kept) != len(merge.moved_refs):
            merge.moved_refs = kept
            session.add(merge)
