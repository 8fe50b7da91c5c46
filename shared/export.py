"""CSV (UTF-8 with BOM, for Excel) and XLSX downloads that no spreadsheet turns into formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(_cell(v)) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> bytes:
    workbook = Workbook(write_only=False)
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([_cell(v) for v in row])
    for row_cells in worksheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # always text: "=1+1" stays the characters =1+1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, media_type: str, filename: str, ascii_fallback: str) -> Response:
    """A download whose (Chinese) file name survives every browser: RFC 6266 / RFC 5987."""
    disposition = f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def table_response(
    fmt: str, header: Sequence[str], rows: Sequence[Sequence[Any]], filename: str, ascii_name: str
) -> Response:
    if fmt == "xlsx":
        return download(to_xlsx(header, rows), XLSX_MEDIA_TYPE, f"{filename}.xlsx", f"{ascii_name}.xlsx")
    return download(to_csv(header, rows), CSV_MEDIA_TYPE, f"{filename}.csv", f"{ascii_name}.csv")
