"""Who may do what. Pure functions over the viewer and the ids involved; they raise or return.

- ADMIN: everything.
- FACILITATOR: curation across organisations (collections, co-hosts, merges), the audit log.
- AREA_EDITOR: the area's categories and featured items; moderation (review, correct, withdraw) of
  items in the area.
- ORG_STAFF (and its API keys, within their scopes): the organisation's sources, review queue, items,
  announcements and keys.
"""

from __future__ import annotations

from hub.auth.errors import AuthError, Forbidden
from hub.auth.roles import ApiScope, Role
from hub.auth.viewer import Viewer


def require_authenticated(viewer: Viewer) -> None:
    if not viewer.is_authenticated:
        raise viewer.failure or AuthError()


def require_user(viewer: Viewer) -> None:
    """A person, not an API key (account and key management)."""
    require_authenticated(viewer)
    if not viewer.is_user:
        raise Forbidden("API 키로는 할 수 없는 작업입니다 / API keys cannot do this")


def require_scope(viewer: Viewer, scope: ApiScope) -> None:
    require_authenticated(viewer)
    if scope not in viewer.scopes:
        raise Forbidden(
            f"이 API 키에는 {scope.value} 권한이 없습니다 / This API key lacks the {scope.value} scope"
        )


def require_role(viewer: Viewer, *roles: Role) -> None:
    require_authenticated(viewer)
    if viewer.role is not Role.ADMIN and viewer.role not in roles:
        raise Forbidden()


def manages_organisation(viewer: Viewer, organisation_id: int) -> bool:
    return viewer.role is Role.ADMIN or (
        viewer.role is Role.ORG_STAFF and viewer.organisation_id == organisation_id
    )


def require_organisation(viewer: Viewer, organisation_id: int, scope: ApiScope) -> None:
    require_scope(viewer, scope)
    if not manages_organisation(viewer, organisation_id):
        raise Forbidden()


def moderates(viewer: Viewer, organisation_id: int, area_id: int) -> bool:
    """May review, correct and withdraw an item of this organisation in this area."""
    return manages_organisation(viewer, organisation_id) or (
        viewer.role is Role.AREA_EDITOR and viewer.area_id == area_id
    )


def edits_area(viewer: Viewer, area_id: int) -> bool:
    return viewer.role is Role.ADMIN or (viewer.role is Role.AREA_EDITOR and viewer.area_id == area_id)


def require_area(viewer: Viewer, area_id: int) -> None:
    require_user(viewer)
    if not edits_area(viewer, area_id):
        raise Forbidden()


def require_curator(viewer: Viewer) -> None:
    require_user(viewer)
    require_role(viewer, Role.FACILITATOR)
