"""Sources an organisation connects (BAND, Kakao, RSS, iCal), with leases for shared polling.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:51:02.608046
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.types import JSONDocument, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("config", JSONDocument(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UTCDateTime(), nullable=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("poll_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", UTCDateTime(), nullable=True),
        sa.Column("cursor", JSONDocument(), nullable=False),
        sa.Column("review_non_staff", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index("ix_source_due", ["state", "next_poll_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_organisation_id"), ["organisation_id"], unique=False)

    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dead_letter_source_id"), ["source_id"], unique=False)
        batch_op.create_foreign_key("fk_dead_letter_source_id_source", "source", ["source_id"], ["id"])

    with op.batch_alter_table("raw_post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_raw_post_source_id"), ["source_id"], unique=False)
        batch_op.create_foreign_key("fk_raw_post_source_id_source", "source", ["source_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("raw_post", schema=None) as batch_op:
        batch_op.drop_constraint("fk_raw_post_source_id_source", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_raw_post_source_id"))
        batch_op.drop_column("source_id")

    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_constraint("fk_dead_letter_source_id_source", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_dead_letter_source_id"))
        batch_op.drop_column("source_id")

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_organisation_id"))
        batch_op.drop_index("ix_source_due")

    op.drop_table("source")
