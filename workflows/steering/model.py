"""The shape of a report: periods, tables of cells, and small-cell suppression."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

MIN_CELL = 5  # cells that count 1-4 cases are suppressed
SUPPRESSED_TEXT = "<5"
SECONDARY_TEXT = "."  # as in official German statistics: "Zahlenwert geheim zu halten"
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class Period:
    """A calendar month ("2026-03") or quarter ("2026-Q1"), as a half-open UTC interval."""

    key: str
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def parse(cls, key: str) -> Period:
        """Parse "YYYY-MM" or "YYYY-Qn"; raise ValueError with a German message otherwise."""
        match = _PERIOD.match(key.strip())
        if match is None:
            raise ValueError(f"Zeitraum {key!r} nicht erkannt: bitte JJJJ-MM oder JJJJ-Qn angeben")
        year = int(match.group(1))
        first = int(match.group(2)) if match.group(2) else (int(match.group(3)) - 1) * 3 + 1
        months = 1 if match.group(2) else 3
        start = dt.datetime(year, first, 1, tzinfo=dt.UTC)
        end_month = first + months
        end = dt.datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=dt.UTC)
        return cls(key.strip(), start, end)

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.key

    @property
    def label(self) -> str:
        return self.label_in("de")

    def label_in(self, language: str) -> str:
        """Return "März 2026" or "1. Quartal 2026" (English: "March 2026", "Q1 2026")."""
        if language == "en":
            if self.is_quarter:
                return f"Q{self.key[-1]} {self.start.year}"
            return f"{ENGLISH_MONTHS[self.start.month - 1]} {self.start.year}"
        if self.is_quarter:
            return f"{self.key[-1]}. Quartal {self.start.year}"
        return f"{GERMAN_MONTHS[self.start.month - 1]} {self.start.year}"

    def previous(self) -> Period:
        """Return the period of the same kind just before this one."""
        before = self.start - dt.timedelta(days=1)
        key = f"{before.year}-Q{(before.month - 1) // 3 + 1}" if self.is_quarter else f"{before:%Y-%m}"
        return Period.parse(key)


GERMAN_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                 "Oktober", "November", "Dezember")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")


@dataclass(frozen=True)
class Cell:
    """One figure of a table: a value, or suppressed because it describes fewer than five cases."""

    value: float | int | str | None
    suppressed: bool = False
    secondary: bool = False  # hidden only so that a suppressed neighbour cannot be worked out from the total

    @property
    def text(self) -> str:
        if self.secondary:
            return SECONDARY_TEXT
        if self.suppressed:
            return SUPPRESSED_TEXT
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.1f}".replace(".", ",")
        return str(self.value)

    @property
    def number(self) -> float | int | None:
        """Return the value for charts and spreadsheets (None when suppressed or not a number)."""
        if self.suppressed or isinstance(self.value, str):
            return None
        return self.value


def label(text: str) -> Cell:
    return Cell(text)


def count(n: int) -> Cell:
    """Return a case count, suppressed when 1-4."""
    return Cell(n, suppressed=0 < n < MIN_CELL)


def statistic(values: Sequence[float], kind: str = "median") -> Cell:
    """Return the median or 90th percentile of durations, suppressed when fewer than five cases."""
    if not values:
        return Cell(None)
    if len(values) < MIN_CELL:
        return Cell(None, suppressed=True)
    return Cell(round(float(median(values) if kind == "median" else percentile(values, 0.9)), 1))


def share(part: int, whole: int) -> Cell:
    """Return a percentage, suppressed when the part or the whole counts fewer than five cases."""
    if whole == 0:
        return Cell(None)
    if 0 < part < MIN_CELL or whole < MIN_CELL:
        return Cell(None, suppressed=True)
    return Cell(round(100.0 * part / whole, 1))


def ratio(cell: Cell, divisor: float | None) -> Cell:
    """Divide a count cell by a divisor (e.g. posts); a suppressed count stays suppressed."""
    if cell.suppressed:
        return Cell(None, suppressed=True, secondary=cell.secondary)
    if not divisor or cell.value is None:
        return Cell(None)
    return Cell(round(float(cell.value) / divisor, 1))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Table:
    """One table of a report: headers, rows of cells, a note on definitions and a chart hint."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    chart: str | None = None  # "bar", "stacked" or None: the figures read better as a table

    def as_records(self) -> list[list[str]]:
        """Return headers and the displayed texts, row by row (CSV, print)."""
        return [list(self.columns), *[[cell.text for cell in row] for row in self.rows]]


def protect_totals(table: Table, columns: Sequence[int]) -> None:
    """Suppress a second cell where one suppressed municipality could be worked out from the district total.

    The last row is the district total. A lone suppressed cell in a column equals the total minus the others,
    so the smallest other non-zero cell is suppressed too (or, with no such cell, the total itself).
    """
    body, total_row = table.rows[:-1], table.rows[-1]
    for column in columns:
        total = total_row[column]
        if total.suppressed or not isinstance(total.value, int):
            continue
        hidden = [row for row in body if row[column].suppressed]
        if len(hidden) != 1:
            continue
        shown = [(value, row) for row in body if not row[column].suppressed
                 and isinstance(value := row[column].value, int) and value > 0]
        if shown:
            smallest, row = min(shown, key=lambda pair: pair[0])
            row[column] = Cell(smallest, suppressed=True, secondary=True)
        else:
            total_row[column] = Cell(total.value, suppressed=True, secondary=True)
