"""Search, newest first: the SQLite FTS5 index is keyed by when an item was posted, not by its id.

A common two-syllable word matches tens of thousands of items at 1,000,000 (`공연`: 55,706). Reading the
newest 20 of them meant collecting every match and sorting (15–25 ms). Keyed by posting time, FTS5 hands
them out newest first and stops after one page (≈ 0.2 ms): the key is
`whole seconds of posted_at × 2³¹ + id` (`hub.search.SEARCH_KEY_*`), so it sorts like (posted second, id),
and the id is its low 31 bits. The table becomes contentless (`content=''`): FTS5 no longer needs to read
feed_item, and the triggers pass the old tokens when they remove an entry, as before. PostgreSQL has no
such index to change (its GIN index is unchanged); only SQLite's table is rebuilt.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("feed_item_fts_update", "feed_item_fts_delete", "feed_item_fts_insert")


# The FTS rowid of a row (`new` or `old` in a trigger, or the table itself), as hub.search.search_key:
# whole seconds of posted_at × 2³¹ + id. Written out in each statement (no string building in SQL).
NEW_FTS = [
    "CREATE VIRTUAL TABLE feed_item_fts USING fts5(search_tokens, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER feed_item_fts_insert AFTER INSERT ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(rowid, search_tokens) "
    "VALUES ((CAST(strftime('%s', new.posted_at) AS INTEGER) * 2147483648 + new.id), new.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_delete AFTER DELETE ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, search_tokens) "
    "VALUES ('delete', (CAST(strftime('%s', old.posted_at) AS INTEGER) * 2147483648 + old.id), "
    "old.search_tokens); END",
    # posted_at too: the key moves with it.
    "CREATE TRIGGER feed_item_fts_update AFTER UPDATE OF search_tokens, posted_at ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, search_tokens) "
    "VALUES ('delete', (CAST(strftime('%s', old.posted_at) AS INTEGER) * 2147483648 + old.id), "
    "old.search_tokens); "
    "INSERT INTO feed_item_fts(rowid, search_tokens) "
    "VALUES ((CAST(strftime('%s', new.posted_at) AS INTEGER) * 2147483648 + new.id), new.search_tokens); END",
    "INSERT INTO feed_item_fts(rowid, search_tokens) "
    "SELECT (CAST(strftime('%s', feed_item.posted_at) AS INTEGER) * 2147483648 + feed_item.id), "
    "search_tokens FROM feed_item",
]

# As revision 0003 made it: external content, keyed by id.
OLD_FTS = [
    "CREATE VIRTUAL TABLE feed_item_fts USING fts5(search_tokens, content='feed_item', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER feed_item_fts_insert AFTER INSERT ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_delete AFTER DELETE ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_update AFTER UPDATE OF search_tokens ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); "
    "INSERT INTO feed_item_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "INSERT INTO feed_item_fts(feed_item_fts) VALUES ('rebuild')",
]


def _replace(statements: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS feed_item_fts")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _replace(NEW_FTS)


def downgrade() -> None:
    _replace(OLD_FTS)
