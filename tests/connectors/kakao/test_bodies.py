"""Telling announcements from chatter, placeholders and system notices; masking member mentions."""

from __future__ import annotations

import pytest

from org_connectors.kakao.bodies import is_chatter, is_placeholder, is_system_text, mask_mentions


@pytest.mark.parametrize(
    "text",
    [
        "넵 확인했습니다!",
        "👍",
        "👍👍",
        "감사합니다",
        "ㅎㅎ",
        "^^",
        "넵 감사합니다 ㅎㅎ",
        "Thanks!",
        "수고 많으셨습니다~",
        "네네",
    ],
)
def test_reactions_and_thanks_are_chatter(text: str) -> None:
    assert is_chatter(text)


@pytest.mark.parametrize(
    "text",
    [
        "오늘 모임 취소합니다",
        "내일 회의 7시로 변경",
        "넵 확인했습니다! 장소는 청년마루입니다",
        "감사합니다\n신청은 금요일까지입니다",
        "[공지] 확인 부탁드립니다",
    ],
)
def test_short_messages_with_content_are_not_chatter(text: str) -> None:
    assert not is_chatter(text)


@pytest.mark.parametrize(
    "text",
    [
        "사진",
        "사진 3장",
        "동영상",
        "이모티콘",
        "<사진 읽지 않음>",
        "<동영상 읽지 않음>",
        "파일: 2025_씨앗모임_신청서.hwp",
        "Photo",
        "Emoticon",
        "File: poster.pdf",
        "삭제된 메시지입니다.",
        "관리자가 메시지를 가렸습니다.",
        "https://youtu.be/abc123",
    ],
)
def test_media_and_deleted_messages_are_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text", ["사진 전시회 안내", "파일은 메일로 보내주세요", "https://forms.gle/x 신청하세요"]
)
def test_text_mentioning_media_is_not_a_placeholder(text: str) -> None:
    assert not is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "최은비님이 들어왔습니다.",
        "박서연님이 나갔습니다.",
        "남원시공동체지원센터님이 이정훈님, 박서연님을 초대하였습니다.",
        "교육공동체 사무국님이 문서현님을 초대했습니다.",
        "김민수님을 내보냈습니다.",
        "서해린님이 부방장이 되었습니다.",
        "관리자만 말하기 기능이 활성화되었습니다.",
        "운영정책을 위반한 메시지로 신고 접수 시 카카오톡 이용에 제한이 있을 수 있습니다.",
        "청년모임 운영진 invited 최하늘 and 정우진.",
        "최하늘 left this chatroom.",
    ],
)
def test_system_notices_are_recognised(text: str) -> None:
    assert is_system_text(text)


@pytest.mark.parametrize(
    "text", ["새 회원이 많이 들어왔습니다.", "마을 분들이 모두 나갔습니다 ㅎㅎ", "초대장 보냈습니다."]
)
def test_ordinary_sentences_are_not_system_notices(text: str) -> None:
    assert not is_system_text(text)


def test_mentions_become_member_but_emails_and_url_paths_stay() -> None:
    text = (
        "@이정훈 @양세영 님 확인 부탁드려요. 문의 village@namwon-news.kr, https://instagram.com/@namwon_youth"
    )

    assert mask_mentions(text) == (
        "@회원 @회원 님 확인 부탁드려요. 문의 village@namwon-news.kr, https://instagram.com/@namwon_youth"
    )
