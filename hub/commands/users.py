"""`hub users add|passwd|list`: staff accounts (the password from a prompt or a file, never an argument)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.auth.roles import Role
from hub.commands import fail, out, run
from hub.db import Database
from hub.services.accounts import StaffUserRecord, add_user, list_users, set_password

users_app = typer.Typer(help="직원 계정 / staff accounts", no_args_is_help=True)

PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", help="비밀번호가 든 파일 (없으면 묻습니다) / file holding the password"),
]


def read_password(path: Path | None) -> str:
    if path is None:
        value: str = typer.prompt("비밀번호 / password", hide_input=True, confirmation_prompt=True)
        return value
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"비밀번호 파일을 읽을 수 없습니다 / Cannot read the password file: {exc.strerror}")
        raise
    return text.rstrip("\r\n")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="로그인 이메일 / login e-mail")],
    name: Annotated[str, typer.Option("--name", help="이름 / name")],
    role: Annotated[Role, typer.Option("--role", help="ADMIN, FACILITATOR, AREA_EDITOR, ORG_STAFF")],
    org: Annotated[
        str | None, typer.Option("--org", help="ORG_STAFF: 기관 슬러그 / organisation slug")
    ] = None,
    area: Annotated[str | None, typer.Option("--area", help="AREA_EDITOR: 영역 슬러그 / area slug")] = None,
    password_file: PasswordFile = None,
) -> None:
    """직원 계정 추가 / Add a staff account."""
    password = read_password(password_file)
    user = run(
        lambda db: add_user(
            db, email=email, name=name, role=role, password=password, organisation_slug=org, area_slug=area
        )
    )
    out.print(
        f"계정을 만들었습니다 / added [bold]{user.email}[/] ({user.role.korean} {user.role.value})",
        highlight=False,
    )


@users_app.command("passwd")
def users_passwd(
    email: Annotated[str, typer.Argument(help="로그인 이메일 / login e-mail")],
    password_file: PasswordFile = None,
) -> None:
    """비밀번호 변경 (모든 로그인 종료) / Set a new password; every session of the account ends."""
    password = read_password(password_file)
    run(lambda db: set_password(db, email, password))
    out.print(f"비밀번호를 바꿨습니다 / password changed for {email.strip().lower()}", highlight=False)


@users_app.command("list")
def users_list() -> None:
    """직원 계정 목록 / List staff accounts."""

    async def load(db: Database) -> list[StaffUserRecord]:
        return await list_users(db)

    table = Table("email", "이름 / name", "역할 / role", "기관·영역 / org·area id")
    for user in run(load):
        scope = (
            f"org {user.organisation_id}"
            if user.organisation_id
            else f"area {user.area_id}"
            if user.area_id
            else ""
        )
        table.add_row(user.email, user.name, user.role.value, scope)
    out.print(table)


def _register() -> None:
    # The root command lives in hub.cli, which imports this module at its end (after `app` exists).
    from hub.cli import app

    app.add_typer(users_app, name="users")


_register()
