"""Individuals' mobile numbers and e-mail addresses are masked; institutional numbers stay."""

from __future__ import annotations

import pytest

from hub.privacy import find_personal_data, mask_personal_data


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("문의 010-4821-3357 김간사", "문의 010-****-3357 김간사"),
        ("010.9876.5432", "010-****-5432"),
        ("010 5521 8830", "010-****-8830"),
        ("01023456789로 문자 주세요", "010-****-6789로 문자 주세요"),
        ("+82 10-1234-5678", "010-****-5678"),
        ("011-234-5678", "011-****-5678"),
        ("메일 crew.namwon@gmail.com 로 접수", "메일 c***@gmail.com 로 접수"),
    ],
)
def test_masks_mobiles_and_emails(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked
    assert find_personal_data(mask_personal_data(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "문의: 063-620-6114",
        "1588-1234",
        "02-123-4567",
        "070-1234-5678",
        "계좌 351-1234-5678-91",
        "2026. 9. 12.",
    ],
)
def test_keeps_institutional_numbers_and_other_digits(text: str) -> None:
    assert mask_personal_data(text) == text


def test_leak_finder_sees_unmasked_data() -> None:
    assert find_personal_data("연락처 010-1111-2222, hong@naver.com") == ["010-1111-2222", "hong@naver.com"]
