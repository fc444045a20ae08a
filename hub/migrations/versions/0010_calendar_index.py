"""Month calendar: a (status, starts_at, ends_at) index, so the items starting in a window come with their
ends from the index alone, as the (status, ends_at, starts_at) index gives the items still running.

An unfiltered month at 1,000,000 items read about 17,000 rows through the table (~60 ms of SQL per
request); from the two indexes it is ~9 ms.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain create/drop index, not a batch table rebuild: a rebuild would drop the FTS5 triggers.
    op.create_index("ix_feed_item_status_starts_ends", "feed_item", ["status", "starts_at", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_feed_item_status_starts_ends", table_name="feed_item")
