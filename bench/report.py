"""Print the figures of every database as one table, with targets and SpiffArena's medians."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the table: a measure, its value per database, the target and SpiffArena's figure."""

    key: str
    label: str
    target: str = ""
    spiffarena: str = ""
    values: dict[str, str] = field(default_factory=dict)
    verdicts: dict[str, bool | None] = field(default_factory=dict)


class Table:
    """Rows in the order they were first mentioned, filled per database."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.databases: list[str] = []

    def add(self, database: str, key: str, label: str, value: str, *, ok: bool | None = None,
            target: str = "", spiffarena: str = "") -> None:
        """Record one figure of one database."""
        if database not in self.databases:
            self.databases.append(database)
        row = self.rows.setdefault(key, Row(key, label, target, spiffarena))
        row.values[database] = value
        row.verdicts[database] = ok

    def render(self) -> str:
        """Return the table as aligned plain text; a miss of a target is marked with '!'."""
        header = ["measure", *self.databases, "target", "SpiffArena"]
        lines = [header]
        for row in self.rows.values():
            cells = [row.label]
            for database in self.databases:
                mark = {True: "", False: " !", None: ""}[row.verdicts.get(database)]
                cells.append(row.values.get(database, "-") + mark)
            lines.append([*cells, row.target, row.spiffarena])
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
               for line in lines]
        out.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(out)


def ms(value: float) -> str:
    """Format milliseconds."""
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def ratio(value: float) -> str:
    """Format a ratio."""
    return f"{value:.2f}x"
