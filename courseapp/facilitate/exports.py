"""The cohort grid as CSV (streamed) and the cohort's sessions as an iCalendar feed."""

import csv
from collections.abc import Iterator
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from courseapp.models import Cohort, Session

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
    for column in columns:
        week = f"week_{column.unit.week}"
        header += [f"{week}_core_done", f"{week}_core_total", f"{week}_quiz_best_percent"]
        header += [f"{week}_quiz_passed", f"{week}_feedback_named"]
    return header


def csv_row(row: FellowRow, columns: list[UnitColumn]) -> list:
    last = (
        row.last_activity.astimezone(UTC).isoformat(timespec="minutes") if row.last_activity else ""
    )
    # A deleted account's placeholder address is nobody's: leave the column empty.
    email = "" if row.user.retired_at else row.user.email
    values = [row.user.name, email, row.enrollment.status, "; ".join(row.at_risk_reasons)]
    values += [last, row.expected_done, row.expected_total, row.core_done, row.core_total]
    for column in columns:
        cell = row.cell_for(column.unit_id)
        quiz_taken = column.has_quiz and cell.quiz_submitted > 0
        values += [cell.core_done, column.core_total, cell.quiz_best_percent if quiz_taken else ""]
        values += [_yes_no(cell.quiz_passed) if quiz_taken else "", _yes_no(cell.feedback)]
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


def sessions_calendar(*, cohort: Cohort, sessions: list[Session]) -> bytes:
    """One VEVENT per session: a UID that stays the same when the session moves, start in UTC,
    the cohort's session length, and a link to the unit."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Fellowship//Cohort sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{cohort.course.title} · {cohort.name}")
    stamp = timezone.now().astimezone(UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("duration", timedelta(minutes=cohort.session_minutes))
        event.add("summary", f"Week {session.unit.week}: {session.unit.title}")
        event.add("url", settings.SITE_URL + session.unit.get_absolute_url())
        calendar.add_component(event)
    return calendar.to_ical()
