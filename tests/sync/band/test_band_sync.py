"""A band synced through the simulator: paging, the high-water mark, edits, deletions, review, markup."""

from __future__ import annotations

from sqlmodel import col, select

from hub.models import DeadLetter, RawPost, Tombstone
from hub.services.sources import SourceState
from org_connectors.band.client import PATH_POSTS
from org_connectors.band.simulator import BandSimulatorState, load_band_fixtures
from tests.sync.band.conftest import FIXTURES, TOKEN, Harness, distinct_posts, live, stored_items

BAND = "AAAnwSyncTestBand0000001"


def _band(sim: BandSimulatorState, count: int, *, band_key: str = BAND, member_every: int = 0) -> None:
    sim.add_band(band_key, "남원 마을활동가 네트워크")
    sim.add_posts(band_key, distinct_posts(band_key, count, member_every=member_every))


async def test_first_sync_pages_through_everything_then_stops_at_the_mark(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim, 45)
    source = await harness.connect("village-network", BAND)

    first = await harness.sync(source)
    assert first.failure is None and first.report is not None
    assert first.report.created == 45
    assert sim.request_count(PATH_POSTS) == 3  # 20 + 20 + 5, following next_params
    cursor = (await harness.source(source)).cursor
    assert [key for key, _ in cursor["mark"]][:3] == sim.post_keys(BAND)[:3]
    assert cursor["pass"] is None and cursor["syncs"] == 1

    sim.clear_requests()
    again = await harness.sync(source)
    assert again.report is not None and again.report.created == 0 and again.report.updated == 0
    assert again.report.unchanged == 3  # the overlap window: three mark posts, then stop
    assert sim.request_count(PATH_POSTS) == 1

    # A new post, and an edit far down the list (page 3): an edit moves a post to the top, like on BAND.
    old_key = sim.post_keys(BAND)[40]
    sim.edit_post(BAND, old_key, "[정정] 마을활동가 교육은 4월 14일(화) 오후 7시로 바뀌었습니다.")
    new_key = sim.add_post(BAND, "[긴급] 내일 요천 플로깅은 비 때문에 취소합니다. 다음 주에 만나요.")
    sim.clear_requests()
    third = await harness.sync(source)
    assert third.report is not None
    assert (third.report.created, third.report.updated) == (1, 1)
    assert sim.request_count(PATH_POSTS) == 1
    items = live(await stored_items(harness.db, source.organisation_id))
    assert len(items) == 46
    assert "4월 14일(화) 오후 7시로 바뀌었습니다" in items[old_key].body
    assert "취소" in items[new_key].body
    assert (await harness.source(source)).state is SourceState.OK


async def test_an_added_photo_updates_the_item_but_a_new_comment_alone_does_not(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim, 5)
    source = await harness.connect("village-network", BAND)
    await harness.sync(source)
    key = sim.post_keys(BAND)[3]
    # A comment changes the counts BAND lists, not what the item says.
    sim.add_comment(BAND, key, "참석하겠습니다!")
    commented = await harness.sync(source)
    assert commented.report is not None and commented.report.updated == 0
    poster = "https://coresos-phinf.pstatic.net/a/sim/poster-2026.jpg"
    content = sim.post_content(BAND, key) + '\n<band:attachment type="photo" id="7001" />'
    sim.edit_post(BAND, key, content, photos=[{"url": poster, "width": 800, "height": 1131}])
    edited = await harness.sync(source)
    assert edited.report is not None and edited.report.updated == 1
    item = live(await stored_items(harness.db, source.organisation_id))[key]
    assert item.images[0] == poster
    async with harness.db.read() as conn:
        revision = (
            await conn.execute(select(RawPost.revision).where(col(RawPost.external_id) == f"{BAND}:{key}"))
        ).scalar_one()
    assert revision == 2


async def test_deleted_posts_are_withdrawn_at_reconciliation_and_never_come_back(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim, 30)
    source = await harness.connect("village-network", BAND, reconcile_every_syncs=2)
    await harness.sync(source)
    doomed = [sim.post_keys(BAND)[i] for i in (0, 7, 25)]
    doomed_items = live(await stored_items(harness.db, source.organisation_id))
    for key in doomed:
        sim.delete_post(BAND, key)

    # Incremental syncs read only the top of the list; a deletion shows only in a full listing.
    incremental = await harness.sync(source)
    assert incremental.report is not None and incremental.report.withdrawn == 0
    await harness.sync(source)
    reconciled = await harness.sync(source)
    assert reconciled.report is not None and reconciled.report.withdrawn == 3
    cursor = (await harness.source(source)).cursor
    assert cursor["syncs_since_reconcile"] == 0

    items = await stored_items(harness.db, source.organisation_id)
    assert set(live(items)) == set(sim.post_keys(BAND))
    by_id = {item.id: item for item in items}
    assert all(by_id[doomed_items[key].id].status == "WITHDRAWN" for key in doomed)
    async with harness.db.read() as conn:
        tombstones = set((await conn.execute(select(Tombstone.external_id))).scalars())
    assert tombstones == {f"{BAND}:{key}" for key in doomed}

    # The same post showing up again (restored, or replayed by a bad cache) does not revive it.
    sim.add_post(BAND, "복원된 글입니다: 4월 마을 회의 안내", post_key=doomed[0])
    revived = await harness.sync(source)
    assert revived.report is not None and revived.report.created == 0
    items = await stored_items(harness.db, source.organisation_id)
    assert doomed[0] not in live(items)
    assert by_id[doomed_items[doomed[0]].id].status == "WITHDRAWN"
    assert len(items) == 30


async def test_members_posts_wait_for_review_unless_the_source_says_otherwise(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim, 40, member_every=3)
    reviewed = await harness.connect("village-network", BAND)
    await harness.sync(reviewed)
    generated = {p["post_key"]: p for p in distinct_posts(BAND, 40, member_every=3)}
    items = live(await stored_items(harness.db, reviewed.organisation_id))
    members = {key for key, p in generated.items() if p["author"]["role"] == "member"}
    assert members and len(members) < 40
    assert {key for key, item in items.items() if item.status == "PENDING_REVIEW"} == members

    other = "AAAnwSyncTestBand0000002"
    _band(sim, 40, band_key=other, member_every=3)
    open_source = await harness.connect("youth-open", other, review=False)
    await harness.sync(open_source)
    opened = live(await stored_items(harness.db, open_source.organisation_id))
    assert len(opened) == 40 and all(item.status == "PUBLISHED" for item in opened.values())


async def test_markup_mentions_become_members_and_names_never_reach_items(
    harness: Harness, sim: BandSimulatorState
) -> None:
    fixtures = load_band_fixtures(FIXTURES, sim)
    names: set[str] = set()
    sources = []
    for fixture in fixtures:
        assert fixture.organisation_slug
        sources.append(await harness.connect(fixture.organisation_slug, fixture.band.band_key))
    import orjson

    for path in FIXTURES.glob("*.json"):
        data = orjson.loads(path.read_bytes())
        for post in data["posts"]:
            if post["author"].get("role") == "member":
                names.add(post["author"]["name"])
        for comments in (data.get("comments") or {}).values():
            names.update(c["author"]["name"] for c in comments if c["author"].get("role") == "member")
    import re

    for path in FIXTURES.glob("*.json"):
        names.update(re.findall(r"<band:refer [^>]*>([^<]+)</band:refer>", path.read_text()))
    assert len(names) >= 4

    texts: list[str] = []
    for source in sources:
        outcome = await harness.sync(source)
        assert outcome.failure is None, outcome.failure
        for item in await stored_items(harness.db, source.organisation_id):
            texts.append(" ".join([item.title, item.body, *item.tags]))
    joined = "\n".join(texts)
    assert "@회원" in joined
    assert "<band:" not in joined and "&amp;" not in joined and "&lt;" not in joined
    assert not [name for name in names if name in joined]
    assert "#플로깅" in joined or "플로깅" in joined
    # BAND's own "joined the band" notice is not news.
    assert "밴드에 가입했습니다" not in joined


async def test_a_post_the_client_cannot_read_is_a_dead_letter_of_the_source(
    harness: Harness, sim: BandSimulatorState
) -> None:
    _band(sim, 4)
    broken = {"post_key": "AADbrokenNoCreatedAt0001", "content": "날짜 없는 글", "author": {"name": "김"}}
    sim.add_posts(BAND, [broken])
    source = await harness.connect("village-network", BAND)
    first = await harness.sync(source)
    assert first.report is not None and (first.report.created, first.report.dead_letters) == (4, 1)
    again = await harness.sync(source)
    assert again.report is not None and again.report.dead_letters == 0  # recorded once, not every sync
    async with harness.db.read() as conn:
        letters = (
            await conn.execute(select(DeadLetter.source_id, DeadLetter.reason, DeadLetter.payload))
        ).all()
    assert len(letters) == 1
    assert letters[0].source_id == source.id and "created_at" in letters[0].reason
    assert "AADbrokenNoCreatedAt0001" in letters[0].payload and TOKEN not in letters[0].payload
    assert (await harness.source(source)).state is SourceState.OK
