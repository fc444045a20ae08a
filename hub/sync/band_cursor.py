"""Where a BAND sync stands, kept as JSON in `Source.cursor` and committed with the rows it covers.

BAND lists posts by last modification and has no "since" parameter (reference §1.8), so the high-water
mark is not a time but the top of the list as the last *complete* pass saw it: `mark` holds the first
`MARK_SIZE` posts as (post_key, fingerprint). A later pass reads from the top and stops once it has met
`OVERLAP` posts of the mark in a row, unchanged. That is safe because an edited post moves to the top
with a new fingerprint, so every post listed below an unchanged mark post was below it last time too and
has not changed since. The run of `OVERLAP` is the overlap window that absorbs ordering wobble.

While a pass runs, `pass_` records its progress (first and last post committed so far). Invariant, which
the crash test checks: every post listed from the top of that pass down to `pass_.last` is stored in the
version listed. The mark moves only in the transaction that completes the pass, so a crash simply makes
the next pass start again from the top with the old mark (re-ingestion is idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

CURSOR_VERSION = 1
MARK_SIZE = 20
OVERLAP = 3
# A full listing (reconciliation: what disappeared upstream is withdrawn) at least this often.
RECONCILE_EVERY_SYNCS = 24
RECONCILE_EVERY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PassProgress:
    started_at: datetime
    first: str  # post_key at the top of the list when the pass started
    last: str  # the lowest post_key committed so far
    count: int  # posts committed so far in this pass
    full: bool  # a full listing that ends in reconciliation

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "first": self.first,
            "last": self.last,
            "count": self.count,
            "full": self.full,
        }

    @classmethod
    def from_json(cls, value: object) -> PassProgress | None:
        if not isinstance(value, Mapping):
            return None
        try:
            return cls(
                datetime.fromisoformat(str(value["started_at"])),
                str(value["first"]),
                str(value["last"]),
                int(value["count"]),
                bool(value.get("full", False)),
            )
        except (KeyError, ValueError, TypeError):
            return None


@dataclass(frozen=True, slots=True)
class BandCursor:
    mark: tuple[tuple[str, str], ...] = ()
    pass_: PassProgress | None = None
    syncs: int = 0  # completed passes
    syncs_since_reconcile: int = 0
    reconciled_at: datetime | None = None
    completed_at: datetime | None = None

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> BandCursor:
        """An unknown or damaged cursor reads as a fresh one: the next pass is full, which is always safe."""
        if not value or value.get("v") != CURSOR_VERSION:
            return cls()
        mark: list[tuple[str, str]] = []
        for entry in value.get("mark") or ():
            if isinstance(entry, list | tuple) and len(entry) == 2:
                mark.append((str(entry[0]), str(entry[1])))

        def when(key: str) -> datetime | None:
            raw = value.get(key)
            try:
                return datetime.fromisoformat(raw) if isinstance(raw, str) else None
            except ValueError:
                return None

        return cls(
            mark=tuple(mark),
            pass_=PassProgress.from_json(value.get("pass")),
            syncs=int(value.get("syncs") or 0),
            syncs_since_reconcile=int(value.get("syncs_since_reconcile") or 0),
            reconciled_at=when("reconciled_at"),
            completed_at=when("completed_at"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "mark": [list(entry) for entry in self.mark],
            "pass": self.pass_.to_json() if self.pass_ else None,
            "syncs": self.syncs,
            "syncs_since_reconcile": self.syncs_since_reconcile,
            "reconciled_at": self.reconciled_at.isoformat() if self.reconciled_at else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }

    def needs_full_pass(self, now: datetime, *, every_syncs: int = RECONCILE_EVERY_SYNCS) -> bool:
        if not self.mark or self.reconciled_at is None:
            return True
        return self.syncs_since_reconcile >= every_syncs or now - self.reconciled_at >= RECONCILE_EVERY

    def progressed(self, progress: PassProgress) -> BandCursor:
        return replace(self, pass_=progress)

    def completed(self, *, seen: list[tuple[str, str]], now: datetime, full: bool) -> BandCursor:
        """The pass reached its end: the top of this pass (topped up with the old mark) is the new mark."""
        keys = {key for key, _ in seen}
        mark = (list(seen) + [m for m in self.mark if m[0] not in keys])[:MARK_SIZE]
        return BandCursor(
            mark=tuple(mark),
            pass_=None,
            syncs=self.syncs + 1,
            syncs_since_reconcile=0 if full else self.syncs_since_reconcile + 1,
            reconciled_at=now if full else self.reconciled_at,
            completed_at=now,
        )


class StopRule:
    """Feed it each listed post in order; it says when the rest of the list is already stored."""

    def __init__(self, mark: tuple[tuple[str, str], ...], *, full: bool) -> None:
        self._mark = set(mark)
        self._needed = min(OVERLAP, len(mark))
        self._run = 0
        self._full = full or not mark

    def passed(self, post_key: str, fingerprint: str) -> bool:
        if self._full:
            return False
        self._run = self._run + 1 if (post_key, fingerprint) in self._mark else 0
        return self._run >= self._needed
