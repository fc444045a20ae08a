"""Splits of automatic merges: a source staff detached from the item the pipeline joined it to.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_split",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=False),
        sa.Column("split_from_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_source_split_organisation_id_organisation"
        ),
        sa.ForeignKeyConstraint(
            ["split_from_item_id"],
            ["feed_item.id"],
            name="fk_source_split_split_from_item_id_feed_item",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_source_split"),
        sa.UniqueConstraint("organisation_id", "kind", "external_id", name="uq_source_split_ref"),
    )


def downgrade() -> None:
    op.drop_table("source_split")
