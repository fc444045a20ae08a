from __future__ import annotations

import pytest

from org_connectors.band.markup import Attachment, convert, looks_like_system_post, photo_attachment_ids

REFERENCE_CONTENT = (
    "[3월 정기 봉사 안내]\n일시: 3월 8일(토) 오전 10시\n장소: 탄천 종합운동장 정문\n"
    '<band:refer user_key="AACcT1x5dM3kZyQ0">김총무</band:refer> 님이 장갑을 준비합니다.\n'
    '<band:attachment type="photo" id="3452" />\n'
    "<band:hashtag>#플로깅</band:hashtag> <band:hashtag>#정기봉사</band:hashtag>\n"
    "참가비 5,000원 &amp; 간식 제공"
)


def test_reference_example_becomes_readable_text_with_tags_and_photo() -> None:
    result = convert(REFERENCE_CONTENT)

    assert result.text == (
        "[3월 정기 봉사 안내]\n일시: 3월 8일(토) 오전 10시\n장소: 탄천 종합운동장 정문\n"
        "@회원 님이 장갑을 준비합니다.\n#플로깅 #정기봉사\n참가비 5,000원 & 간식 제공"
    )
    assert result.tags == ("플로깅", "정기봉사")
    assert result.images == (Attachment(kind="photo", media_id="3452"),)
    assert result.mentions_removed == 1


@pytest.mark.parametrize(
    "content",
    [
        '<band:refer user_key="AACmember01">이순자</band:refer> 님 감사합니다',
        '<band:refer user_no="80231">이순자</band:refer> 님 감사합니다',
        "<band:refer>이순자</band:refer> 님 감사합니다",
        '<BAND:REFER user_key="x">이순자</BAND:REFER> 님 감사합니다',
        '<band:mention user_key="x">이순자</band:mention> 님 감사합니다',
    ],
)
def test_member_names_in_mentions_never_reach_the_text(content: str) -> None:
    result = convert(content)

    assert result.text == "@회원 님 감사합니다"
    assert "이순자" not in result.text
    assert result.mentions_removed == 1


def test_unclosed_or_wrapped_mentions_still_hide_the_name() -> None:
    unclosed = convert('회의 사회: <band:refer user_key="k1">박영희\n장소: 남원시청')
    wrapped = convert('담당: <band:refer user_key="k2">김\n철수</band:refer> 님')

    assert "박영희" not in unclosed.text
    assert unclosed.text == "회의 사회: @회원\n장소: 남원시청"
    assert "철수" not in wrapped.text and "김" not in wrapped.text.replace("@회원", "")
    assert wrapped.text == "담당: @회원 님"


def test_several_mentions_are_counted() -> None:
    result = convert(
        '<band:refer user_key="a">김가람</band:refer>, <band:refer user_key="b">이나래</band:refer> 님 확인 부탁드려요'
    )

    assert result.text == "@회원, @회원 님 확인 부탁드려요"
    assert result.mentions_removed == 2


def test_escaped_markup_typed_by_a_user_stays_literal_text() -> None:
    result = convert("태그 예시: &lt;band:refer&gt;홍길동&lt;/band:refer&gt; 와 &lt;b&gt;굵게&lt;/b&gt;")

    assert result.text == "태그 예시: <band:refer>홍길동</band:refer> 와 <b>굵게</b>"
    assert result.mentions_removed == 0


def test_hashtag_variants_give_clean_deduplicated_tags() -> None:
    result = convert(
        '<band:hashtag id="1">#남원</band:hashtag> <band:hashtag>청년</band:hashtag> '
        "<band:hashtag>#남원</band:hashtag> <band:hashtag>#문화&amp;예술</band:hashtag> <band:hashtag> </band:hashtag>"
    )

    assert result.tags == ("남원", "청년", "문화&예술")
    assert result.text == "#남원 #청년 #남원 #문화&예술"


def test_attachments_are_collected_in_order_and_removed_with_their_lines() -> None:
    content = (
        "봄맞이 대청소 사진입니다\n"
        '<band:attachment type="photo" id="11" /><band:attachment type="video" id="12"/>\n'
        '함께해 주셔서 감사합니다 <band:attachment type="sticker" id="s9" pack="3"/>\n'
        '<band:attachment type="photo" id="13"></band:attachment>\n'
        "다음 달에 또 만나요"
    )
    result = convert(content)

    assert result.text == "봄맞이 대청소 사진입니다\n함께해 주셔서 감사합니다\n다음 달에 또 만나요"
    assert result.images == (
        Attachment("photo", "11"),
        Attachment("video", "12"),
        Attachment("photo", "13"),
    )
    assert photo_attachment_ids(content) == ["11", "13"]


def test_unknown_band_tags_keep_their_text_and_formatting_is_stripped() -> None:
    result = convert(
        '<band:color value="color02">[긴급 공지]</band:color> 내일 행사는 '
        '<band:size value="xl"><b>취소</b></band:size>되었습니다.<br>'
        '<band:sparkle level="3">새 일정은 추후 안내</band:sparkle><band:divider />'
        "</band:refer_members>"
    )

    assert result.text == "[긴급 공지] 내일 행사는 취소되었습니다.\n새 일정은 추후 안내"


def test_line_breaks_are_kept_and_long_gaps_collapsed() -> None:
    result = convert("첫째 줄\r\n둘째 줄\n\n\n\n\n셋째 줄  \n")

    assert result.text == "첫째 줄\n둘째 줄\n\n셋째 줄"


@pytest.mark.parametrize("content", [None, "", '<band:attachment type="photo" id="1" />'])
def test_empty_content_gives_empty_text(content: str | None) -> None:
    result = convert(content)

    assert result.text == ""
    assert result.tags == ()


def test_system_posts_are_recognised_but_announcements_are_not() -> None:
    assert looks_like_system_post("서마을님이 밴드에 가입했습니다.")
    assert looks_like_system_post("A new member was invited by 정센터장")
    assert looks_like_system_post("정센터장님이 윤주민님을 초대했습니다.")
    assert not looks_like_system_post("[마을활동가 기초교육 5기 모집]\n신청은 댓글로 남겨 주세요.")
    assert not looks_like_system_post("새로 가입하신 분들은 자기소개 부탁드립니다")
