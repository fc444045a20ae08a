"""The mentor pool's own store: plain sqlite3, one short connection per call (cheap, and thread-safe)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS mentor (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    headline TEXT NOT NULL,
    organisation_slug TEXT NOT NULL,
    subjects TEXT NOT NULL,   -- JSON list of subjects, shown to residents
    keywords TEXT NOT NULL    -- JSON list of words that mark the hub's items this mentor leads
);
CREATE TABLE IF NOT EXISTS mentor_session (
    mentor_id INTEGER NOT NULL REFERENCES mentor(id),
    feed_item_id TEXT NOT NULL,  -- the hub's FeedItem global ID: the only thing shared is the key
    title TEXT NOT NULL,         -- as seen when linked, for people reading this database
    PRIMARY KEY (mentor_id, feed_item_id)
);
CREATE INDEX IF NOT EXISTS mentor_by_organisation ON mentor(organisation_slug);
"""


@dataclass(frozen=True, slots=True)
class MentorRecord:
    id: int
    name: str
    headline: str
    organisation_slug: str
    subjects: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HubItem:
    """An item of the hub's feed, as the partner sees it when linking sessions."""

    id: str
    title: str
    organisation_slug: str


def _mentor(row: sqlite3.Row) -> MentorRecord:
    return MentorRecord(
        id=row["id"],
        name=row["name"],
        headline=row["headline"],
        organisation_slug=row["organisation_slug"],
        subjects=tuple(json.loads(row["subjects"])),
        keywords=tuple(json.loads(row["keywords"])),
    )


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:  # one transaction: committed on success, rolled back on error
                yield conn

    def create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    def add_mentor(
        self,
        name: str,
        headline: str,
        organisation_slug: str,
        subjects: Sequence[str],
        keywords: Sequence[str],
    ) -> int:
        with self.connect() as conn:
            cursor = conn.execute(
                "INSERT INTO mentor (name, headline, organisation_slug, subjects, keywords)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    name,
                    headline,
                    organisation_slug,
                    json.dumps(list(subjects), ensure_ascii=False),
                    json.dumps(list(keywords), ensure_ascii=False),
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def mentors(self, subject: str | None = None) -> list[MentorRecord]:
        with self.connect() as conn:
            found = [_mentor(row) for row in conn.execute("SELECT * FROM mentor ORDER BY id")]
        return [mentor for mentor in found if subject is None or subject in mentor.subjects]

    def mentors_by_ids(self, ids: Sequence[int]) -> dict[int, MentorRecord]:
        marks = ",".join("?" * len(ids))
        with self.connect() as conn:
            rows = conn.execute(f"SELECT * FROM mentor WHERE id IN ({marks})", list(ids))  # noqa: S608
            return {row["id"]: _mentor(row) for row in rows}

    def mentors_by_organisations(self, slugs: Sequence[str]) -> dict[str, list[MentorRecord]]:
        marks = ",".join("?" * len(slugs))
        found: dict[str, list[MentorRecord]] = {slug: [] for slug in slugs}
        with self.connect() as conn:
            query = f"SELECT * FROM mentor WHERE organisation_slug IN ({marks}) ORDER BY id"  # noqa: S608
            for row in conn.execute(query, list(slugs)):
                found[row["organisation_slug"]].append(_mentor(row))
        return found

    def sessions_by_mentors(self, mentor_ids: Sequence[int]) -> dict[int, list[str]]:
        marks = ",".join("?" * len(mentor_ids))
        found: dict[int, list[str]] = {mentor_id: [] for mentor_id in mentor_ids}
        with self.connect() as conn:
            query = (
                f"SELECT mentor_id, feed_item_id FROM mentor_session WHERE mentor_id IN ({marks})"  # noqa: S608
                " ORDER BY rowid"
            )
            for row in conn.execute(query, list(mentor_ids)):
                found[row["mentor_id"]].append(row["feed_item_id"])
        return found

    def link_sessions(self, items: Sequence[HubItem]) -> int:
        """Link each mentor to the hub items of their organisation whose title holds one of their keywords."""
        linked = 0
        with self.connect() as conn:
            mentors = [_mentor(row) for row in conn.execute("SELECT * FROM mentor")]
            for mentor in mentors:
                for item in items:
                    if item.organisation_slug != mentor.organisation_slug:
                        continue
                    if any(keyword in item.title for keyword in mentor.keywords):
                        cursor = conn.execute(
                            "INSERT OR IGNORE INTO mentor_session (mentor_id, feed_item_id, title)"
                            " VALUES (?, ?, ?)",
                            (mentor.id, item.id, item.title),
                        )
                        linked += cursor.rowcount
        return linked
