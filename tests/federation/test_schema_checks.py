"""Schema checks in CI: hub + partner compose, and a breaking change fails unless listed as deliberate."""

from __future__ import annotations

import subprocess
from pathlib import Path

from partner.schema import sdl as partner_sdl
from tests.support.node_tools import ROOT, require_node_package

BASELINE = ROOT / "schema" / "schema.baseline.graphql"


def _node(*args: str) -> subprocess.CompletedProcess[str]:
    node = require_node_package("@graphql-inspector/core")
    require_node_package("@apollo/composition")
    return subprocess.run([node, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_committed_schema_has_no_unlisted_breaking_change() -> None:
    checked = _node("tools/schema_check.mjs")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_breaking_edit_fails_until_listed_as_deliberate(tmp_path: Path) -> None:
    sdl = BASELINE.read_text()
    fee = '  """Fee as written (무료, 5,000원), if stated."""\n  fee: String\n'
    assert fee in sdl and "  homepage: String\n" in sdl
    edited = tmp_path / "schema.graphql"
    edited.write_text(sdl.replace(fee, "").replace("  homepage: String\n", "  homepage: Int\n"))
    deliberate = tmp_path / "deliberate-changes.txt"
    deliberate.write_text("# nothing yet\n")
    args = ("tools/schema_check.mjs", "--current", str(edited), "--deliberate", str(deliberate))

    refused = _node(*args)
    assert refused.returncode == 1
    assert "BREAKING: Field 'fee' was removed from object type 'FeedItem'" in refused.stdout
    assert "FIELD_REMOVED FeedItem.fee  # why" in refused.stdout
    assert "changed type from 'String' to 'Int'" in refused.stdout

    deliberate.write_text(
        "FIELD_REMOVED FeedItem.fee  # 요금은 applyInfo로 옮김, 2027-01 공지\n"
        "FIELD_TYPE_CHANGED Organisation.homepage  # test only\n"
    )
    accepted = _node(*args)
    assert accepted.returncode == 0, accepted.stdout
    assert "deliberate: Field 'fee' was removed" in accepted.stdout

    # A listed change that no longer happens is stale: it could hide a later break of the same field.
    deliberate.write_text(deliberate.read_text() + "FIELD_REMOVED FeedItem.title  # never happened\n")
    stale = _node(*args)
    assert stale.returncode == 1
    assert "STALE: FIELD_REMOVED FeedItem.title" in stale.stdout


def test_additions_are_not_breaking(tmp_path: Path) -> None:
    edited = tmp_path / "schema.graphql"
    edited.write_text(
        BASELINE.read_text().replace("type Query {", 'type Query {\n  """새 필드."""\n  hello: String\n', 1)
    )
    checked = _node("tools/schema_check.mjs", "--current", str(edited))
    assert checked.returncode == 0, checked.stdout
    assert '"breaking":0' in checked.stdout


def test_committed_partner_sdl_is_current() -> None:
    assert (ROOT / "partner" / "schema.graphql").read_text() == partner_sdl(), (
        "run: python -m partner --print-schema --out partner/schema.graphql"
    )


def test_hub_and_partner_compose_without_hints(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    composed = _node(
        "tools/compose.mjs",
        "hub=schema/schema.graphql",
        "partner=partner/schema.graphql",
        "--url",
        "hub=http://hub:8000/graphql",
        "--url",
        "partner=http://partner:4001/graphql",
        "--out",
        str(supergraph),
    )
    assert composed.returncode == 0, composed.stderr
    assert "hint:" not in composed.stderr, composed.stderr
    text = supergraph.read_text()
    assert 'PARTNER @join__graph(name: "partner", url: "http://partner:4001/graphql")' in text
    assert 'HUB @join__graph(name: "hub", url: "http://hub:8000/graphql")' in text
    # The partner's field on the hub's entity, and its reference to the hub's FeedItem.
    assert "mentors: [Mentor!]! @join__field(graph: PARTNER)" in text
    assert '@join__type(graph: PARTNER, key: "id", resolvable: false)' in text
