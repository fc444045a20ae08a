from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hub.errors import SettingsError
from hub.settings import Environment, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("HUB_DATABASE_URL", "HUB_ENV", "HUB_SECRET_KEY", "HUB_TIMEZONE", "HUB_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_an_embedded_dev_hub_in_seoul() -> None:
    settings = load_settings()
    assert settings.env is Environment.DEV
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")
    assert settings.timezone == "Asia/Seoul"
    assert settings.cors_origins == []


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_CORS_ORIGINS", "https://namwon.example, https://app.namwon.example")
    assert load_settings().cors_origins == ["https://namwon.example", "https://app.namwon.example"]


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("HUB_ENV", "staging", "HUB_ENV"),
        ("HUB_TIMEZONE", "Mars/Olympus", "HUB_TIMEZONE"),
        ("HUB_DATABASE_URL", "mysql://x", "HUB_DATABASE_URL"),
        ("HUB_SECRET_KEY", "short", "HUB_SECRET_KEY"),
    ],
)
def test_a_wrong_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert named in caught.value.message
    assert caught.value.message.startswith("설정 오류")


def test_prod_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ENV", "prod")
    with pytest.raises(SettingsError, match="HUB_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("HUB_SECRET_KEY", "k" * 40)
    assert load_settings().resolved_secret_key() == "k" * 40


def test_dev_generates_one_private_secret_key(tmp_path: Path) -> None:
    settings = load_settings()
    key = settings.resolved_secret_key()
    key_file = tmp_path / "var" / "secret_key"
    assert len(key) >= 32 and key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings().resolved_secret_key() == key
