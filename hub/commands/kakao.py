"""KakaoTalk commands: `hub import kakao`, `hub sources add kakao`, `hub sources kakao-staff`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.commands import fail, import_app, out, run, settings, sources_add_app, sources_app
from hub.db import Database
from hub.secrets import SecretBox
from hub.services.kakao_import import KakaoImportReport, import_kakao_export
from hub.services.kakao_sources import (
    SECRET_HEADER,
    NewKakaoSource,
    add_kakao_source,
    register_staff_key,
    remove_staff_key,
)
from org_connectors.kakao import MAX_EXPORT_BYTES, ExportTooLarge


def read_export(path: Path) -> bytes:
    """The file's bytes, refusing an oversized file before reading it."""
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            fail(f"{path.name}: {ExportTooLarge(size)}")
        with path.open("rb") as handle:
            data = handle.read(MAX_EXPORT_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        fail(f"파일을 읽을 수 없습니다: {path} / Cannot read the file: {exc.strerror or exc}")
        raise  # unreachable: fail() exits
    if len(data) > MAX_EXPORT_BYTES:  # grew while we looked
        fail(f"{path.name}: {ExportTooLarge(len(data))}")
    return data


@import_app.command("kakao")
def import_kakao(
    file: Annotated[Path, typer.Argument(help="카카오톡 대화 내보내기 (.txt, .csv) / exported chat file")],
    org: Annotated[str, typer.Option("--org", help="기관 슬러그 / organisation slug")],
    staff: Annotated[
        list[str],
        typer.Option("--staff", help="담당자 대화명, 여러 번 / staff display name, repeatable"),
    ],
    room: Annotated[
        str | None,
        typer.Option(
            "--room",
            help="방 이름(같은 방은 늘 같은 이름) / room key; default: the organisation (one room)",
        ),
    ] = None,
) -> None:
    """카카오톡 대화 내보내기 가져오기(담당자 글만) / Import a KakaoTalk chat export (staff posts only)."""
    data = read_export(file)
    zone = settings().zone

    async def work(db: Database) -> KakaoImportReport:
        return await import_kakao_export(
            db, data=data, file_name=file.name, organisation_slug=org, staff=staff, room=room, zone=zone
        )

    report = run(work)
    out.print(
        f"{file.name} ({report.format}): 메시지 {report.messages_read}건 읽음 · "
        f"{report.kept}건 담당자 공지 · {report.skipped_non_staff}건 담당자 아님(저장 안 함) · "
        f"{report.skipped_chatter}건 짧은 대화·미디어 · {report.unreadable}줄 읽지 못함\n"
        f"글 {report.created}건 추가 · {report.updated}건 갱신 · {report.unchanged}건 그대로"
        + (f" · {report.merged}건 같은 행사에 합침" if report.merged else "")
        + (f" · {report.tombstoned}건 삭제된 글" if report.tombstoned else "")
        + "\n"
        f"read {report.messages_read} messages: kept {report.kept}, skipped {report.skipped_non_staff} "
        f"non-staff, skipped {report.skipped_chatter} chatter, could not read {report.unreadable} lines; "
        f"items created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        + (f", merged {report.merged}" if report.merged else ""),
        highlight=False,
    )
    if report.unreadable:
        out.print(
            "읽지 못한 줄은 `hub sources errors`에서 줄 번호와 함께 볼 수 있습니다 / "
            "unreadable lines are listed with their numbers by `hub sources errors`",
            highlight=False,
        )


@sources_add_app.command("kakao")
def sources_add_kakao(
    org: Annotated[str, typer.Option("--org", help="기관 슬러그 / organisation slug")],
    bot_id: Annotated[str, typer.Option("--bot-id", help="오픈빌더 봇 ID / Open Builder bot id")],
    staff: Annotated[list[str], typer.Option("--staff", help="담당자 이름(여러 번) / staff name, repeated")],
    staff_key: Annotated[
        list[str] | None,
        typer.Option("--staff-key", help="담당자 botUserKey 또는 등록 코드 / staff botUserKey or code"),
    ] = None,
    header_secret: Annotated[
        bool, typer.Option("--header-secret", help=f"{SECRET_HEADER} 헤더도 요구 / also require a header")
    ] = False,
) -> None:
    """카카오톡 채널 챗봇 연결 / Connect a Kakao Talk Channel chatbot; prints the skill URL."""
    config = settings()
    box = SecretBox(config.resolved_secret_key())

    async def work(db: Database) -> NewKakaoSource:
        return await add_kakao_source(
            db,
            box,
            organisation_slug=org,
            bot_id=bot_id,
            staff_names=staff,
            staff_keys=staff_key or (),
            header_secret=header_secret,
            public_url=config.public_url,
        )

    created = run(work)
    keys = len(created.source.config.get("staff_user_keys", ()))
    out.print(
        f"카카오 출처 {created.source.id}을(를) 연결했습니다 (등록된 담당자 키 {keys}개) / "
        f"connected Kakao source {created.source.id} ({keys} staff keys)\n"
        "오픈빌더의 스킬 URL에 아래 주소를 등록하세요. 비밀 주소이니 공유하지 마세요 / "
        "Register this skill URL in the Open Builder (it is a secret):\n"
        f"{created.skill_url}",
        highlight=False,
        soft_wrap=True,
    )
    if created.header_secret is not None:
        header = f"{SECRET_HEADER}: {created.header_secret}"
        out.print(f"스킬 헤더 / skill header: {header}", highlight=False, soft_wrap=True)
    out.print(
        "담당자가 챗봇에 처음 말을 걸면 등록 코드를 받습니다. 그 코드로 등록하세요 / "
        "Staff get a registration code from the chatbot; register it with:\n"
        f"hub sources kakao-staff {created.source.id} --key CODE",
        highlight=False,
        soft_wrap=True,
    )


@sources_app.command("kakao-staff")
def sources_kakao_staff(
    source_id: Annotated[int, typer.Argument(help="카카오 출처 id / Kakao source id")],
    key: Annotated[str, typer.Option("--key", help="등록 코드 또는 botUserKey / code or botUserKey")],
    remove: Annotated[bool, typer.Option("--remove", help="등록 해제 / unregister")] = False,
) -> None:
    """챗봇 담당자 등록·해제 / Register (or remove) a staff member of a Kakao chatbot source."""
    if remove:
        changed = run(lambda db: remove_staff_key(db, source_id, key))
        out.print(
            "담당자 등록을 해제했습니다 / staff member removed"
            if changed
            else "등록되지 않은 키입니다 / that key was not registered"
        )
        return
    changed = run(lambda db: register_staff_key(db, source_id, key))
    out.print(
        "담당자를 등록했습니다 / staff member registered"
        if changed
        else "이미 등록된 담당자입니다 / already registered"
    )
