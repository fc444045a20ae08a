"""Each per-request limit: a query just under it passes, just over it fails with a readable error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.db import Database
from hub.limits.analysis import count_tokens
from tests.limits.support import graphql, hub_http, staff_token
from tests.support.factories import ingest, organisation, post


def refused(body: dict[str, Any], code: str) -> str:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    message: str = error["message"]
    assert " / " in message and any("가" <= ch <= "힣" for ch in message)  # Korean first, then English
    return message


def tokens(n: int) -> str:
    """A valid query of exactly n tokens (n even): repeated spreads of one fragment."""
    spreads = " ...F" * ((n - 10) // 2)
    return "{ __typename" + spreads + " } fragment F on Query { __typename }"


async def test_tokens(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path) as http:
        assert count_tokens(tokens(1000), 5000) == 1000
        ok = await graphql(http, tokens(1000))
        over = await graphql(http, tokens(1000).replace("{ __typename", "{ __typename __typename", 1))
    assert ok["data"] == {"__typename": "Query"}
    assert "1000" in refused(over, "QUERY_TOO_MANY_TOKENS")


def nested(levels: int) -> str:
    # feed > edges > node > sources > organisation > area (6) + organisations/area pairs + slug
    chain = (["organisations", "area"] * levels)[: levels - 7]
    inner = "slug"
    for name in reversed(chain):
        inner = f"{name} {{ {inner} }}"
    return f"{{ feed(first: 1) {{ edges {{ node {{ sources {{ organisation {{ area {{ {inner} }} }} }} }} }} }} }}"


async def test_depth(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path) as http:
        ok = await graphql(http, nested(8))
        over = await graphql(http, nested(9))
    assert "errors" not in ok and ok["data"]["feed"]["edges"] == []
    assert "depth 9 exceeds 8" in refused(over, "QUERY_TOO_DEEP")


async def test_aliases(lite: Database, tmp_path: Path) -> None:
    def aliased(n: int) -> str:
        return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"

    async with hub_http(lite, tmp_path) as http:
        ok = await graphql(http, aliased(10))
        over = await graphql(http, aliased(11))
    assert ok["data"]["a9"] == "Query"
    assert "11 aliases, at most 10" in refused(over, "QUERY_TOO_MANY_ALIASES")


async def test_directives_are_counted_before_validation(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path) as http:
        ok = await graphql(http, "{" + " __typename @include(if: true)" * 8 + " }")
        over = await graphql(http, "{" + " __typename @include(if: true)" * 9 + " }")
        # graphql-cop's directive-overloading probe: ten unknown directives must not give ten errors.
        unknown = await graphql(http, "query cop { __typename" + " @aa" * 10 + " }")
    assert ok["data"] == {"__typename": "Query"}
    assert "9 directives, at most 8" in refused(over, "QUERY_TOO_MANY_DIRECTIVES")
    refused(unknown, "QUERY_TOO_MANY_DIRECTIVES")


PAGE = "query($n: Int) { feed(first: $n) { edges { node { title categories { slug } sources { kind } } } } }"


async def test_node_estimate_and_cost_for_anonymous_and_staff(lite: Database, tmp_path: Path) -> None:
    org = await organisation(lite)
    await ingest(lite, org, post(1, title="청년마루 금요 보드게임 밤"))
    token = await staff_token(lite)
    async with hub_http(lite, tmp_path) as http:
        # n items, each with at most 10 categories and 10 sources: 21 × n nodes.
        ok = await graphql(http, PAGE, n=95)
        over = await graphql(http, PAGE, n=96)
        staff = await graphql(http, PAGE, token, n=96)
        staff_fanout = "{ areas { organisations { area { organisations { slug } } } } }"
        staff_over = await graphql(http, staff_fanout, token)
    assert ok["data"]["feed"]["edges"][0]["node"]["title"] == "청년마루 금요 보드게임 밤"
    assert ok["extensions"]["cost"] == {"nodes": 1995, "points": 20, "maxNodes": 2000}
    assert "2016" in refused(over, "QUERY_TOO_COSTLY")
    assert over["extensions"]["cost"]["nodes"] == 2016
    assert "errors" not in staff and staff["extensions"]["cost"]["maxNodes"] == 10_000
    # 10 areas × 100 organisations × 1 area × 100 organisations: above even the staff ceiling.
    assert "10000" in refused(staff_over, "QUERY_TOO_COSTLY").replace(",", "")


async def test_first_beyond_100_is_the_resolvers_clear_error_not_a_cost_refusal(
    lite: Database, tmp_path: Path
) -> None:
    async with hub_http(lite, tmp_path) as http:
        body = await graphql(http, "query($n: Int) { feed(first: $n) { edges { cursor } } }", n=32768)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["extensions"]["cost"]["nodes"] == 100
