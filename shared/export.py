"""CSV (UTF-8 with BOM, for Excel) and XLSX downloads that no spreadsheet turns into formulas.

Rows are written as they come (XLSX in openpyxl's write-only mode) into a temporary file that
is then streamed, so an export of 100,000 rows takes about the memory of one row; how many
run at once is bounded (``ExportGate``), the rest get 429 with Retry-After.
"""

from __future__ import annotations

import csv
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from shared.errors import TooManyRequests

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def documented_content(
    *media_types: str, description: str, json_model: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route that answers files (and perhaps JSON): each media type
    it may send, so the document says what a download really is."""
    content: dict[str, Any] = {t: {"schema": {"type": "string", "format": "binary"}} for t in media_types}
    if json_model is not None:
        content = {"application/json": {"schema": json_model}, **content}
    return {200: {"description": description, "content": content}}


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_xlsx(path: str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> None:
    from openpyxl import Workbook  # imported when a spreadsheet is made: ~17 MiB a service need not hold

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([_text_cell(worksheet, _cell(v)) for v in row])
    workbook.save(path)


def _text_cell(worksheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"  # always text: "=1+1" stays the characters =1+1
    return cell


def attachment_disposition(name: str, ascii_name: str) -> str:
    """A download named ``name`` (Chinese kept, RFC 6266 ``filename*``), ``ascii_name`` for old clients."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def table_response(
    fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, ascii_name: str
) -> Response:
    """The table written row by row into a temporary file, then streamed (and the file removed)."""
    descriptor, path = tempfile.mkstemp(prefix="openness-export-", suffix=f".{fmt}")
    os.close(descriptor)
    try:
        if fmt == "xlsx":
            write_xlsx(path, header, rows)
        else:
            with open(path, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow(header)
                for row in rows:
                    writer.writerow([csv_safe(_cell(v)) for v in row])
    except BaseException:
        os.unlink(path)
        raise
    media_type = XLSX_MEDIA_TYPE if fmt == "xlsx" else CSV_MEDIA_TYPE
    return StreamingResponse(
        _file_chunks(path),
        media_type=media_type,
        headers={
            "Content-Disposition": attachment_disposition(f"{filename}.{fmt}", f"{ascii_name}.{fmt}"),
            "Content-Length": str(os.path.getsize(path)),
        },
        background=BackgroundTask(os.unlink, path),
    )


def _file_chunks(path: str, size: int = 1 << 16) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(size):
            yield block


class ExportGate:
    """At most ``concurrent`` exports at a time in this process; another gets 429 at once."""

    def __init__(self, concurrent: int) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise TooManyRequests("too many exports are being prepared; retry shortly", retry_after=5)
        try:
            yield
        finally:
            self._slots.release()
