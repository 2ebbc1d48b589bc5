"""The cohort grid as CSV (streamed)."""

import csv
from collections.abc import Iterator
from datetime import UTC

from .grid import GridView
from .selectors import FellowRow, UnitColumn

# Spreadsheets run cells that start with these as formulas; names stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def csv_header(columns: list[UnitColumn]) -> list[str]:
    header = ["fellow", "email", "status", "at_risk_reasons", "last_activity_utc"]
    header += ["expected_core_done", "expected_core_total", "core_done", "core_total"]
    header += ["sessions_attended", "sessions_recorded"]
    for column in columns:
        week = f"week_{column.unit.week}"
        header += [f"{week}_core_done", f"{week}_core_total", f"{week}_quiz_best_percent"]
        header += [f"{week}_quiz_passed", f"{week}_feedback_named", f"{week}_attendance"]
    return header


def csv_row(row: FellowRow, columns: list[UnitColumn]) -> list:
    last = (
        row.last_activity.astimezone(UTC).isoformat(timespec="minutes") if row.last_activity else ""
    )
    # A deleted account's placeholder address is nobody's: leave the column empty.
    email = "" if row.user.retired_at else row.user.email
    values = [row.user.name, email, row.enrollment.status, "; ".join(row.at_risk_reasons)]
    values += [last, row.expected_done, row.expected_total, row.core_done, row.core_total]
    values += [row.sessions_attended, row.sessions_recorded]
    for column in columns:
        cell = row.cell_for(column.unit_id)
        quiz_taken = column.has_quiz and cell.quiz_submitted > 0
        values += [cell.core_done, column.core_total, cell.quiz_best_percent if quiz_taken else ""]
        values += [_yes_no(cell.quiz_passed) if quiz_taken else "", _yes_no(cell.feedback)]
        values += [row.mark_at(column) if column.held else ""]  # present, absent, excused
    return values


def grid_csv_lines(
    view: GridView, others: list[FellowRow], columns: list[UnitColumn]
) -> Iterator[str]:
    """The grid's rows as shown (same sort and filter), then deferred and dropped fellows. Every
    week of `columns` unless the view picks one week: the page hides weeks not yet open, the
    export keeps them."""
    columns = [view.unit] if view.unit else columns
    writer = csv.writer(_Echo())
    yield writer.writerow(csv_header(columns))
    for row in [*view.rows, *([] if view.at_risk_only else others)]:
        yield writer.writerow([_cell(value) for value in csv_row(row, columns)])
