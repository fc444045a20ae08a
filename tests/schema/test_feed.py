"""The feed: Relay pagination that survives new items, filters, orders and clear limits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col

from hub.db import Database
from hub.enums import ItemStatus
from hub.ingest.pipeline import ingest_post
from hub.models import Category, Organisation
from hub.seeds import seed_demo, seed_places
from hub.services.item_relations import forget_known
from tests.support.factories import BASE, SEOUL, ingest, organisation, post
from tests.support.graph import count_statements, graph_client, staff_token

PAGE = """query($first: Int, $after: String, $filter: FeedFilter, $order: FeedOrder) {
  feed(first: $first, after: $after, filter: $filter, orderBy: $order) {
    edges { cursor node { title startsAt postedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def titles(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["title"] for edge in data["feed"]["edges"]]


async def test_cursors_stay_valid_while_new_items_arrive(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    for n in range(5):
        await ingest(db, org, post(n, title=f"모임 {n}"))
    async with graph_client(db, tmp_path) as graph:
        first = await graph.data(PAGE, {"first": 2})
        assert titles(first) == ["모임 4", "모임 3"]
        # Two newer posts arrive between the reader's pages.
        await ingest(db, org, post(10, title="새 모임 A", posted_at=BASE + timedelta(days=1)))
        await ingest(db, org, post(11, title="새 모임 B", posted_at=BASE + timedelta(days=2)))
        second = await graph.data(PAGE, {"first": 2, "after": first["feed"]["pageInfo"]["endCursor"]})
        third = await graph.data(PAGE, {"first": 2, "after": second["feed"]["pageInfo"]["endCursor"]})
        fresh = await graph.data(PAGE, {"first": 2})
    assert titles(second) == ["모임 2", "모임 1"]
    assert titles(third) == ["모임 0"]
    assert third["feed"]["pageInfo"]["hasNextPage"] is False
    assert second["feed"]["pageInfo"]["hasPreviousPage"] is True
    assert titles(fresh) == ["새 모임 B", "새 모임 A"]
    assert fresh["feed"]["edges"][0]["node"]["postedAt"].endswith("+09:00")


async def test_first_outside_1_to_100_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    async with graph_client(db, tmp_path) as graph:
        for bad in (0, -1, 101, 32768):
            body = await graph.post(PAGE, {"first": bad})
            error = body["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "1에서 100 사이" in error["message"] and "between 1 and 100" in error["message"]
        assert len((await graph.data(PAGE, {"first": 100}))["feed"]["edges"]) == 0


async def test_a_tampered_or_foreign_cursor_is_refused(db: Database, tmp_path: Path) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        newest = await graph.data(PAGE, {"first": 1})
        cursor = newest["feed"]["pageInfo"]["endCursor"]
        foreign = await graph.post(PAGE, {"first": 1, "after": cursor, "order": "UPCOMING"})
        garbage = await graph.post(PAGE, {"first": 1, "after": "!!!"})
    assert "잘못된 커서" in foreign["errors"][0]["message"]
    assert garbage["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_filters_combine(db: Database, tmp_path: Path) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        youth = await graph.data(PAGE, {"filter": {"areas": ["youth"]}})
        culture_shows = await graph.data(
            PAGE,
            {"filter": {"organisations": ["namwon-culture-city"], "categories": ["performance-exhibition"]}},
        )
        notices = await graph.data(PAGE, {"filter": {"kinds": ["ANNOUNCEMENT"]}})
        text = await graph.data(PAGE, {"filter": {"text": "보드게임"}})
        # "청년마루" typed on an iPhone arrives decomposed (NFD); it must still match.
        nfd = await graph.data(
            PAGE, {"filter": {"text": "\u110e\u1165\u11bc\u1102\u1167\u11ab\u1106\u1161\u1105\u116e"}}
        )
        manual = await graph.data(PAGE, {"filter": {"sourceKinds": ["MANUAL"]}})
        band = await graph.data(PAGE, {"filter": {"sourceKinds": ["BAND"]}})
        # 광한루원 is about 1.5 km from the arts centre; 청년마루 and the city hall are closer in.
        near_gwanghallu = await graph.data(
            PAGE, {"filter": {"near": {"lat": 35.4030, "lng": 127.3800, "radiusKm": 0.5}}}
        )
        bad_radius = await graph.post(PAGE, {"filter": {"near": {"lat": 35.4, "lng": 127.4, "radiusKm": 0}}})
    assert set(titles(youth)) == {"청년마루 금요 보드게임 밤", "남원 청년 창업 아이디어 경진대회 참가팀 모집"}
    assert titles(culture_shows) == [
        "생활문화 동아리 한마당 '같이 놀자, 남원'",
        "기획전시 <지리산, 사람의 길>",
    ]
    assert titles(notices) == ["겨울철 한파 대비 경로당 난방비 지원 안내"]
    assert titles(text) == ["청년마루 금요 보드게임 밤"]
    assert titles(nfd) == ["청년마루 금요 보드게임 밤"]
    assert len(manual["feed"]["edges"]) == 14 and band["feed"]["edges"] == []
    assert titles(near_gwanghallu) == ["토요 마을학교: 광한루원 역사 탐방"]
    assert "radiusKm" in bad_radius["errors"][0]["message"]


async def test_upcoming_orders_by_start_and_leaves_past_events_out(db: Database, tmp_path: Path) -> None:
    await seed_demo(db, SEOUL)
    async with graph_client(db, tmp_path) as graph:
        upcoming = await graph.data(PAGE, {"first": 100, "order": "UPCOMING"})
    starts = [edge["node"]["startsAt"] for edge in upcoming["feed"]["edges"]]
    assert starts == sorted(starts) and None not in starts
    # The running exhibition (started a week ago, open for weeks) is still "on".
    assert "기획전시 <지리산, 사람의 길>" in titles(upcoming)
    # The announcement without a start is not an upcoming event.
    assert "겨울철 한파 대비 경로당 난방비 지원 안내" not in titles(upcoming)


async def test_review_queue_and_withdrawn_items_never_appear(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    await ingest_post(db, org, post(1, title="회원이 올린 글", staff=False))
    await ingest_post(db, org, post(2, title="운영진 공지"))
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data(PAGE)
    assert titles(data) == ["운영진 공지"]
    assert ItemStatus.PENDING_REVIEW.value == "PENDING_REVIEW"


FULL_PAGE = """query($first: Int) { feed(first: $first) { edges { node {
  id title organisation { slug name area { slug } } coHosts { slug } area { slug name }
  place { name lat lng } categories { slug name }
  sources { kind externalId url postedAt organisation { slug } } } } } }"""


async def test_a_page_of_100_costs_the_same_statements_as_a_page_of_1(db: Database, tmp_path: Path) -> None:
    orgs = [await organisation(db, f"org-{i}", area) for i, area in enumerate(["youth", "culture", "civic"])]
    await seed_places(db)
    places = ["청년마루", "광한루원", "남원시청", "어딘가 새 장소"]
    categories = {"categories": ["club-meetup", "festival-event"]}
    for n in range(120):
        # One event per hour: distinct events, so none of them is merged as a cross-post.
        raw = post(n, starts_in_days=n / 24, location=places[n % 4], payload=categories)
        await ingest(db, orgs[n % 3], raw)
    # 100 items × nested lists is above the anonymous cost limit (2,000 nodes); staff may ask for it.
    async with graph_client(db, tmp_path) as graph:
        graph.token = await staff_token(db)
        forget_known()  # each page starts with no organisation, area or place known
        with count_statements(db) as one:
            small = await graph.data(FULL_PAGE, {"first": 1})
        forget_known()
        with count_statements(db) as hundred:
            big = await graph.data(FULL_PAGE, {"first": 100})
        with count_statements(db) as again:
            await graph.data(FULL_PAGE, {"first": 100})
    assert len(small["feed"]["edges"]) == 1 and len(big["feed"]["edges"]) == 100
    assert {e["node"]["organisation"]["slug"] for e in big["feed"]["edges"]} >= {"org-0", "org-1", "org-2"}
    assert all(e["node"]["place"] and e["node"]["categories"] for e in big["feed"]["edges"])
    # the staff session; feed, item categories, sources, co-hosts; organisations, areas, places and the
    # taxonomy (kept)
    assert one.count == hundred.count, hundred.statements
    assert 2 <= hundred.count <= 9
    # Organisations, areas, places and the taxonomy are kept between requests until the next write.
    assert again.count == hundred.count - 4, again.statements


SLIM_PAGE = """query { feed(first: 5) { edges { node { title organisation { slug } } } } }"""
FRAGMENT_PAGE = """query { feed(first: 5) { edges { node { ...Item } } } }
fragment Item on FeedItem { title ... on FeedItem { categories { slug } } sources { kind url } coHosts { slug } }"""


async def test_a_page_reads_only_the_relations_its_query_selects(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    for n in range(5):
        await ingest(db, org, post(n, payload={"categories": ["club-meetup"]}))
    async with graph_client(db, tmp_path) as graph:
        await graph.data(FRAGMENT_PAGE)  # organisations, areas, places and the taxonomy now kept
        with count_statements(db) as slim:
            await graph.data(SLIM_PAGE)
        with count_statements(db) as full:
            data = await graph.data(FRAGMENT_PAGE)
    assert slim.count == 1, slim.statements  # the page itself: no categories, sources or co-hosts read
    assert full.count == 4, full.statements
    # Selected through a fragment and an inline fragment, the relations are read and answered.
    for edge in data["feed"]["edges"]:
        assert [c["slug"] for c in edge["node"]["categories"]] == ["club-meetup"]
        assert edge["node"]["sources"] and edge["node"]["coHosts"] == []


async def test_a_category_added_elsewhere_shows_on_the_next_page(db: Database, tmp_path: Path) -> None:
    org = await organisation(db)
    await ingest(db, org, post(1, title="겨울 공연", payload={"categories": ["club-meetup"]}))
    query = """{ feed(first: 1) { edges { node { title categories { slug name } } } } }"""
    async with graph_client(db, tmp_path) as graph:
        before = await graph.data(query)  # the taxonomy is now kept
        # Another process (the CLI, another replica) adds a category and files the item under it: no
        # write in this process tells the kept taxonomy.
        other = create_async_engine(db.url)
        try:
            async with other.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO category (slug, name, position) VALUES ('winter-special', '겨울 특집', -1)"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO feed_item_category (item_id, category_id) SELECT i.id, c.id "
                        "FROM feed_item i, category c WHERE c.slug = 'winter-special'"
                    )
                )
        finally:
            await other.dispose()
        after = await graph.data(query)
    assert [c["slug"] for c in before["feed"]["edges"][0]["node"]["categories"]] == ["club-meetup"]
    # Position -1 puts the new category first, in taxonomy order.
    assert after["feed"]["edges"][0]["node"]["categories"] == [
        {"slug": "winter-special", "name": "겨울 특집"},
        {"slug": "club-meetup", "name": "모임·동아리"},
    ]


async def test_a_renamed_organisation_shows_on_the_next_page(db: Database, tmp_path: Path) -> None:
    org = await organisation(db, "namwon-culture", "culture")
    await ingest(db, org, post(1, title="광한루원 달빛 음악회"))
    query = "{ feed(first: 5) { edges { node { title organisation { name area { slug } } } } } }"
    async with graph_client(db, tmp_path) as graph:
        before = await graph.data(query)
        async with db.write() as session:
            await session.execute(
                update(Organisation).where(col(Organisation.id) == org.id).values(name="남원문화도시센터")
            )
        after = await graph.data(query)
    assert before["feed"]["edges"][0]["node"]["organisation"]["name"] == "namwon-culture 기관"
    assert after["feed"]["edges"][0]["node"]["organisation"] == {
        "name": "남원문화도시센터",
        "area": {"slug": "culture"},
    }


async def test_the_taxonomy_lists_every_category_in_order_and_a_new_one_at_once(
    db: Database, tmp_path: Path
) -> None:
    query = "{ categories { slug name } }"
    async with graph_client(db, tmp_path) as graph:
        before = (await graph.data(query))["categories"]  # the taxonomy is now kept
        async with db.write() as session:  # any write in this process: the next read has it
            session.add(Category(slug="winter-special", name="겨울 특집", position=-1))
        after = (await graph.data(query))["categories"]
    async with db.read() as conn:
        stored = (await conn.execute(text("SELECT slug FROM category ORDER BY position, id"))).scalars().all()
    assert [c["slug"] for c in before] == [s for s in stored if s != "winter-special"]
    assert {"slug": "club-meetup", "name": "모임·동아리"} in before
    assert after == [{"slug": "winter-special", "name": "겨울 특집"}, *before]
