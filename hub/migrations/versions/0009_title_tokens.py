"""Ranked search reads whether the words are in the title: `feed_item.title_tokens`, and on SQLite a
second FTS5 column for them.

RELEVANCE ranked the window of recent matches with FTS5's `bm25()` on SQLite and `ts_rank` on
PostgreSQL: two orders, and `bm25()` counts every match of a word before it scores one (6.4 ms of a
12 ms page for `공연` at 1,000,000 items). The rank is now the number of the search's words found in the
title, then the newest: the same on both databases. `search_tokens` still holds the title too, so
matching is unchanged.

On SQLite the title's tokens go into FTS5 marked with U+E000 (`hub.search.TITLE_MARK`, a private-use
character the tokenizer never puts in a token), so "in the title" is a term of its own. A column filter
(`{title_tokens}: …`) would do the same, but walking newest first FTS5 checks the window's lower bound
only on rows that match: a word found in bodies and in no title walked every match (30 ms for 참가 at
1,000,000 items; the marked term: 0.03 ms).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.search import document_tokens

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("feed_item_fts_update", "feed_item_fts_delete", "feed_item_fts_insert")
BACKFILL_BATCH = 5000

# As 0008, with the title's tokens in a column of their own (the key is unchanged), each marked with
# U+E000 (`char(57344)`, hub.search.TITLE_MARK): `CASE t WHEN '' THEN '' ELSE char(57344) || replace(t,
# ' ', ' ' || char(57344)) END`, written out in each statement (no string building in SQL).
NEW_FTS = [
    "CREATE VIRTUAL TABLE feed_item_fts USING fts5(title_tokens, search_tokens, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER feed_item_fts_insert AFTER INSERT ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(rowid, title_tokens, search_tokens) "
    "VALUES ((CAST(strftime('%s', new.posted_at) AS INTEGER) * 2147483648 + new.id), "
    "CASE new.title_tokens WHEN '' THEN '' "
    "ELSE char(57344) || replace(new.title_tokens, ' ', ' ' || char(57344)) END, new.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_delete AFTER DELETE ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, title_tokens, search_tokens) "
    "VALUES ('delete', (CAST(strftime('%s', old.posted_at) AS INTEGER) * 2147483648 + old.id), "
    "CASE old.title_tokens WHEN '' THEN '' "
    "ELSE char(57344) || replace(old.title_tokens, ' ', ' ' || char(57344)) END, old.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_update AFTER UPDATE OF title_tokens, search_tokens, posted_at ON feed_item "
    "BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, title_tokens, search_tokens) "
    "VALUES ('delete', (CAST(strftime('%s', old.posted_at) AS INTEGER) * 2147483648 + old.id), "
    "CASE old.title_tokens WHEN '' THEN '' "
    "ELSE char(57344) || replace(old.title_tokens, ' ', ' ' || char(57344)) END, old.search_tokens); "
    "INSERT INTO feed_item_fts(rowid, title_tokens, search_tokens) "
    "VALUES ((CAST(strftime('%s', new.posted_at) AS INTEGER) * 2147483648 + new.id), "
    "CASE new.title_tokens WHEN '' THEN '' "
    "ELSE char(57344) || replace(new.title_tokens, ' ', ' ' || char(57344)) END, new.search_tokens); END",
    "INSERT INTO feed_item_fts(rowid, title_tokens, search_tokens) "
    "SELECT (CAST(strftime('%s', feed_item.posted_at) AS INTEGER) * 2147483648 + feed_item.id), "
    "CASE title_tokens WHEN '' THEN '' "
    "ELSE char(57344) || replace(title_tokens, ' ', ' ' || char(57344)) END, search_tokens FROM feed_item",
]

# As revision 0008 made it.
OLD_FTS = [
    "CREATE VIRTUAL TABLE feed_item_fts USING fts5(search_tokens, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER feed_item_fts_insert AFTER INSERT ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(rowid, search_tokens) "
    "VALUES ((CAST(strftime('%s', new.posted_at) AS INTEGER) * 2147483648 + new.id), new.search_tokens); END",
    "CREATE TRIGGER feed_item_fts_delete AFTER DELETE ON feed_item BEGIN "
    "INSERT INTO feed_item_fts(feed_item_fts, rowid, search_tokens) "
    "VALUES ('delete', (CAST(strftime('%s', old.posted_at) AS INTEGER) * 2147483648 + old.id), "
    "old.search_tokens); END",
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


def _drop_fts() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS feed_item_fts")


def _backfill() -> None:
    """Every title's tokens, in batches by id (the same tokenizer the pipeline uses)."""
    bind = op.get_bind()
    item = sa.table("feed_item", sa.column("id", sa.Integer), sa.column("title", sa.String))
    tokens = sa.table("feed_item", sa.column("id", sa.Integer), sa.column("title_tokens", sa.Text))
    update = tokens.update().where(tokens.c.id == sa.bindparam("item_id"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(item.c.id, item.c.title)
            .where(item.c.id > last)
            .order_by(item.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            update.values(title_tokens=sa.bindparam("tokens")),
            [{"item_id": row.id, "tokens": document_tokens(row.title)} for row in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the triggers name the new column; nothing may fire them half-way
        _drop_fts()
    # Plain add_column, not a batch table rebuild (a rebuild would drop the FTS5 triggers).
    op.add_column("feed_item", sa.Column("title_tokens", sa.Text(), nullable=False, server_default=""))
    _backfill()
    if sqlite:
        for statement in NEW_FTS:
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_fts()
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.drop_column("title_tokens")
    if sqlite:
        for statement in OLD_FTS:
            op.execute(statement)
