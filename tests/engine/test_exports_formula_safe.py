"""Exports never hand a spreadsheet a formula: such text stays text in XLSX and is escaped in CSV."""

import io

from openpyxl import load_workbook

from workflows.steering.exports import table_csv, tables_xlsx
from workflows.steering.model import Cell, Table

EVIL = '=HYPERLINK("http://evil.example","klick")'


def table() -> Table:
    rows = [[Cell(EVIL), Cell(3)], [Cell("@SUM(A1)"), Cell(-2)], [Cell("+1+1"), Cell(0)]]
    return Table(key="t", title="Test", columns=["Kategorie", "Fälle"], rows=rows)


def test_the_xlsx_export_stores_formula_like_text_as_text_and_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(tables_xlsx([table()], title="T")))["Test"]
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 1).data_type) for r in (3, 4, 5)] == [
        (EVIL, "s"), ("@SUM(A1)", "s"), ("+1+1", "s")]
    assert sheet.cell(4, 2).value == -2


def test_the_csv_export_escapes_cells_that_start_like_a_formula_but_not_negative_numbers():
    text = table_csv(table()).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1].startswith("'=HYPERLINK") or lines[1].startswith("\"'=HYPERLINK")
    assert lines[2].startswith("'@SUM") and lines[3].startswith("'+1+1")
    assert lines[2].endswith(";-2")
