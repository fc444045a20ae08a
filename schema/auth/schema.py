"""Log in, refresh, log out; the current account; an organisation's API keys."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.auth.errors import Forbidden
from hub.auth.policy import manages_organisation, require_user
from hub.auth.roles import ApiScope
from hub.errors import NotFound
from hub.services import accounts
from hub.services.organisations import organisations_by_slugs
from schema.auth.errors import StaffError, StaffErrorCode, attempt
from schema.auth.types import (
    ApiKey,
    AuthPayload,
    CreateApiKeyPayload,
    LogoutPayload,
    RevokeApiKeyPayload,
    StaffUser,
)
from schema.context import Info
from schema.node import int_pk
from schema.permissions import IsStaffMember

MAX_SCOPES = 3


async def organisation_id_for(info: Info, slug: str) -> int:
    """The id of an organisation the viewer manages; anyone else gets FORBIDDEN (organisations are public,
    so this says nothing new)."""
    record = (await organisations_by_slugs(info.context.db, [slug])).get(slug)
    if record is None:
        raise NotFound(f"알 수 없는 기관입니다: {slug[:60]} / Unknown organisation")
    if not manages_organisation(info.context.viewer, record.id):
        raise Forbidden()
    return record.id


@strawberry.type
class AuthQueries:
    @strawberry.field(description="The logged-in staff account.", permission_classes=[IsStaffMember])
    async def me(self, info: Info) -> StaffUser:
        user_id = info.context.viewer.user_id
        record = await accounts.get_user(info.context.db, user_id) if user_id is not None else None
        assert record is not None, "an authenticated staff viewer has an account"
        return StaffUser.from_record(record)

    @strawberry.field(
        description="An organisation's API keys (staff of that organisation and admins).",
        permission_classes=[IsStaffMember],
    )
    async def api_keys(
        self,
        info: Info,
        organisation: Annotated[str, strawberry.argument(description="Organisation slug.")],
    ) -> list[ApiKey]:
        organisation_id = await organisation_id_for(info, organisation)
        return [ApiKey.from_record(r) for r in await accounts.list_api_keys(info.context.db, organisation_id)]


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        description="Log in with e-mail and password: a short-lived access token and a refresh token."
    )
    async def login(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="Login e-mail.")],
        password: Annotated[str, strawberry.argument(description="Password.")],
    ) -> AuthPayload:
        issued, errors = await attempt(accounts.login(info.context.db, email, password), auth_in_payload=True)
        return AuthPayload.of(issued, errors)

    @strawberry.mutation(description="A new token pair for a refresh token; the old pair stops working.")
    async def refresh_token(
        self,
        info: Info,
        refresh_token: Annotated[str, strawberry.argument(description="The refresh token from `login`.")],
    ) -> AuthPayload:
        issued, errors = await attempt(
            accounts.refresh_session(info.context.db, refresh_token), auth_in_payload=True
        )
        return AuthPayload.of(issued, errors)

    @strawberry.mutation(description="End this session: its access and refresh tokens stop working.")
    async def logout(self, info: Info) -> LogoutPayload:
        viewer = info.context.viewer
        require_user(viewer)
        assert viewer.session_id is not None
        await accounts.logout(info.context.db, viewer.session_id)
        return LogoutPayload(ok=True)

    @strawberry.mutation(
        description="A new API key for an organisation's own tools; the key is shown once.",
        permission_classes=[IsStaffMember],
    )
    async def create_api_key(
        self,
        info: Info,
        organisation: Annotated[str, strawberry.argument(description="Organisation slug.")],
        name: Annotated[str, strawberry.argument(description="What the key is for.")],
        scopes: Annotated[list[ApiScope], strawberry.argument(description="What the key may do.")],
    ) -> CreateApiKeyPayload:
        organisation_id = await organisation_id_for(info, organisation)
        made, errors = await attempt(
            accounts.create_api_key(
                info.context.db,
                info.context.viewer,
                organisation_id=organisation_id,
                name=name,
                scopes=frozenset(scopes[:MAX_SCOPES]),
            )
        )
        if made is None:
            return CreateApiKeyPayload(errors=errors)
        record, plain = made
        return CreateApiKeyPayload(api_key=ApiKey.from_record(record), key=plain)

    @strawberry.mutation(description="Revoke an API key at once.", permission_classes=[IsStaffMember])
    async def revoke_api_key(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The key's ID.")]
    ) -> RevokeApiKeyPayload:
        viewer = info.context.viewer
        key_id = int_pk(id, "ApiKey")
        record = await accounts.get_api_key(info.context.db, key_id) if key_id is not None else None
        if record is None or not manages_organisation(viewer, record.organisation_id):
            # Another organisation's key is "not found", exactly like a missing one.
            not_found = StaffError(
                field="id",
                code=StaffErrorCode.NOT_FOUND,
                message="API 키를 찾을 수 없습니다 / No such API key",
            )
            return RevokeApiKeyPayload(errors=[not_found])
        revoked, errors = await attempt(accounts.revoke_api_key(info.context.db, viewer, record.id))
        return RevokeApiKeyPayload(api_key=ApiKey.from_record(revoked) if revoked else None, errors=errors)
