"""Read a PC CSV export (`Date,User,Message`), where a multi-line message is one quoted field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime

from org_connectors.base import DatePrecision, UnreadableInput
from org_connectors.kakao.bodies import is_system_text
from org_connectors.kakao.reading import ReadMessage, StaffCheck, is_garbled, normalise_name, unreadable

# A record starts with its timestamp; used to score the CSV grammar against the others.
CSV_RECORD_START = re.compile(r'^"?\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"?,')
CSV_HEADER = re.compile(r'^"?(?:Date|날짜)"?,"?(?:User|사용자|이름|보낸 사람)"?,', re.IGNORECASE)
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def read_csv(text: str, *, is_staff: StaffCheck) -> Iterator[ReadMessage | UnreadableInput]:
    reader = csv.reader(io.StringIO(text, newline=""))
    next_line = 1
    first = True
    while True:
        line = next_line
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # The csv module cannot resynchronise after a broken record; report it and stop.
            yield unreadable(line, "CSV 형식이 깨졌습니다", "broken CSV record", is_staff=is_staff)
            return
        next_line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if first:
            first = False
            if CSV_HEADER.match(",".join(row)):
                continue
        if len(row) < 3 or any(is_garbled(cell.replace("\r", "")) for cell in row):
            yield unreadable(
                line,
                "열이 모자라거나 깨진 문자가 있습니다",
                "missing columns or damaged characters",
                is_staff=is_staff,
            )
            continue
        sender = normalise_name(row[1])
        # An unquoted message with commas spills into extra columns; they are still the message.
        message = ",".join(row[2:]).replace("\r\n", "\n").replace("\r", "\n")
        try:
            when = datetime.strptime(row[0].strip(), _DATE_FORMAT)
        except ValueError:
            yield unreadable(
                line,
                "날짜나 시각이 올바르지 않습니다",
                "invalid date or time",
                raw=",".join(row),
                sender=sender,
                is_staff=is_staff,
            )
            continue
        if not sender or is_system_text(message):
            continue
        yield ReadMessage(line, when, DatePrecision.SECOND, sender, message.rstrip())
