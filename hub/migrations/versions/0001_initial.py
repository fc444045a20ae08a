"""Initial schema, the five areas and the category taxonomy.

Every installation has the areas after `hub db upgrade`: they are part of the schema, not demo data.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 03:35:19.918370
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.types import JSONDocument, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


AREAS = [
    # slug, name, name_en, description
    ("community", "공동체", "Community", "마을공동체·주민자치·이웃 돌봄"),
    ("culture", "문화", "Culture", "공연·전시·축제·생활문화"),
    ("education", "교육", "Education", "마을교육·평생학습·강좌"),
    ("youth", "청년", "Youth", "청년 모임·일자리·창업"),
    ("civic", "시민참여", "Civic participation", "시민참여·시정·공론장"),
]

CATEGORIES = [
    # slug, name: the taxonomy the understanding stage assigns
    ("performance-exhibition", "공연·전시"),
    ("class-lecture", "교육·강좌"),
    ("club-meetup", "모임·동아리"),
    ("volunteer-sharing", "봉사·나눔"),
    ("youth-startup", "청년·창업"),
    ("hearing-briefing-meeting", "공청회·설명회·회의"),
    ("festival-event", "축제·행사"),
    ("recruitment-notice", "모집·공고"),
]


def _seed() -> None:
    area = sa.table(
        "area",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("name_en", sa.String),
        sa.column("description", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        area,
        [
            {"slug": slug, "name": name, "name_en": name_en, "description": description, "position": i}
            for i, (slug, name, name_en, description) in enumerate(AREAS)
        ],
    )
    category = sa.table(
        "category",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        category, [{"slug": slug, "name": name, "position": i} for i, (slug, name) in enumerate(CATEGORIES)]
    )


def upgrade() -> None:
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aliases", JSONDocument(), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_area_id"), ["area_id"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(4000), nullable=False),
        sa.Column("homepage", sa.String(500), nullable=True),
        sa.Column("allow_contact_details", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_area_id"), ["area_id"], unique=False)

    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dead_letter_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "feed_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.String(400), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("place_detail", sa.String(200), nullable=True),
        sa.Column("apply_until", UTCDateTime(), nullable=True),
        sa.Column("fee", sa.String(100), nullable=True),
        sa.Column("images", JSONDocument(), nullable=False),
        sa.Column("tags", JSONDocument(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_item_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_item_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_item_place_id"), ["place_id"], unique=False)
        batch_op.create_index("ix_feed_item_status_posted", ["status", "posted_at", "id"], unique=False)
        batch_op.create_index("ix_feed_item_status_starts", ["status", "starts_at", "id"], unique=False)

    op.create_table(
        "raw_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", JSONDocument(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "kind", "external_id", name="uq_raw_post_ref"),
    )
    with op.batch_alter_table("raw_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_post_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "kind", "external_id", name="uq_tombstone_ref"),
    )
    op.create_table(
        "feed_item_category",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["feed_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "category_id"),
    )
    with op.batch_alter_table("feed_item_category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_item_category_category_id"), ["category_id"], unique=False)

    op.create_table(
        "feed_item_cohost",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["feed_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("item_id", "organisation_id"),
    )
    with op.batch_alter_table("feed_item_cohost", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_item_cohost_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "feed_item_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.Column("raw_post_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["feed_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raw_post_id"],
            ["raw_post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "kind", "external_id", name="uq_source_ref"),
    )
    with op.batch_alter_table("feed_item_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_item_source_item_id"), ["item_id"], unique=False)

    _seed()


def downgrade() -> None:
    with op.batch_alter_table("feed_item_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_item_source_item_id"))

    op.drop_table("feed_item_source")
    op.drop_table("feed_item_cohost")
    with op.batch_alter_table("feed_item_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_item_category_category_id"))

    op.drop_table("feed_item_category")
    op.drop_table("tombstone")
    with op.batch_alter_table("raw_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_post_organisation_id"))

    op.drop_table("raw_post")
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_item_status_starts")
        batch_op.drop_index("ix_feed_item_status_posted")
        batch_op.drop_index(batch_op.f("ix_feed_item_place_id"))
        batch_op.drop_index(batch_op.f("ix_feed_item_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_feed_item_area_id"))

    op.drop_table("feed_item")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letter_organisation_id"))

    op.drop_table("dead_letter")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_area_id"))

    op.drop_table("organisation")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_area_id"))

    op.drop_table("category")
    op.drop_table("place")
    op.drop_table("area")
