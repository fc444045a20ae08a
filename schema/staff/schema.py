"""Organisation staff and area editors: review queue, corrections, withdrawals, announcements, sources,
Kakao export uploads, and (for admins and facilitators) the audit log. Resolvers check, call a service,
map the result."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from hub.auth.errors import Forbidden
from hub.auth.roles import ApiScope
from hub.errors import NotFound
from hub.records import FeedItemRecord, OrganisationRecord
from hub.secrets import SecretBox
from hub.services import staff_items, staff_sources, staff_uploads
from hub.services.audit import list_audit
from hub.services.organisations import organisations_by_slugs
from hub.services.staff_items import Announcement
from hub.services.staff_sources import ConnectRequest
from schema.auth.errors import StaffError, StaffErrorCode, attempt
from schema.auth.schema import organisation_id_for
from schema.context import Info
from schema.feed.types import FeedItem
from schema.node import int_pk
from schema.permissions import CanReadAudit, IsAuthenticated
from schema.staff.inputs import AnnouncementInput, ConnectSourceInput, ItemCorrectionInput
from schema.staff.types import (
    AuditEntry,
    ConnectSourcePayload,
    ItemPayload,
    KakaoImport,
    KakaoImportPayload,
    SourcePayload,
    StaffSource,
)

MAX_PAGE = 100
ItemId = Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")]
SourceId = Annotated[strawberry.ID, strawberry.argument(description="The source's ID.")]


def _not_found(what: str) -> list[StaffError]:
    return [StaffError(field="id", code=StaffErrorCode.NOT_FOUND, message=what)]


async def _organisation(info: Info, slug: str) -> OrganisationRecord:
    record = (await organisations_by_slugs(info.context.db, [slug])).get(slug)
    if record is None:
        raise NotFound(f"알 수 없는 기관입니다: {slug[:60]} / Unknown organisation")
    return record


def _item_payload(record: FeedItemRecord | None, errors: list[StaffError], info: Info) -> ItemPayload:
    if isinstance(record, FeedItemRecord):
        return ItemPayload(item=FeedItem.from_record(record, info.context.zone), errors=errors)
    return ItemPayload(errors=errors)


@strawberry.type
class StaffQueries:
    @strawberry.field(
        description="Posts waiting for review that you moderate, oldest first.",
        permission_classes=[IsAuthenticated],
    )
    async def review_queue(
        self,
        info: Info,
        organisation: Annotated[
            str | None, strawberry.argument(description="Only this organisation (slug).")
        ] = None,
        first: Annotated[int, strawberry.argument(description="At most this many, 1..100.")] = 50,
    ) -> list[FeedItem]:
        organisation_id = None
        if organisation is not None:
            organisation_id = (await _organisation(info, organisation)).id
        records = await staff_items.review_queue(
            info.context.db, info.context.viewer, organisation_id=organisation_id, limit=min(first, MAX_PAGE)
        )
        return [FeedItem.from_record(record, info.context.zone) for record in records]

    @strawberry.field(
        description="Any item you moderate, whatever its status (public or not); null otherwise.",
        permission_classes=[IsAuthenticated],
    )
    async def staff_item(self, info: Info, id: ItemId) -> FeedItem | None:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return None

        async def load() -> FeedItem:
            async with info.context.db.write() as session:
                item = await staff_items.item_for(session, info.context.viewer, item_id, ApiScope.REVIEW)
                return FeedItem.from_record(staff_items.record_of(item), info.context.zone)

        try:
            return await load()
        except (NotFound, Forbidden):
            return None

    @strawberry.field(
        description="An organisation's connected sources with their state in plain words.",
        permission_classes=[IsAuthenticated],
    )
    async def sources(
        self, info: Info, organisation: Annotated[str, strawberry.argument(description="Organisation slug.")]
    ) -> list[StaffSource]:
        record = await _organisation(info, organisation)
        found = await staff_sources.organisation_sources(info.context.db, info.context.viewer, record.id)
        return [StaffSource.from_record(source) for source in found]

    @strawberry.field(
        description="Staff actions, newest first (admins and facilitators).",
        permission_classes=[CanReadAudit],
    )
    async def audit_log(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="At most this many, 1..100.")] = 50,
        organisation: Annotated[
            str | None, strawberry.argument(description="Only this organisation.")
        ] = None,
        action: Annotated[
            str | None, strawberry.argument(description="Only this action, e.g. item.merge.")
        ] = None,
        before: Annotated[
            strawberry.ID | None, strawberry.argument(description="Continue after this entry's ID.")
        ] = None,
    ) -> list[AuditEntry]:
        organisation_id = (await _organisation(info, organisation)).id if organisation else None
        before_id = int_pk(before, "AuditEntry") if before else None
        records = await list_audit(
            info.context.db,
            limit=min(first, MAX_PAGE),
            organisation_id=organisation_id,
            action=action,
            before_id=before_id,
        )
        return [AuditEntry.from_record(record) for record in records]


@strawberry.type
class StaffMutations:
    @strawberry.mutation(
        description="Publish a post from the review queue.", permission_classes=[IsAuthenticated]
    )
    async def approve_item(self, info: Info, id: ItemId) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_not_found(staff_items.ITEM_NOT_FOUND))
        record, errors = await attempt(
            staff_items.review_item(info.context.db, info.context.viewer, item_id, approve=True)
        )
        return _item_payload(record, errors, info)

    @strawberry.mutation(description="Keep a post out of the feed.", permission_classes=[IsAuthenticated])
    async def reject_item(self, info: Info, id: ItemId) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_not_found(staff_items.ITEM_NOT_FOUND))
        record, errors = await attempt(
            staff_items.review_item(info.context.db, info.context.viewer, item_id, approve=False)
        )
        return _item_payload(record, errors, info)

    @strawberry.mutation(
        description="Correct what the hub understood; corrections survive re-ingestion.",
        permission_classes=[IsAuthenticated],
    )
    async def correct_item(
        self,
        info: Info,
        id: ItemId,
        input: Annotated[ItemCorrectionInput, strawberry.argument(description="The fields to correct.")],
    ) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_not_found(staff_items.ITEM_NOT_FOUND))
        fields = input.fields()
        if not fields:
            return ItemPayload(
                errors=[
                    StaffError(
                        field=None,
                        code=StaffErrorCode.INVALID,
                        message="고칠 값이 없습니다 / Nothing to correct",
                    )
                ]
            )
        record, errors = await attempt(
            staff_items.correct_item(info.context.db, info.context.viewer, item_id, fields)
        )
        return _item_payload(record, errors, info)

    @strawberry.mutation(
        description="Withdraw an item: it leaves the feed and re-ingestion never brings it back.",
        permission_classes=[IsAuthenticated],
    )
    async def withdraw_item(
        self,
        info: Info,
        id: ItemId,
        reason: Annotated[str, strawberry.argument(description="Why, for the audit log.")] = "staff",
    ) -> ItemPayload:
        item_id = int_pk(id, "FeedItem")
        if item_id is None:
            return ItemPayload(errors=_not_found(staff_items.ITEM_NOT_FOUND))
        record, errors = await attempt(
            staff_items.withdraw_item(info.context.db, info.context.viewer, item_id, reason=reason)
        )
        return _item_payload(record, errors, info)

    @strawberry.mutation(
        description="Post an announcement or event by hand.", permission_classes=[IsAuthenticated]
    )
    async def post_announcement(
        self, info: Info, input: Annotated[AnnouncementInput, strawberry.argument(description="The post.")]
    ) -> ItemPayload:
        organisation = await _organisation(info, input.organisation)
        announcement = Announcement(
            title=input.title,
            body=input.body,
            kind=input.kind,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            all_day=input.all_day,
            place=input.place,
            categories=tuple((input.categories or [])[:10]),
        )
        record, errors = await attempt(
            staff_items.post_announcement(info.context.db, info.context.viewer, organisation, announcement)
        )
        return _item_payload(record, errors, info)

    @strawberry.mutation(
        description="Connect a BAND, Kakao channel, RSS feed or iCal calendar. Secrets are write-only.",
        permission_classes=[IsAuthenticated],
    )
    async def connect_source(
        self, info: Info, input: Annotated[ConnectSourceInput, strawberry.argument(description="The source.")]
    ) -> ConnectSourcePayload:
        organisation = await _organisation(info, input.organisation)
        await organisation_id_for(info, input.organisation)  # FORBIDDEN before anything is parsed
        settings = info.context.settings
        assert settings is not None, "the app passes its settings"
        request = ConnectRequest(
            kind=input.kind,
            name=input.name,
            url=input.url,
            band_key=input.band_key,
            access_token=input.access_token,
            bot_id=input.bot_id,
            staff_names=tuple((input.staff_names or [])[:50]),
            header_secret=input.header_secret,
            review_non_staff=input.review_non_staff,
        )
        connected, errors = await attempt(
            staff_sources.connect_source(
                info.context.db,
                SecretBox(settings.resolved_secret_key()),
                info.context.viewer,
                organisation,
                request,
                public_url=settings.public_url,
            )
        )
        if connected is None:
            return ConnectSourcePayload(errors=errors)
        return ConnectSourcePayload(
            source=StaffSource.from_record(connected.source),
            skill_url=connected.skill_url,
            header_secret=connected.header_secret,
        )

    @strawberry.mutation(
        description="Import a KakaoTalk chat export (단톡방 내보내기), sent as a GraphQL multipart request "
        "(≤ 20 MB, with `Authorization`): only the named staff's messages are kept, as `hub import kakao` "
        "does.",
        permission_classes=[IsAuthenticated],
    )
    async def upload_kakao_export(
        self,
        info: Info,
        organisation: Annotated[str, strawberry.argument(description="Organisation slug.")],
        staff: Annotated[
            list[str], strawberry.argument(description="Staff display names whose messages are kept, ≤ 50.")
        ],
        file: Annotated[Upload, strawberry.argument(description="The exported .txt or .csv file.")],
        room: Annotated[
            str | None,
            strawberry.argument(
                description="Room key; always the same for one room (default: one per organisation)."
            ),
        ] = None,
    ) -> KakaoImportPayload:
        upload: Any = file  # a starlette UploadFile at run time
        if not callable(getattr(upload, "read", None)):
            return KakaoImportPayload(errors=[_upload_error(_NOT_A_FILE)])
        try:
            record = await _organisation(info, organisation)
            await organisation_id_for(info, organisation)  # FORBIDDEN before the file is read
            data: bytes = await upload.read(staff_uploads.MAX_UPLOAD_BYTES + 1)  # never more than cap + 1
        finally:
            await upload.close()  # strawberry leaves the spooled temporary file open
        name = staff_uploads.safe_file_name(getattr(upload, "filename", None))
        report, errors = await attempt(
            staff_uploads.upload_kakao_export(
                info.context.db,
                info.context.viewer,
                record,
                data=data,
                file_name=name,
                staff=staff,
                room=room,
                zone=info.context.zone,
            )
        )
        return KakaoImportPayload(report=KakaoImport.from_report(report) if report else None, errors=errors)

    @strawberry.mutation(description="Pause reading a source.", permission_classes=[IsAuthenticated])
    async def pause_source(self, info: Info, id: SourceId) -> SourcePayload:
        return await _source_change(info, id, "pause")

    @strawberry.mutation(
        description="Resume reading a source (also after reconnecting).", permission_classes=[IsAuthenticated]
    )
    async def resume_source(self, info: Info, id: SourceId) -> SourcePayload:
        return await _source_change(info, id, "resume")

    @strawberry.mutation(
        description="Disconnect a source and forget its secret; its items stay.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_source(self, info: Info, id: SourceId) -> SourcePayload:
        return await _source_change(info, id, "remove")


_NOT_A_FILE = (
    "파일은 multipart 요청의 파일 부분으로 보내 주세요 / Send the file in a GraphQL multipart request"
)


def _upload_error(message: str) -> StaffError:
    return StaffError(field="file", code=StaffErrorCode.INVALID, message=message)


async def _source_change(info: Info, id: str, change: str) -> SourcePayload:
    source_id = int_pk(id, "Source")
    if source_id is None:
        return SourcePayload(errors=_not_found(staff_sources.SOURCE_NOT_FOUND))
    db, viewer = info.context.db, info.context.viewer
    if change == "remove":
        work = staff_sources.remove_source(db, viewer, source_id)
    else:
        work = staff_sources.pause_or_resume(db, viewer, source_id, pause=change == "pause")
    record, errors = await attempt(work)
    return SourcePayload(source=StaffSource.from_record(record) if record else None, errors=errors)
