"""Upcoming items: the (status, ends_at) index also carries starts_at, so "still running" is read from
the index alone (items that end in the future, without visiting their rows).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain create/drop index, not a batch table rebuild: a rebuild would drop the FTS5 triggers.
    op.create_index("ix_feed_item_status_ends_starts", "feed_item", ["status", "ends_at", "starts_at"])
    op.drop_index("ix_feed_item_status_ends", table_name="feed_item")


def downgrade() -> None:
    op.create_index("ix_feed_item_status_ends", "feed_item", ["status", "ends_at"])
    op.drop_index("ix_feed_item_status_ends_starts", table_name="feed_item")
