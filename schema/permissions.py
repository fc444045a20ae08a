"""Named permission classes, declared next to the fields they guard.

Each raises the hub's own error (with its `extensions.code`) instead of returning False, so a field can
tell "log in" from "your token expired" from "not allowed" — without naming any other organisation.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from hub.auth import policy
from schema.context import Info


class IsAuthenticated(BasePermission):
    message = "로그인이 필요합니다 / Authentication required"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        policy.require_authenticated(info.context.viewer)
        return True


class IsStaffMember(BasePermission):
    message = "직원 계정으로 로그인해야 합니다 (API 키 불가) / Log in as a staff member (not an API key)"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        policy.require_user(info.context.viewer)
        return True


class IsCurator(BasePermission):
    message = "관리자나 촉진단만 할 수 있습니다 / Only admins and facilitators can do this"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        policy.require_curator(info.context.viewer)
        return True


class CanReadAudit(IsCurator):
    message = "감사 기록은 관리자와 촉진단만 봅니다 / Only admins and facilitators read the audit log"
