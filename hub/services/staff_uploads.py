"""Staff upload a KakaoTalk chat export through the graph: the CLI's import, with a permission check and
an audit entry.

The same service function and the same limits as `hub import kakao`: 20 MB, only the named staff's
messages are kept, unreadable lines become dead letters with their line numbers, a file in no known
format is refused with one clear Korean/English line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.auth.policy import require_organisation
from hub.auth.roles import ApiScope
from hub.auth.viewer import Viewer
from hub.db import Database
from hub.errors import InvalidInput
from hub.records import OrganisationRecord
from hub.services.audit import record_action
from hub.services.kakao_import import KakaoImportReport, import_kakao_export
from org_connectors.kakao import MAX_EXPORT_BYTES, ExportTooLarge

MAX_UPLOAD_BYTES = MAX_EXPORT_BYTES  # the CLI's cap; hub/limits lets staff multipart bodies this large
MAX_STAFF_NAMES = 50
FILE_NAME_CHARS = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def safe_file_name(name: str | None) -> str:
    """The client's file name without folders or control characters, short enough for dead letters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE.sub("", base).strip()[:FILE_NAME_CHARS] or "upload.txt"


async def upload_kakao_export(
    db: Database,
    viewer: Viewer,
    organisation: OrganisationRecord,
    *,
    data: bytes,
    file_name: str | None,
    staff: Sequence[str],
    room: str | None,
    zone: ZoneInfo,
) -> KakaoImportReport:
    """Import an uploaded export for `organisation`; only its staff (and admins) or its API keys with the
    SOURCES scope may. Raises `Forbidden`, or `InvalidInput` for a file the CLI would refuse too."""
    require_organisation(viewer, organisation.id, ApiScope.SOURCES)
    name = safe_file_name(file_name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{name}: {ExportTooLarge(len(data))}")

    def audit(session: AsyncSession, report: KakaoImportReport) -> None:
        record_action(
            session,
            viewer,
            "kakao.import",
            f"Organisation:{organisation.id}",
            organisation_id=organisation.id,
            after={"file": name, "bytes": len(data), **asdict(report)},
        )

    return await import_kakao_export(
        db,
        data=data,
        file_name=name,
        organisation_slug=organisation.slug,
        staff=list(staff)[:MAX_STAFF_NAMES],
        room=room,
        zone=zone,
        also=audit,
    )
