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

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Integer, String, func, type_coerce

from ..extensions import db
from ..models import AuditLog, Experience, SurveyResponse, User
from .cooperative import pause
from .filters import Filters, responses
from .results import published_questions

# Rows per fetch. Small on purpose: objects alive across a garbage collection are
# promoted, and 2000 rows' worth per batch set off full collections over the whole app
# (22 instead of 2 for a million rows: a quarter of the export's CPU time).
BATCH = 500
CHUNK = 64 * 1024
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIXED = ["response_id", "created_at", "version", "completed", "user_email", "url"]
XLSX_MAX_ROWS = 1_048_575  # the sheet's row limit, less the header
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
RISKY = frozenset(DANGEROUS)

# As the driver returns them: created_at and answers are text on SQLite and already
# parsed (datetime, dict) on PostgreSQL; completed may be 0/1.
RawRow = tuple[str, Any, int, Any, str | None, str | None, Any]
Row = tuple[str, datetime, int, bool, str | None, str | None, dict[str, Any]]
Partitions = Iterable[list[RawRow]]


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running ``text`` as a formula."""
    return "'" + text if text.startswith(DANGEROUS) else text


def question_columns(exp: Experience) -> tuple[list[str], list[str]]:
    """(question ids, their column names): a question id equal to a fixed column is prefixed."""
    _, questions = published_questions(exp)
    ids = [q["id"] for q in questions]
    return ids, [f"question:{q}" if q in FIXED else q for q in ids]


def _cell(value: Any) -> Any:
    """A CSV cell for one answer: lists joined, text neutralised, numbers as they are."""
    if value.__class__ is list:
        value = "; ".join(map(str, value))
    if value.__class__ is str:
        return neutralise(value)
    return value


def textual_columns(exp: Experience, ids: list[str]) -> list[int]:
    """Positions of the question columns that may hold text or lists in some version.

    The others only ever hold whole numbers (nps, csat, rating), which need no checks.
    """
    by_version, _ = published_questions(exp)
    numeric = {"nps", "csat", "rating"}
    textual = {q["id"] for qs in by_version.values() for q in qs if q["type"] not in numeric}
    known = {q["id"] for qs in by_version.values() for q in qs}
    return [i for i, qid in enumerate(ids) if qid in textual or qid not in known]


def count(exp: Experience, f: Filters) -> int:
    stmt = responses(exp.workspace_id, exp.id, f, func.count(SurveyResponse.id))
    return db.session.scalar(stmt) or 0


def partitions(exp: Experience, f: Filters) -> Iterator[list[RawRow]]:
    """Matching responses in time order, ``BATCH`` raw rows at a time."""
    stmt = responses(
        exp.workspace_id,
        exp.id,
        f,
        SurveyResponse.uuid,
        # Raw values: SQLAlchemy's per-row DateTime and JSON processing would cost as much
        # as the rest of the export; the writers parse with the C parsers instead.
        type_coerce(SurveyResponse.created_at, String),
        SurveyResponse.version,
        type_coerce(SurveyResponse.completed, Integer),
        User.email,
        SurveyResponse.url,
        type_coerce(SurveyResponse.answers, String),
    ).order_by(SurveyResponse.created_at, SurveyResponse.id)
    # Core on the session's connection: the ORM adds nothing for plain columns here.
    result = db.session.connection().execution_options(yield_per=BATCH).execute(stmt)
    try:
        yield from result.partitions()
    finally:
        result.close()


def parse_answers(partition: list[RawRow]) -> list[dict[str, Any]]:
    """The answers of a partition's rows, as dicts.

    SQLite returns JSON text: parsed as one JSON array per partition, one C call
    instead of one per row.
    """
    values = [row[6] for row in partition]
    if values and values[0].__class__ is str:
        return json.loads("[" + ",".join(v or "{}" for v in values) + "]")
    return [v or {} for v in values]


def decoded(partition: list[RawRow]) -> Iterator[Row]:
    for row, answers in zip(partition, parse_answers(partition), strict=True):
        uuid, created_at, version, completed, email, url, _ = row
        if created_at.__class__ is str:
            created_at = datetime.fromisoformat(created_at)
        yield uuid, created_at, version, bool(completed), email, url, answers


def rows(exp: Experience, f: Filters) -> Iterator[Row]:
    """Matching responses in time order, decoded."""
    for partition in partitions(exp, f):
        yield from decoded(partition)


def iso_utc(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def csv_chunks(exp: Experience, source: Partitions) -> Iterator[bytes]:
    ids, names = question_columns(exp)
    textual = textual_columns(exp, ids)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FIXED + names)
    yes_no = {True: "true", False: "false"}  # 1 and 0 hash as True and False

    # The hot loop of a million-row export: one Python call per row, parsing included,
    # and only the columns that may hold text or lists are looked at (measured faster
    # than the alternatives). The output equals decoded() + iso_utc() + _cell().
    def line(row: RawRow, answers: dict[str, Any]) -> list[Any]:
        uuid, created_at, version, completed, email, url, _ = row
        if created_at.__class__ is str:  # SQLite: "YYYY-MM-DD HH:MM:SS.ffffff"
            created_at = created_at.replace(" ", "T", 1)[:19] + "Z"
        else:
            created_at = created_at.isoformat(timespec="seconds") + "Z"
        get = answers.get
        cells = [get(qid, "") for qid in ids]
        for i in textual:
            value = cells[i]
            if value.__class__ is str:
                if value[:1] in RISKY:
                    cells[i] = "'" + value
            elif value.__class__ is list:
                cells[i] = _cell(value)
        return [
            uuid,
            created_at,
            version,
            yes_no[completed],
            "" if email is None else "'" + email if email[:1] in RISKY else email,
            "" if url is None else "'" + url if url[:1] in RISKY else url,
            *cells,
        ]

    for partition in source:
        writer.writerows(map(line, partition, parse_answers(partition)))
        if buf.tell() >= CHUNK:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
            pause()
    yield buf.getvalue().encode()


def jsonl_chunks(exp: Experience, source: Partitions) -> Iterator[bytes]:
    ids, _ = question_columns(exp)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for partition in source:
        lines = []
        for uuid, created_at, version, completed, email, url, answers in decoded(partition):
            lines.append(
                dumps(
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
            )
        yield ("\n".join(lines) + "\n").encode()
        pause()


def xlsx_chunks(exp: Experience, source: Partitions) -> Iterator[bytes]:
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
        try:
            sheet.append(FIXED + names)
            for partition in source:
                for uuid, created_at, version, completed, email, url, answers in decoded(partition):
                    sheet.append(
                        [uuid, created_at, version, completed, cell(email or ""), cell(url or "")]
                        + [cell(answers.get(q)) for q in ids]
                    )
                pause()
        except BaseException:
            _discard(sheet)
            raise
        book.save(path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _discard(sheet) -> None:
    """Remove the temporary file of a write-only sheet that will never be saved.

    openpyxl deletes it on save, or only when the process exits: a server would keep
    the rows of every failed export on disk until its restart. (openpyxl internals,
    guarded: at worst the file stays until exit, as without this.)
    """
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    with contextlib.suppress(Exception):
        sheet.close()
        writer.cleanup()


WRITERS: dict[str, Callable[[Experience, Partitions], Iterator[bytes]]] = {
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "xlsx": xlsx_chunks,
}


def stream(exp: Experience, fmt: str, f: Filters) -> Iterator[bytes]:
    """The export file, chunk by chunk (what the API streams)."""
    return WRITERS[fmt](exp, partitions(exp, f))


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

    def counted(source: Partitions) -> Iterator[list[RawRow]]:
        nonlocal written
        for partition in source:
            yield partition
            written += len(partition)
            if on_rows:
                on_rows(len(partition))

    for chunk in WRITERS[fmt](exp, counted(partitions(exp, f))):
        out.write(chunk)
    return written
