"""Roles and API-key scopes: the vocabulary of the policy."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "ADMIN"  # runs the installation
    FACILITATOR = "FACILITATOR"  # 촉진단: curates across organisations
    AREA_EDITOR = "AREA_EDITOR"  # edits one area: categories, featured items, moderation
    ORG_STAFF = "ORG_STAFF"  # runs one organisation: sources, review queue, corrections

    @property
    def korean(self) -> str:
        return {
            Role.ADMIN: "관리자",
            Role.FACILITATOR: "촉진단",
            Role.AREA_EDITOR: "영역 편집자",
            Role.ORG_STAFF: "기관 담당자",
        }[self]


class ApiScope(enum.StrEnum):
    """What an organisation's API key may do; a key never manages accounts or other keys."""

    REVIEW = "REVIEW"  # read the review queue, approve, reject
    ITEMS = "ITEMS"  # post announcements, correct and withdraw items
    SOURCES = "SOURCES"  # list, connect, pause, resume and remove sources
