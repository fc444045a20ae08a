"""Seed data: the Namwon demo (organisations, gazetteer, posts) and the gazetteer alone.

Demo posts enter through the ingestion pipeline like any connector's posts, never through raw SQL.
Seeding twice changes nothing that is already there.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from hub.db import Database
from hub.errors import InvalidInput
from hub.ingest.pipeline import Outcome, ingest_post
from hub.services.feed_import import replay_demo_feeds
from hub.services.organisations import add_organisation, organisations_by_slugs
from hub.services.places import load_gazetteer
from hub.sync import SyncReport
from org_connectors import RawPost, SourceKind, StructuredEvent

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
NAMWON = SEEDS_DIR / "namwon"


@dataclass(frozen=True, slots=True)
class SeedReport:
    organisations_added: int
    places: int
    posts_created: int
    posts_updated: int
    posts_unchanged: int
    feeds: SyncReport = field(default_factory=SyncReport)  # the demo blog, board and calendar files


async def seed_places(db: Database, directory: Path = NAMWON) -> int:
    return await load_gazetteer(db, directory / "places.csv")


async def seed_organisations(db: Database, directory: Path = NAMWON) -> int:
    with (directory / "organisations.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = await organisations_by_slugs(db, [row["slug"] for row in rows])
    added = 0
    for row in rows:
        if row["slug"] in existing:
            continue
        await add_organisation(
            db,
            slug=row["slug"],
            name=row["name"],
            area_slug=row["area"],
            description=row["description"],
            homepage=row["homepage"] or None,
        )
        added += 1
    return added


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), zone)


def demo_post(entry: dict[str, Any], today: date, zone: ZoneInfo) -> RawPost:
    """A demo entry with times relative to `today` as a MANUAL post."""
    posted_at = _at(today - timedelta(days=entry["posted_days_ago"]), entry["posted_time"], zone)
    event = None
    if spec := entry.get("event"):
        day = today + timedelta(days=spec["in_days"])
        if spec.get("all_day"):
            starts_at = datetime.combine(day, time(0), zone)
            ends_at = datetime.combine(today + timedelta(days=spec["end_in_days"] + 1), time(0), zone)
            event = StructuredEvent(starts_at, ends_at, all_day=True, location=spec.get("location"))
        else:
            end = _at(day, spec["end"], zone) if spec.get("end") else None
            event = StructuredEvent(_at(day, spec["start"], zone), end, location=spec.get("location"))
    return RawPost(
        source_kind=SourceKind.MANUAL,
        external_id=entry["id"],
        posted_at=posted_at,
        title=entry["title"],
        body=entry["body"],
        author_is_staff=True,
        tags=tuple(entry.get("tags", ())),
        event=event,
        payload={"categories": entry.get("categories", []), "demo": True},
    )


async def seed_demo_posts(db: Database, zone: ZoneInfo, directory: Path = NAMWON) -> dict[Outcome, int]:
    document = orjson.loads((directory / "demo" / "posts.json").read_bytes())
    entries: list[dict[str, Any]] = document["posts"]
    organisations = await organisations_by_slugs(db, [entry["org"] for entry in entries])
    today = datetime.now(zone).date()
    counts = dict.fromkeys(Outcome, 0)
    for entry in entries:
        organisation = organisations.get(entry["org"])
        if organisation is None:
            raise InvalidInput(
                f"데모 글의 기관이 없습니다: {entry['org']} / Demo post names unknown organisation"
            )
        result = await ingest_post(db, organisation, demo_post(entry, today, zone))
        counts[result.outcome] += 1
    return counts


async def seed_demo(
    db: Database, zone: ZoneInfo, directory: Path = NAMWON, *, feeds: bool = False
) -> SeedReport:
    """`feeds` also replays the demo blog, board and calendar files (`hub seed demo` does)."""
    added = await seed_organisations(db, directory)
    places = await seed_places(db, directory)
    counts = await seed_demo_posts(db, zone, directory)
    replayed = await replay_demo_feeds(db, zone, directory) if feeds else SyncReport()
    return SeedReport(
        added, places, counts[Outcome.CREATED], counts[Outcome.UPDATED], counts[Outcome.UNCHANGED], replayed
    )
