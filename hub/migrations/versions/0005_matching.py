"""One item per real event: why a source joined an item, and each item's history of changes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.types import JSONDocument

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history", JSONDocument(), nullable=False, server_default="[]"))
    with op.batch_alter_table("feed_item_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("match_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("match_reason", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_item_source", schema=None) as batch_op:
        batch_op.drop_column("match_reason")
        batch_op.drop_column("match_score")
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.drop_column("history")
