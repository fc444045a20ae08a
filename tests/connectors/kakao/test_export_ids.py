"""Re-importing an identical or overlapping export yields the same external ids, so nothing is added twice."""

from __future__ import annotations

from org_connectors.kakao import parse_export
from tests.connectors.kakao.support import fixture_bytes, parse_fixture

STAFF = ["청년정책 코디", "남원청년센터"]
ROOM = "남원 청년 원탁회의 준비단"


def test_identical_export_gives_identical_ids() -> None:
    first = parse_fixture("overlap_1.txt", staff=STAFF, room=ROOM)
    again = parse_fixture("overlap_1.txt", staff=STAFF, room=ROOM)

    assert [post.external_id for post in first.posts] == [post.external_id for post in again.posts]


def test_overlapping_exports_share_ids_only_for_the_overlap() -> None:
    first = {post.external_id: post for post in parse_fixture("overlap_1.txt", staff=STAFF, room=ROOM).posts}
    second = {post.external_id: post for post in parse_fixture("overlap_2.txt", staff=STAFF, room=ROOM).posts}

    shared = first.keys() & second.keys()
    assert [first[key].body.splitlines()[0] for key in shared] == ["원탁회의 당일 진행 순서"]
    assert len(first.keys() | second.keys()) == 5
    assert [post.body.splitlines()[0] for key, post in second.items() if key not in shared] == [
        "[결과] 6월 청년 원탁회의에서 제안 12건이 모였습니다."
    ]


def test_identical_messages_in_one_minute_are_told_apart_by_their_order() -> None:
    posts = parse_fixture("overlap_1.txt", staff=STAFF, room=ROOM).posts
    twins = [post for post in posts if post.body == "회의 자료는 청년마루 공유 폴더에 있습니다"]

    assert len(twins) == 2
    assert twins[0].external_id != twins[1].external_id


def test_ids_depend_on_the_room() -> None:
    here = parse_fixture("overlap_2.txt", staff=STAFF, room=ROOM).posts
    elsewhere = parse_fixture("overlap_2.txt", staff=STAFF, room="다른 방").posts

    assert {post.external_id for post in here}.isdisjoint(post.external_id for post in elsewhere)


def test_ids_survive_a_different_line_ending_and_encoding_of_the_same_chat() -> None:
    data = fixture_bytes("overlap_1.txt")
    crlf_cp949 = data.decode().replace("\n", "\r\n").encode("cp949")

    plain = parse_export(data, room=ROOM, staff=STAFF)
    other = parse_export(crlf_cp949, room=ROOM, staff=STAFF)

    assert [post.external_id for post in plain.posts] == [post.external_id for post in other.posts]


def test_the_same_message_from_a_text_and_a_csv_export_gets_the_same_id() -> None:
    # CSV has seconds, TXT minutes; the key uses the minute so both exports of one room agree.
    txt = (
        "--------------- 2025년 5월 30일 금요일 ---------------\n"
        "[남원시공동체지원센터] [오후 2:25] 파티 당일 주차는 남원시청 주차장을 이용해주세요\n"
    )
    csv = "Date,User,Message\n2025-05-30 14:25:10,남원시공동체지원센터,파티 당일 주차는 남원시청 주차장을 이용해주세요\n"

    from_txt = parse_export(txt.encode(), room=ROOM, staff=["남원시공동체지원센터"]).posts
    from_csv = parse_export(csv.encode(), room=ROOM, staff=["남원시공동체지원센터"]).posts

    assert from_txt[0].external_id == from_csv[0].external_id
