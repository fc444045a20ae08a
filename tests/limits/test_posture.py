"""Production posture: anonymous clients get no introspection and no field suggestions; staff keep them."""

from __future__ import annotations

from pathlib import Path

from hub.db import Database
from tests.limits.support import SECRET, graphql, hub_http, staff_token

INTROSPECT = "{ __schema { queryType { name } } }"
TYPO = "{ feed { edges { node { titel } } } }"


async def test_anonymous_in_production(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path, env="prod", secret_key=SECRET) as http:
        schema = await graphql(http, INTROSPECT)
        hidden_type = await graphql(http, '{ __type(name: "FeedItem") { name } }')
        typo = await graphql(http, TYPO)
        sdl = await graphql(http, "{ _service { sdl } }")
        typename = await graphql(http, "{ __typename }")
    assert schema["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert "스키마 조회" in schema["errors"][0]["message"]
    assert hidden_type["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    [error] = typo["errors"]
    assert "Cannot query field 'titel'" in error["message"] and "Did you mean" not in error["message"]
    # The gateway composes the hub from `_service { sdl }`: it stays readable (HUB_FEDERATION_SDL).
    assert "type FeedItem" in sdl["data"]["_service"]["sdl"]
    assert typename["data"] == {"__typename": "Query"}


async def test_federation_sdl_can_be_closed(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path, env="prod", secret_key=SECRET, federation_sdl=False) as http:
        sdl = await graphql(http, "{ _service { sdl } }")
    assert sdl["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_staff_keep_introspection_and_suggestions_in_production(lite: Database, tmp_path: Path) -> None:
    token = await staff_token(lite)
    async with hub_http(lite, tmp_path, env="prod", secret_key=SECRET) as http:
        schema = await graphql(http, INTROSPECT, token)
        typo = await graphql(http, TYPO, token)
    assert schema["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean 'title'?" in typo["errors"][0]["message"]


async def test_development_keeps_both_for_everyone(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path, env="dev") as http:
        schema = await graphql(http, INTROSPECT)
        typo = await graphql(http, TYPO)
    assert schema["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean 'title'?" in typo["errors"][0]["message"]
