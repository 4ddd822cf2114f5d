"""Export report tables as CSV (semicolon, UTF-8 with BOM, for German Excel) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from workflows.steering.model import Cell, Table

HINT = ("Aggregiert und pseudonymisiert. Felder mit weniger als 5 Fällen sind unterdrückt (<5); "
        "„.“: zusätzlich geheim gehalten, damit Unterdrücktes nicht aus der Kreissumme folgt; "
        "– bedeutet: keine Fälle.")
HINT_EN = ("Aggregated and pseudonymised. Cells of fewer than 5 cases are suppressed (<5); "
           "'.': also kept secret so that a suppressed cell cannot be worked out from the district total; "
           "– means: no cases.")


def table_csv(table: Table) -> bytes:
    """Return one table as CSV bytes; numbers with decimal comma, suppressed cells as <5."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for record in table.as_records():
        writer.writerow([_csv_text(value) for value in record])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_xlsx(tables: Iterable[Table], *, title: str, notes: Iterable[str] = (), language: str = "de") -> bytes:
    """Return a workbook with a cover sheet and one sheet per table; numbers stay numbers."""
    book = Workbook()
    cover = book.active
    cover.title = "Notes" if language == "en" else "Hinweise"
    for line in [title, HINT_EN if language == "en" else HINT, *notes]:
        cover.append([line])
    cover["A1"].font = Font(bold=True)
    used: set[str] = {cover.title}
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 34
    for sheet in book.worksheets:  # nothing in a report is a formula: text that looks like one stays text
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d[\d.]*(?:,\d+)?\s?%?")


def _csv_text(value: object) -> object:
    """Escape text a spreadsheet would read as a formula by a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def _xlsx_value(cell: Cell) -> str | float | int | None:
    if cell.suppressed:
        return cell.text  # "<5", or "." where kept secret to protect the district total
    return cell.value


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and forbids []:*?/\ in sheet names.
    base = re.sub(r"[\[\]:*?/\\]", "-", title)[:31]
    name, n = base, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name
