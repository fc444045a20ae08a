"""What can go wrong talking to the BAND Open API, sorted by what the caller should do about it.

Exception tree (reference §1.6; callers catch the narrowest they can act on):

    ConnectorError
    └── BandError                   anything the BAND client raises on purpose
        ├── BandRetryable           1003 cool-down, 2300, HTTP 5xx/429, timeouts, connection errors:
        │                           the client already retried with backoff; try again on the next poll
        ├── BandQuotaExceeded       1001 app quota / 1002 user quota: pause the source for `retry_after`
        ├── BandNeedsReconnect      10401, 10403, 60102, 60103, 60200: the token is expired, revoked or lacks
        │                           the band; staff must reconnect. Never retried
        ├── BandRejected            211, 212, 3000, 60000 and every other request error: dead-letter it
        └── BandMalformedResponse   not JSON, or not the documented shape: dead-letter it
                                    (also an `UnreadableInput`, so importers treat it like any bad entry)

Messages are Korean first, then English, and written for organisation staff. The access token never
appears in a message, a repr or a log line: messages are built only from codes, paths and our own words,
and `redact` scrubs any text that might echo a URL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from org_connectors.base import ConnectorError, UnreadableInput

SEOUL = ZoneInfo("Asia/Seoul")

RETRYABLE_CODES = frozenset({1003, 2300})
QUOTA_CODES = frozenset({1001, 1002})
RECONNECT_CODES = frozenset({10401, 10403, 60102, 60103, 60200})

# BAND publishes no numeric quota window (reference §1.6). Naver's developer quotas are daily and reset at
# midnight KST, so an exhausted app quota waits for the next KST midnight (at least an hour, so a source
# does not hammer the API at 23:59); a per-user quota gets a shorter hour-long pause.
APP_QUOTA_MIN_PAUSE = timedelta(hours=1)
USER_QUOTA_PAUSE = timedelta(hours=1)

_TOKEN_IN_TEXT = re.compile(r"(access_token[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+", re.IGNORECASE)
_BEARER_IN_TEXT = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def redact(text: str, token: str | None = None) -> str:
    """Remove an access token from text that might echo a URL, a header or a JSON body."""
    if token:
        text = text.replace(token, "***")
    text = _TOKEN_IN_TEXT.sub(r"\1***", text)
    return _BEARER_IN_TEXT.sub(r"\1***", text)


_CODE_MESSAGES: dict[int, str] = {
    211: "요청 값이 올바르지 않습니다 / Invalid parameters",
    212: "필요한 요청 값이 빠졌습니다 / Insufficient parameters",
    1001: "BAND 앱 전체 호출 한도를 넘었습니다 / The app's BAND quota has been exceeded",
    1002: "이 계정의 BAND 호출 한도를 넘었습니다 / This account's BAND quota has been exceeded",
    1003: "짧은 시간에 너무 많이 호출해 잠시 쉬어야 합니다 / Too many calls in a short time (cool-down)",
    2142: "밴드 리더만 할 수 있는 작업입니다 / Only band leaders may do this",
    2300: "BAND 서버가 알 수 없는 오류를 냈습니다 / BAND returned an undefined server error",
    3000: "잘못된 요청입니다 / Invalid request",
    10401: "BAND 연결이 만료되었거나 해제되었습니다 / The BAND connection expired or was revoked",
    10403: "이 밴드를 읽을 권한이 없습니다 / No permission to read this band",
    60000: "요청 값이 올바르지 않습니다 / Invalid parameter",
    60102: "연결한 계정이 이 밴드의 멤버가 아니거나 접근을 허용하지 않았습니다"
    " / The connected account is not a member of this band or did not grant access",
    60103: "계정이 앱에 연결되어 있지 않습니다 / The account is not connected to the app",
    60200: "이 밴드에 더 이상 접근할 수 없습니다 / This band can no longer be accessed",
}


def describe_code(code: int) -> str:
    return _CODE_MESSAGES.get(
        code, f"BAND가 오류 코드 {code}를 돌려주었습니다 / BAND returned error code {code}"
    )


class BandError(ConnectorError):
    """A BAND call failed. `result_code` / `status` are what BAND sent; `endpoint` is the path only."""

    def __init__(
        self,
        message: str,
        *,
        result_code: int | None = None,
        status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(redact(message))
        self.result_code = result_code
        self.status = status
        self.endpoint = endpoint

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, result_code={self.result_code!r}, "
            f"status={self.status!r}, endpoint={self.endpoint!r})"
        )


class BandRetryable(BandError):
    """A passing fault (cool-down, server error, timeout). Safe to try again later."""


class BandQuotaExceeded(BandError):
    """A quota is used up. The source should pause until `resume_at` (= now + `retry_after`)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: timedelta,
        resume_at: datetime,
        result_code: int | None = None,
        status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message, result_code=result_code, status=status, endpoint=endpoint)
        self.retry_after = retry_after
        self.resume_at = resume_at


class BandNeedsReconnect(BandError):
    """The token no longer works for this band; only staff reconnecting the band fixes it."""


class BandRejected(BandError):
    """BAND refused this request as wrong; repeating it will not help. Dead-letter it."""


class BandMalformedResponse(BandError, UnreadableInput):
    """A response (or a saved file) is not JSON or not the documented shape. Dead-letter it."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        raw: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.where = where
        self.raw = redact(raw) if raw is not None else None


def quota_pause(code: int, now: datetime | None = None) -> timedelta:
    """How long a source waits after quota error `code` (1001 app, 1002 user)."""
    now = now or datetime.now(UTC)
    if code == 1002:
        return USER_QUOTA_PAUSE
    local = now.astimezone(SEOUL)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=SEOUL)
    return max(next_midnight - local, APP_QUOTA_MIN_PAUSE)


def error_for_code(
    code: int,
    *,
    endpoint: str,
    status: int | None = None,
    server_message: str | None = None,
    retry_after_header: timedelta | None = None,
    now: datetime | None = None,
) -> BandError:
    """The exception for a `result_code != 1` envelope."""
    text = f"{describe_code(code)} (code {code}, {endpoint})"
    if server_message:
        # BAND's own words help support; they are short English phrases, never the token.
        text += f" — BAND: {server_message[:200]}"
    if code in RETRYABLE_CODES:
        return BandRetryable(text, result_code=code, status=status, endpoint=endpoint)
    if code in QUOTA_CODES:
        now = now or datetime.now(UTC)
        pause = retry_after_header if retry_after_header is not None else quota_pause(code, now)
        resume = now + pause
        text += (
            f". {resume.astimezone(SEOUL):%m월 %d일 %H:%M}(한국 시간) 이후 다시 시도합니다"
            f" / Will try again after {resume.astimezone(SEOUL):%Y-%m-%d %H:%M} KST"
        )
        return BandQuotaExceeded(
            text, retry_after=pause, resume_at=resume, result_code=code, status=status, endpoint=endpoint
        )
    if code in RECONNECT_CODES:
        return BandNeedsReconnect(
            text + ". 밴드를 다시 연결해 주세요 / Please reconnect the band",
            result_code=code,
            status=status,
            endpoint=endpoint,
        )
    return BandRejected(text, result_code=code, status=status, endpoint=endpoint)


def error_for_status(status: int, *, endpoint: str) -> BandError:
    """The exception for a non-2xx response whose body carries no BAND result code."""
    where = f"(HTTP {status}, {endpoint})"
    if status >= 500 or status in (408, 429):
        return BandRetryable(
            f"BAND 서버가 일시적으로 응답하지 못했습니다 / BAND is temporarily unavailable {where}",
            status=status,
            endpoint=endpoint,
        )
    if status in (401, 403):
        return BandNeedsReconnect(
            f"BAND가 연결을 거부했습니다. 밴드를 다시 연결해 주세요 / BAND refused the connection; "
            f"please reconnect the band {where}",
            status=status,
            endpoint=endpoint,
        )
    return BandRejected(
        f"BAND가 요청을 거부했습니다 / BAND rejected the request {where}", status=status, endpoint=endpoint
    )
