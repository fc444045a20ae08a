"""Errors of the KakaoTalk export parser.

ConnectorError
├── ExportTooLarge          the file is over the size cap; nothing was read
└── UnreadableInput
    └── UnknownExportFormat the file is in no known export format; nothing was read
"""

from __future__ import annotations

from org_connectors.base import ConnectorError, UnreadableInput

MAX_EXPORT_BYTES = 20 * 1024 * 1024
_QUOTE_LIMIT = 80


class ExportTooLarge(ConnectorError):
    def __init__(self, size: int) -> None:
        megabytes = MAX_EXPORT_BYTES // (1024 * 1024)
        super().__init__(
            f"파일이 너무 큽니다 ({size:,} 바이트, 최대 {megabytes} MB) / "
            f"File too large ({size:,} bytes, max {megabytes} MB)"
        )
        self.size = size


class UnknownExportFormat(UnreadableInput):
    def __init__(self, first_line: str | None, *, line_number: int | None = None) -> None:
        if first_line is None:
            message = "빈 파일입니다. 카카오톡 대화 내보내기가 아닙니다 / Empty file, not a KakaoTalk export"
        else:
            quoted = quote_line(first_line)
            message = (
                f"카카오톡 대화 내보내기 형식이 아닙니다. 읽지 못한 첫 줄: «{quoted}» / "
                f"Not a known KakaoTalk export format. First unreadable line: «{quoted}»"
            )
        super().__init__(
            message,
            where=f"line {line_number}" if line_number is not None else None,
            raw=quote_line(first_line) if first_line is not None else None,
        )


def quote_line(line: str) -> str:
    """A short, printable form of a line for an error message."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in line.strip())
    if len(printable) > _QUOTE_LIMIT:
        return printable[: _QUOTE_LIMIT - 1] + "…"
    return printable
