"""GraphQL over HTTP: `application/graphql-response+json` with the spec's status codes; npm graphql-http audits it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from tests.support import databases
from tests.support.graph import settings_for
from tests.support.node_tools import ROOT, require_node_package
from tests.support.server import serve_asgi

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
def hub_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    url = databases.fresh_sqlite(sqlite_template, tmp_path)
    with serve_asgi(create_app(settings_for(url, tmp_path))) as base_url:
        yield f"{base_url}/graphql"


def _post(url: str, accept: str, query: str, variables: dict[str, object] | None = None) -> httpx.Response:
    return httpx.post(
        url, json={"query": query, "variables": variables}, headers={"accept": accept}, timeout=10
    )


def test_graphql_http_audit_has_no_failures_or_warnings(hub_url: str) -> None:
    node = require_node_package("graphql-http")
    audit = subprocess.run(
        [node, "tools/http_audit.mjs", hub_url], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    lines = audit.stdout.strip().splitlines()
    assert lines, audit.stderr
    summary = json.loads(lines[-1])
    # Printed on failure: every audit that was not ok, with the response it judged.
    assert (summary["error"], summary["warn"]) == (0, 0), audit.stdout
    assert summary["ok"] == summary["audits"] >= 60, audit.stdout
    assert audit.returncode == 0, audit.stderr


def test_request_errors_are_400_without_data_for_graphql_response_clients(hub_url: str) -> None:
    response = _post(hub_url, GRAPHQL_RESPONSE, "{ organisation(slug: ")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Syntax Error")

    unknown_field = _post(hub_url, GRAPHQL_RESPONSE, '{ organisation(slug: "namwon-youth") { 전화번호 } }')
    assert unknown_field.status_code == 400
    assert "data" not in unknown_field.json()

    bad_variable = _post(
        hub_url, GRAPHQL_RESPONSE, "query($n: Int) { feed(first: $n) { edges { cursor } } }", {"n": "열"}
    )
    assert bad_variable.status_code == 400
    assert "data" not in bad_variable.json()


def test_application_json_clients_keep_status_200_with_errors(hub_url: str) -> None:
    response = _post(hub_url, "application/json", "{ organisation(slug: ")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] is None
    # No preference stated, or JSON preferred by weight: the legacy media type.
    assert _post(hub_url, "*/*", "{ __typename }").headers["content-type"].startswith("application/json")
    weighted = _post(hub_url, f"{GRAPHQL_RESPONSE};q=0.5, application/json", "{ __typename }")
    assert weighted.headers["content-type"].startswith("application/json")


def test_errors_during_execution_are_200_with_data(hub_url: str) -> None:
    # `first` beyond 100 is refused by the resolver: execution ran, so the spec wants 200 and `data`.
    response = _post(
        hub_url, f"{GRAPHQL_RESPONSE}, application/json;q=0.9", "{ feed(first: 1000) { edges { cursor } } }"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" in body and body["errors"][0]["path"] == ["feed"]
    ok = _post(hub_url, GRAPHQL_RESPONSE, '{ organisation(slug: "chunhyang-education") { name } }')
    assert ok.status_code == 200
    assert ok.json()["data"] == {"organisation": None}  # not seeded here: null, not an error
    assert "errors" not in ok.json()
