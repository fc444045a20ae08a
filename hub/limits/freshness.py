"""A process-wide data version, bumped after every committed write, that the response cache checks.

Every write goes through a SQLAlchemy `Session` (`Database.write`), so the session's `after_commit`
event sees them all. The bump happens *after* the commit: a response computed from data read before
the commit was tagged with the older version and is never served once the bump happened. Writes in
another process (the CLI, another replica) are not seen here; the cache's time-to-live (the same 15 s
as `max-age`) bounds how stale such a page can be.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


class DataVersion:
    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


data_version = DataVersion()


def bump() -> None:
    """For writers outside a SQLAlchemy session (none today): mark cached responses out of date."""
    data_version.bump()


@event.listens_for(Session, "after_commit")
def _after_commit(_session: Session) -> None:
    data_version.bump()
