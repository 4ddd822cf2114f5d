"""Report tables export to CSV and XLSX that open with the figures the page shows."""

import csv
import io

from openpyxl import load_workbook

from tests.engine.report_data import seed
from workflows.steering.exports import table_csv, tables_xlsx
from workflows.steering.report import steering_report


def march(db):
    with db.unit_of_work() as session:
        seed(session)
    with db.reading() as session:
        return steering_report(session, "2026-03")


def test_the_csv_export_opens_with_semicolons_and_keeps_the_suppression(db):
    data = table_csv(march(db).table("caseload")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0][:2] == ["Kommune", "Neue Fälle"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Neuss"][1:4] == [".", ".", "<5"]  # kept secret: the total would reveal Kaarst
    assert by_name["Kaarst"][1] == "<5"


def test_the_xlsx_export_has_one_sheet_per_table_with_numbers_as_numbers(db):
    report = march(db)
    book = load_workbook(io.BytesIO(tables_xlsx(report.tables, title="Steuerungsbericht März 2026")))
    assert book.sheetnames[0] == "Hinweise" and len(book.sheetnames) == len(report.tables) + 1
    assert book["Hinweise"]["A1"].value == "Steuerungsbericht März 2026"
    sheet = book["Fallzahlen"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["Neuss"][1:4] == (".", ".", "<5")  # kept secret: the total would reveal Kaarst
    assert rows["Neuss"][4] == 2.0 and rows["Neuss"][5] == "."
    assert rows["Rhein-Kreis Neuss gesamt"][1] == 9
    sheet = book[book.sheetnames[5]]
    assert sheet["A1"].value.startswith("Antwortzeiten der Ämter")
    assert sheet["C3"].value == 9.5
