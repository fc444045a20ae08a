"""One settings object, read once from `HUB_*` environment variables (and `.env`)."""

from __future__ import annotations

import enum
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from hub.errors import SettingsError

VAR_DIR = Path("var")
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{VAR_DIR / 'hub.sqlite3'}"


class Environment(enum.StrEnum):
    DEV = "dev"
    PROD = "prod"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL; sqlite or postgresql")
    env: Environment = Field(Environment.DEV, description="dev or prod")
    secret_key: str | None = Field(None, description="required in prod; ≥ 32 characters")
    timezone: str = Field("Asia/Seoul", description="the hub's zone for reading local dates")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="front-end origins allowed by CORS, comma-separated"
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR")
    log_json: bool = Field(True, description="one JSON object per log line")
    var_dir: Path = Field(VAR_DIR, description="where the embedded database and generated key live")
    public_url: str = Field("http://127.0.0.1:8000", description="the hub's own URL as others reach it")
    scheduler: bool = Field(True, description="poll connected sources inside `hub serve`")
    band_api_base: str = Field("https://openapi.band.us", description="BAND Open API (a simulator in tests)")
    band_auth_base: str = Field("https://auth.band.us", description="BAND OAuth authorize/token host")
    band_client_id: str | None = Field(None, description="BAND app client id, for the OAuth flow")
    band_client_secret: str | None = Field(None, description="BAND app client secret")
    fetch_allowed_private_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="hosts on private or loopback addresses that feeds may be fetched from (comma-separated)",
    )

    rate_limit: float = Field(
        50.0, ge=0, description="anonymous points per second per IP (×5 staff); 0 = off"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="proxy IPs/CIDRs whose X-Forwarded-For is believed"
    )
    federation_sdl: bool = Field(True, description="answer `_service { sdl }` to anonymous clients in prod")

    @field_validator("cors_origins", "fetch_allowed_private_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("only sqlite and postgresql URLs are supported")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _prod_needs_secret(self) -> Settings:
        if self.env is Environment.PROD and not self.secret_key:
            raise ValueError("HUB_SECRET_KEY is required when HUB_ENV=prod")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ValueError("HUB_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, or (dev only) one generated once into `var/secret_key`."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if not key_file.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return key_file.read_text().strip()


def describe_validation_error(error: ValidationError) -> str:
    """One clear line naming the variable, Korean then English."""
    first = error.errors()[0]
    loc = first.get("loc") or ()
    variable = f"HUB_{str(loc[0]).upper()}" if loc else "HUB_*"
    reason = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if not loc and "HUB_" in reason:
        variable = reason.split()[0]
    return f"설정 오류: {variable} 값을 확인하세요 / Setting error: {variable}: {reason}"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
