"""The cohort grid's body rows as HTML built in Python.

The grid is fellows x weeks: 1,000 fellows make 6,000 cells by mid-course, and rendering them
through the template engine (loops, filters, localisation per cell) cost most of the page's
time. Every text goes through html.escape() (what Django's escape() calls, without its lazy-text
wrapper, which cost more than the escaping here) and the URL is built from integers, so output
stays escaped; the template keeps the page around the rows.

The markup is kept short because it is repeated per cell: the cell's state is a class on the
<td>, secondary lines are <small>, and the grid's caption says what a cell holds. Each cell
still reads as words ("2/5 core, Quiz 80% passed, Feedback given") with its week and fellow
from the headers, so a screen reader announces it in full.
"""

from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .grid import GridView
from .selectors import Cell, FellowRow, mark_label

LOCKED = '<td class="fac-locked">Not open</td>'
STATES = ("fac-none", "fac-part", "fac-ok")


def _cell(cell: Cell) -> str:
    column = cell.column
    if not column.released:
        return LOCKED
    state = STATES[2 if cell.core_done >= column.core_total else 1 if cell.core_done else 0]
    html = f'<td class="{state}">{cell.core_done}/{column.core_total} core'
    if column.has_quiz:
        if cell.quiz_submitted:
            passed = "passed" if cell.quiz_passed else "not passed"
            html += f"<small>Quiz {cell.quiz_best_percent}% {passed}</small>"
        else:
            html += "<small>No quiz yet</small>"
    if cell.feedback:
        html += "<small>Feedback given</small>"
    return html + "</td>"


def _name(row: FellowRow, url: str) -> str:
    html = f'<th scope="row"><a href="{url}">{escape(row.user.name)}</a>'
    if row.enrollment.status != "active":
        html += f' <span class="badge">{escape(row.enrollment.get_status_display())}</span>'
    if row.is_at_risk:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in row.at_risk_reasons)
        html += f' <span class="badge badge-danger">At risk</span><ul>{reasons}</ul>'
    return html + "</th>"


def _schedule(row: FellowRow) -> str:
    # How many core readings are due is the same for every fellow: the column header says it.
    if not row.expected_total:
        return '<td class="fac-muted">Nothing due yet</td>'
    if row.behind:
        return f'<td class="fac-none">{row.behind} core behind</td>'
    return '<td class="fac-ok">On track</td>'


def idle_for(last: datetime, now: datetime) -> str:
    """How long ago, in the whole days the at-risk rule counts ("No activity for 8 days")."""
    days = (now - last).days
    if days < 1:
        return "Less than a day ago"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _activity(row: FellowRow, now: datetime) -> str:
    # How long ago rather than a time: before a session the question is how long a fellow has
    # been away. The fellow's own page lists the exact times.
    if row.last_activity is None:
        return '<td class="fac-muted">None yet</td>'
    return f"<td>{idle_for(row.last_activity, now)}</td>"


MARK_STATES = {"present": ' class="fac-ok"', "absent": ' class="fac-none"', "excused": ""}


def _sessions(row: FellowRow) -> str:
    """Sessions attended of those recorded, and the last session's mark."""
    if not row.held_columns:
        return '<td class="fac-muted">None held yet</td>'
    last = row.last_mark
    state = MARK_STATES.get(last, ' class="fac-muted"')
    label = escape(mark_label(last)).lower()
    recorded = row.sessions_recorded
    if not recorded:
        return '<td class="fac-muted">Not recorded</td>'
    return (
        f"<td{state}>{row.sessions_attended} of {recorded} attended"
        f"<small>Last: {label}</small></td>"
    )


def grid_rows_html(view: GridView, *, cohort_pk: int, now: datetime) -> SafeString:
    """The <tr> of every fellow in the view, in its order and with its columns."""
    # One reverse() for the whole grid: the fellow's pk is the URL's last segment.
    url = reverse("cohort_fellow_detail", args=[cohort_pk, 0])[: -len("0/")] + "{}/"
    shown = {id(c) for c in view.columns}
    rows = []
    for row in view.rows:
        cells = "".join(_cell(c) for c in row.cells if id(c.column) in shown)
        risk = ' class="is-at-risk"' if row.is_at_risk else ""
        rows.append(
            f"<tr{risk}>{_name(row, url.format(row.user.pk))}{_schedule(row)}"
            f"{_activity(row, now)}{cells}{_sessions(row)}</tr>"
        )
    return mark_safe("\n".join(rows))  # each value above is escaped or a number
