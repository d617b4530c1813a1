"""Response exports: CSV, JSON Lines and XLSX, streamed with constant memory.

Rows are read ``yield_per`` (a server-side cursor on PostgreSQL) and written in chunks,
so a million responses never sit in memory. Columns: response_id, created_at (UTC),
version, completed, user_email (empty when anonymous), url, then one per question
(every question any published version had). A multi answer is its options joined
with "; " in CSV and XLSX, a list in JSON Lines.

Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula; such
CSV and XLSX cells get a leading ' so they stay text. JSON Lines is for programs and
keeps values exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import func

from ..extensions import db
from ..models import AuditLog, Experience, SurveyResponse, User
from .filters import Filters, responses
from .results import published_questions

BATCH = 2000
CHUNK = 64 * 1024
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIXED = ["response_id", "created_at", "version", "completed", "user_email", "url"]
XLSX_MAX_ROWS = 1_048_575  # the sheet's row limit, less the header
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

Row = tuple[str, datetime, int, bool, str | None, str | None, dict[str, Any]]


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running ``text`` as a formula."""
    return "'" + text if text.startswith(DANGEROUS) else text


def question_columns(exp: Experience) -> tuple[list[str], list[str]]:
    """(question ids, their column names): a question id equal to a fixed column is prefixed."""
    _, questions = published_questions(exp)
    ids = [q["id"] for q in questions]
    return ids, [f"question:{q}" if q in FIXED else q for q in ids]


def count(exp: Experience, f: Filters) -> int:
    stmt = responses(exp.workspace_id, exp.id, f, func.count(SurveyResponse.id))
    return db.session.scalar(stmt) or 0


def rows(exp: Experience, f: Filters) -> Iterator[Row]:
    """Matching responses in time order, fetched ``BATCH`` at a time."""
    stmt = responses(
        exp.workspace_id,
        exp.id,
        f,
        SurveyResponse.uuid,
        SurveyResponse.created_at,
        SurveyResponse.version,
        SurveyResponse.completed,
        User.email,
        SurveyResponse.url,
        SurveyResponse.answers,
    ).order_by(SurveyResponse.created_at, SurveyResponse.id)
    # Core on the session's connection: the ORM adds nothing for plain columns here.
    result = db.session.connection().execution_options(yield_per=BATCH).execute(stmt)
    try:
        yield from result.tuples()
    finally:
        result.close()


def pause() -> None:
    # Under gevent (the server's worker) this lets other requests and websockets run
    # between chunks of a long export; in a plain thread it returns at once.
    time.sleep(0)


def iso_utc(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def csv_chunks(exp: Experience, source: Iterable[Row]) -> Iterator[bytes]:
    ids, names = question_columns(exp)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FIXED + names)

    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return "'" + value if value.startswith(DANGEROUS) else value
        if isinstance(value, list):
            return neutralise("; ".join(map(str, value)))
        return value

    def line(row: Row) -> list[Any]:
        uuid, created_at, version, completed, email, url, answers = row
        answers = answers or {}
        return [
            uuid,
            created_at.isoformat(timespec="seconds") + "Z",
            version,
            "true" if completed else "false",
            cell(email),
            cell(url),
            *[cell(answers.get(q)) for q in ids],
        ]

    batch: list[list[Any]] = []
    for row in source:
        batch.append(line(row))
        if len(batch) >= 1000:
            writer.writerows(batch)
            batch.clear()
            if buf.tell() >= CHUNK:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
                pause()
    writer.writerows(batch)
    yield buf.getvalue().encode()


def jsonl_chunks(exp: Experience, source: Iterable[Row]) -> Iterator[bytes]:
    ids, _ = question_columns(exp)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts: list[str] = []
    size = 0
    for uuid, created_at, version, completed, email, url, answers in source:
        answers = answers or {}
        line = dumps(
            {
                "response_id": uuid,
                "created_at": iso_utc(created_at),
                "version": version,
                "completed": completed,
                "user_email": email,
                "url": url,
                "answers": {q: answers[q] for q in ids if q in answers},
            }
        )
        parts.append(line)
        size += len(line)
        if size >= CHUNK:
            yield ("\n".join(parts) + "\n").encode()
            parts.clear()
            size = 0
            pause()
    if parts:
        yield ("\n".join(parts) + "\n").encode()


def xlsx_chunks(exp: Experience, source: Iterable[Row]) -> Iterator[bytes]:
    """Build the workbook in write-only mode (rows go to disk), then stream the file."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    ids, names = question_columns(exp)

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            value = "; ".join(map(str, value))
        if isinstance(value, str):
            # Control characters are not allowed in the XML, and a bare CR reads back as
            # LF anyway (XML line-end handling); 32767 is Excel's cell limit.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            return neutralise(value).replace("\r\n", "\n").replace("\r", "\n")[:32767]
        return value

    fd, path = tempfile.mkstemp(prefix="nudgelayer-export-", suffix=".xlsx")
    os.close(fd)
    try:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Responses")
        sheet.append(FIXED + names)
        for n, (uuid, created_at, version, completed, email, url, answers) in enumerate(source):
            answers = answers or {}
            sheet.append(
                [uuid, created_at, version, completed, cell(email or ""), cell(url or "")]
                + [cell(answers.get(q)) for q in ids]
            )
            if n % 1000 == 999:
                pause()
        book.save(path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


WRITERS: dict[str, Callable[[Experience, Iterable[Row]], Iterator[bytes]]] = {
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "xlsx": xlsx_chunks,
}


def filename(exp: Experience, fmt: str) -> str:
    return f"survey-{exp.id}-responses.{fmt}"


def audit(actor: User | None, exp: Experience, fmt: str, f: Filters, total: int, via: str) -> None:
    """Who exported which responses, how and with which filters."""
    db.session.add(
        AuditLog(
            workspace_id=exp.workspace_id,
            actor_id=actor.id if actor else None,
            action="responses.export",
            subject_type="experience",
            subject_id=exp.id,
            before=None,
            after={"format": fmt, "filters": f.describe(), "rows": total, "via": via},
        )
    )


def check_size(fmt: str, total: int) -> None:
    from ..errors import Invalid

    if fmt == "xlsx" and total > XLSX_MAX_ROWS:
        raise Invalid(
            f"{total} responses do not fit in one XLSX sheet; export CSV or JSON Lines, "
            "or narrow the dates.",
            {"format": ["XLSX holds at most 1,048,575 rows."]},
        )


def write(
    exp: Experience,
    fmt: str,
    f: Filters,
    out: IO[bytes],
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Export to an open binary file (CLI, benchmarks); ``on_rows(n)`` reports progress."""
    written = 0

    def counted(source: Iterable[Row]) -> Iterator[Row]:
        nonlocal written
        step = 0
        for row in source:
            yield row
            step += 1
            if step == 1000:
                written += step
                if on_rows:
                    on_rows(step)
                step = 0
        written += step
        if on_rows and step:
            on_rows(step)

    for chunk in WRITERS[fmt](exp, counted(rows(exp, f))):
        out.write(chunk)
    return written
