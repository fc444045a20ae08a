"""Staff accounts, sessions, API keys, corrections, merges, audit log, collections and featured items.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.types import JSONDocument, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_collection"),
        sa.UniqueConstraint("slug", name="uq_collection_slug"),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", JSONDocument(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_api_key_organisation_id_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
        sa.UniqueConstraint("key_hash", name="uq_api_key_key_hash"),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name="fk_staff_user_area_id_area"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_staff_user_organisation_id_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_user"),
        sa.UniqueConstraint("email", name="uq_staff_user_email"),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_user_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_user_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_api_key_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(120), nullable=False),
        sa.Column("before", JSONDocument(), nullable=False),
        sa.Column("after", JSONDocument(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_api_key_id"],
            ["api_key.id"],
            name="fk_audit_log_actor_api_key_id_api_key",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["staff_user.id"],
            name="fk_audit_log_actor_user_id_staff_user",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_audit_log_organisation_id_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "collection_item",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name="fk_collection_item_collection_id_collection",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["feed_item.id"], name="fk_collection_item_item_id_feed_item", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("collection_id", "item_id", name="pk_collection_item"),
    )
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collection_item_item_id"), ["item_id"], unique=False)

    op.create_table(
        "featured_item",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name="fk_featured_item_area_id_area"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["feed_item.id"], name="fk_featured_item_item_id_feed_item", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("area_id", "item_id", name="pk_featured_item"),
    )
    op.create_table(
        "item_correction",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", JSONDocument(), nullable=True),
        sa.Column("corrected_by", sa.String(254), nullable=False),
        sa.Column("corrected_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["feed_item.id"], name="fk_item_correction_item_id_feed_item", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "field", name="pk_item_correction"),
    )
    op.create_table(
        "item_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_item_id", sa.Integer(), nullable=False),
        sa.Column("merged_item_id", sa.Integer(), nullable=False),
        sa.Column("moved_refs", JSONDocument(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kept_item_id"],
            ["feed_item.id"],
            name="fk_item_merge_kept_item_id_feed_item",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_item_id"],
            ["feed_item.id"],
            name="fk_item_merge_merged_item_id_feed_item",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_item_merge"),
        sa.UniqueConstraint("merged_item_id", name="uq_item_merge_merged_item_id"),
    )
    with op.batch_alter_table("item_merge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_merge_kept_item_id"), ["kept_item_id"], unique=False)

    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("access_hash", sa.String(64), nullable=False),
        sa.Column("access_expires_at", UTCDateTime(), nullable=False),
        sa.Column("refresh_hash", sa.String(64), nullable=False),
        sa.Column("refresh_expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_user.id"], name="fk_staff_session_user_id_staff_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_session"),
        sa.UniqueConstraint("access_hash", name="uq_staff_session_access_hash"),
        sa.UniqueConstraint("refresh_hash", name="uq_staff_session_refresh_hash"),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_session")
    op.drop_table("item_merge")
    op.drop_table("item_correction")
    op.drop_table("featured_item")
    op.drop_table("collection_item")
    op.drop_table("audit_log")
    op.drop_table("staff_user")
    op.drop_table("api_key")
    op.drop_table("collection")
