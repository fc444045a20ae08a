"""The printed SDL is committed (schema/schema.graphql); any drift must be deliberate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schema import schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    printed = schema.as_str() + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == printed, (
        "schema/schema.graphql is out of date: run `hub schema --out schema/schema.graphql` and review the diff"
    )


def test_the_names_front_ends_rely_on_are_there() -> None:
    types: dict[str, Any] = dict(schema._schema.type_map)
    feed = types["Query"].fields["feed"]
    assert list(feed.args) == ["filter", "orderBy", "first", "after"]
    assert str(feed.type) == "FeedItemConnection!"
    assert set(types["FeedFilter"].fields) >= {
        "areas",
        "organisations",
        "categories",
        "kinds",
        "text",
        "startsAfter",
        "startsBefore",
        "near",
        "sourceKinds",
    }
    assert set(types["FeedItem"].fields) >= {
        "id",
        "kind",
        "title",
        "body",
        "excerpt",
        "organisation",
        "coHosts",
        "area",
        "categories",
        "startsAt",
        "endsAt",
        "allDay",
        "isOnline",
        "place",
        "applyUntil",
        "fee",
        "images",
        "sources",
        "postedAt",
        "updatedAt",
        "status",
    }
    assert set(types["ItemKind"].values) == {"ANNOUNCEMENT", "EVENT", "GATHERING", "NOTICE"}
    assert set(types["SourceKind"].values) == {"BAND", "KAKAO", "RSS", "ICAL", "MANUAL", "API"}
    sdl = COMMITTED.read_text(encoding="utf-8")
    for entity in (
        'FeedItem implements Node @key(fields: "id")',
        'Organisation implements Node @key(fields: "slug")',
        'Area implements Node @key(fields: "slug")',
        'Place implements Node @key(fields: "id")',
    ):
        assert f"type {entity}" in sdl


def test_every_public_field_and_argument_has_a_description() -> None:
    undocumented: list[str] = []
    for type_name, graphql_type in schema._schema.type_map.items():
        if type_name.startswith("_") or not hasattr(graphql_type, "fields"):
            continue
        if type_name in {"Query"} or not type_name.startswith("__"):
            for field_name, field in graphql_type.fields.items():
                if field_name.startswith("_"):
                    continue
                if not field.description:
                    undocumented.append(f"{type_name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        undocumented.append(f"{type_name}.{field_name}({arg_name})")
    assert undocumented == []
