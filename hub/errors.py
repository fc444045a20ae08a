"""Errors the hub raises on purpose, each with a message staff can read (Korean, then English).

HubError                 base; `.message` is shown to people as it is
├── SettingsError        a setting is missing or wrong; names the environment variable
├── DatabaseUnavailable  the database cannot be reached or is not migrated
├── NotFound             a slug or id names nothing
├── Conflict             a unique name is already taken
└── InvalidInput         a value a person gave cannot be used
"""

from __future__ import annotations


class HubError(Exception):
    code = "HUB_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SettingsError(HubError):
    code = "SETTINGS"


class DatabaseUnavailable(HubError):
    code = "DATABASE_UNAVAILABLE"


class NotFound(HubError):
    code = "NOT_FOUND"


class Conflict(HubError):
    code = "CONFLICT"


class InvalidInput(HubError):
    code = "BAD_USER_INPUT"
