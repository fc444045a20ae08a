"""The store: SQLModel tables. Reads for the graph go through `hub/records.py`; writes through services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.types import JSONDocument, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dt(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSONDocument(), nullable=False))


class Area(SQLModel, table=True):
    """관심 영역: a part of the graph run by one or more organisations."""

    __tablename__ = "area"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    description: str = Field(default="", max_length=2000)
    position: int = 0


class Organisation(SQLModel, table=True):
    """중간지원조직 and other organisations that post."""

    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=120)
    area_id: int = Field(foreign_key="area.id", index=True)
    description: str = Field(default="", max_length=4000)
    homepage: str | None = Field(default=None, max_length=500)
    # Whether individuals' phone numbers and e-mail addresses in its posts may be shown unmasked.
    allow_contact_details: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Place(SQLModel, table=True):
    """A place: from the gazetteer (verified, with coordinates) or as written in a post."""

    __tablename__ = "place"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    aliases: list[str] = _json(list)
    category: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = None
    lng: float | None = None
    verified: bool = False


class Category(SQLModel, table=True):
    """A category of the taxonomy; `area_id` set for categories an area added for itself."""

    __tablename__ = "category"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=80)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    position: int = 0


class Source(SQLModel, table=True):
    """A place an organisation posts that the hub reads: a band, a Kakao room or skill, a feed, a calendar.

    `state` is what staff see: ok, backing_off (temporary trouble, retried), needs_reconnect (staff must act),
    paused. `cursor` is the connector's own sync position (high-water mark, ETag); it advances in the same
    transaction as the rows it covers. `lease_owner`/`lease_until` let several hub processes share polling.
    """

    __tablename__ = "source"
    __table_args__ = (Index("ix_source_due", "state", "next_poll_at"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=200)
    config: dict[str, Any] = _json(dict)
    secret: str | None = Field(default=None, sa_type=Text, description="sealed by hub.secrets")
    state: str = Field(default="ok", max_length=20)
    last_error: str | None = Field(default=None, sa_type=Text)
    last_error_at: datetime | None = _dt()
    last_success_at: datetime | None = _dt()
    consecutive_failures: int = 0
    poll_interval_seconds: int = 900
    next_poll_at: datetime | None = _dt()
    cursor: dict[str, Any] = _json(dict)
    review_non_staff: bool = True
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = _dt()
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class FeedItem(SQLModel, table=True):
    """One thing residents see: an announcement, event, gathering or notice."""

    __tablename__ = "feed_item"
    __table_args__ = (
        Index("ix_feed_item_status_posted", "status", "posted_at", "id"),
        Index("ix_feed_item_status_starts", "status", "starts_at", "id"),
        Index("ix_feed_item_status_ends_starts", "status", "ends_at", "starts_at"),
        Index("ix_feed_item_status_starts_ends", "status", "starts_at", "ends_at"),
        Index("ix_feed_item_posted", "posted_at", "id"),
        Index("ix_feed_item_starts", "starts_at", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    excerpt: str = Field(default="", max_length=400)
    starts_at: datetime | None = _dt()
    ends_at: datetime | None = _dt()
    all_day: bool = False
    is_online: bool = False
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    place_detail: str | None = Field(default=None, max_length=200)
    apply_until: datetime | None = _dt()
    fee: str | None = Field(default=None, max_length=100)
    images: list[str] = _json(list)
    tags: list[str] = _json(list)
    posted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # hub.search tokens of title, body and place detail; indexed by FTS5 / GIN (migration 0003)
    search_tokens: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    # The title's tokens alone, which ranked search counts the words in (migration 0009)
    title_tokens: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    # Earlier values a change notice replaced: [{at, source, reason, before, after}], oldest first.
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument(), nullable=False, server_default="[]")
    )


class FeedItemCategory(SQLModel, table=True):
    __tablename__ = "feed_item_category"
    item_id: int = Field(foreign_key="feed_item.id", primary_key=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="category.id", primary_key=True, index=True, ondelete="CASCADE")


class FeedItemCoHost(SQLModel, table=True):
    """An organisation co-hosting an item besides its own organisation (공동 주최)."""

    __tablename__ = "feed_item_cohost"
    item_id: int = Field(foreign_key="feed_item.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


class FeedItemSource(SQLModel, table=True):
    """One place an item was seen. Unique per organisation, kind and external id: the upsert key."""

    __tablename__ = "feed_item_source"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "external_id", name="uq_source_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="feed_item.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=20)
    external_id: str = Field(max_length=300)
    url: str | None = Field(default=None, max_length=1000)
    posted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    raw_post_id: int | None = Field(default=None, foreign_key="raw_post.id")
    # Set when this source joined an item another source created: how sure, and why (for staff to check).
    match_score: float | None = None
    match_reason: str | None = Field(default=None, max_length=300)


class RawPost(SQLModel, table=True):
    """The inbox: every payload as it arrived, stored before it is parsed, kept for reprocessing."""

    __tablename__ = "raw_post"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "external_id", name="uq_raw_post_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    external_id: str = Field(max_length=300)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    content_hash: str = Field(max_length=64)
    payload: dict[str, Any] = _json(dict)
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    processed_at: datetime | None = _dt()
    revision: int = 1


class DeadLetter(SQLModel, table=True):
    """Input from outside that could not be used, with why and where, for staff to see and retry."""

    __tablename__ = "dead_letter"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    kind: str = Field(max_length=20)
    origin: str = Field(max_length=300, description="file and line, URL, or endpoint")
    reason: str = Field(max_length=2000)
    payload: str = Field(default="", sa_type=Text, description="the unreadable input, truncated")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Tombstone(SQLModel, table=True):
    """Deleted upstream or by staff: re-ingesting the same source reference never revives it."""

    __tablename__ = "tombstone"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "external_id", name="uq_tombstone_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=20)
    external_id: str = Field(max_length=300)
    reason: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class StaffUser(SQLModel, table=True):
    """A staff account: ADMIN, FACILITATOR, AREA_EDITOR (of one area) or ORG_STAFF (of one organisation)."""

    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=100)
    password_hash: str = Field(sa_type=Text, description="argon2id")
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class StaffSession(SQLModel, table=True):
    """One login: an access token and a refresh token, stored only as SHA-256 hashes."""

    __tablename__ = "staff_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    access_hash: str = Field(max_length=64, unique=True)
    access_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    refresh_hash: str = Field(max_length=64, unique=True)
    refresh_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = _dt()
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    """An organisation's key for its own tools: scoped, revocable, stored as a SHA-256 hash."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=20, description="the key's public start, to recognise it in lists")
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = _json(list)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = _dt()
    last_used_at: datetime | None = _dt()


class ItemCorrection(SQLModel, table=True):
    """A staff correction of one field of an item; re-applied whenever the item is ingested again."""

    __tablename__ = "item_correction"
    item_id: int = Field(foreign_key="feed_item.id", primary_key=True, ondelete="CASCADE")
    field: str = Field(max_length=40, primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSONDocument(), nullable=True))
    corrected_by: str = Field(max_length=254)
    corrected_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ItemMerge(SQLModel, table=True):
    """A facilitator's decision that `merged_item_id` duplicates `kept_item_id`; survives reprocessing."""

    __tablename__ = "item_merge"
    id: int | None = Field(default=None, primary_key=True)
    kept_item_id: int = Field(foreign_key="feed_item.id", index=True, ondelete="CASCADE")
    merged_item_id: int = Field(foreign_key="feed_item.id", unique=True, ondelete="CASCADE")
    moved_refs: list[Any] = _json(list)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SourceSplit(SQLModel, table=True):
    """Staff detached this source from the item the pipeline automatically joined it to: the post stands
    alone and is never joined to another item by matching again (a facilitator may still merge it)."""

    __tablename__ = "source_split"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "external_id", name="uq_source_split_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=20)
    external_id: str = Field(max_length=300)
    split_from_item_id: int | None = Field(default=None, foreign_key="feed_item.id", ondelete="SET NULL")
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class AuditEntry(SQLModel, table=True):
    """Who did what to what, with the values before and after."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=254)
    actor_user_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    actor_api_key_id: int | None = Field(default=None, foreign_key="api_key.id", ondelete="SET NULL")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    action: str = Field(max_length=60)
    target: str = Field(max_length=120)
    before: dict[str, Any] = _json(dict)
    after: dict[str, Any] = _json(dict)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class Collection(SQLModel, table=True):
    """A facilitators' collection (모음): named, ordered items with a note each; public once published."""

    __tablename__ = "collection"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    status: str = Field(default="DRAFT", max_length=20)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CollectionItem(SQLModel, table=True):
    __tablename__ = "collection_item"
    collection_id: int = Field(foreign_key="collection.id", primary_key=True, ondelete="CASCADE")
    item_id: int = Field(foreign_key="feed_item.id", primary_key=True, index=True, ondelete="CASCADE")
    position: int = 0
    note: str = Field(default="", max_length=1000)


class FeaturedItem(SQLModel, table=True):
    """An item an area's editors feature at the top of their area."""

    __tablename__ = "featured_item"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    item_id: int = Field(foreign_key="feed_item.id", primary_key=True, ondelete="CASCADE")
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
