"""The cohort grid's body rows as HTML built in Python.

The grid is fellows x weeks: 200 fellows make 2,400 cells, and rendering them through the
template engine (loops, filters, localisation per cell) cost most of the page's time. Every value
goes through escape() or format_html(), so output stays escaped; the template keeps the page
around the rows.
"""

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .grid import GridView
from .selectors import Cell, FellowRow

LOCKED = '<td class="fac-cell is-locked"><span class="muted">Not open</span></td>'


def _cell(cell: Cell) -> str:
    if not cell.column.released:
        return LOCKED
    state = "fac-ok" if cell.core_complete else "fac-part" if cell.core_done else "fac-none"
    parts = [f'<td class="fac-cell"><span class="{state}">{cell.core_done}/']
    parts.append(f"{cell.column.core_total} core</span>")
    if cell.column.has_quiz:
        if cell.quiz_submitted:
            passed = "passed" if cell.quiz_passed else "not passed"
            quiz = f"Quiz {cell.quiz_best_percent}% {passed}"
        else:
            quiz = "No quiz yet"
        parts.append(f'<span class="fac-sub">{quiz}</span>')
    given = "Feedback given" if cell.feedback else "No feedback"
    parts.append(f'<span class="fac-sub">{given}</span></td>')
    return "".join(parts)


def _name(row: FellowRow, url: str) -> str:
    html = format_html('<th scope="row" class="fac-sticky"><a href="{}">{}</a>', url, row.user.name)
    if row.enrollment.status != "active":
        html += format_html(' <span class="badge">{}</span>', row.enrollment.get_status_display())
    if row.is_at_risk:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in row.at_risk_reasons)
        html += ' <span class="badge badge-danger">At risk</span>'
        html += f'<ul class="fac-reasons">{reasons}</ul>'
    return html + "</th>"


def _schedule(row: FellowRow) -> str:
    if not row.expected_total:
        return '<td><span class="muted">Nothing due yet</span></td>'
    if row.behind:
        state = f'<span class="fac-behind">{row.behind} core behind</span>'
    else:
        state = '<span class="fac-ok">On track</span>'
    expected = f"{row.expected_done} of {row.expected_total} expected"
    return f'<td>{state} <span class="fac-sub">{expected}</span></td>'


def _activity(row: FellowRow, zone: ZoneInfo) -> str:
    if row.last_activity is None:
        return '<td><span class="muted">None yet</span></td>'
    local = row.last_activity.astimezone(zone)
    iso = date_format(row.last_activity, "c")
    return f'<td><time datetime="{iso}">{date_format(local, "j M, H:i")}</time></td>'


def grid_rows_html(view: GridView, *, cohort_pk: int, zone: str) -> SafeString:
    """The <tr> of every fellow in the view, in its order and with its columns."""
    # One reverse() for the whole grid: the fellow's pk is the URL's last segment.
    url = reverse("cohort_fellow_detail", args=[cohort_pk, 0])[: -len("0/")] + "{}/"
    tz = ZoneInfo(zone)
    shown = {id(c) for c in view.columns}
    rows = []
    for row in view.rows:
        cells = "".join(_cell(c) for c in row.cells if id(c.column) in shown)
        risk = ' class="is-at-risk"' if row.is_at_risk else ""
        rows.append(
            f"<tr{risk}>{_name(row, url.format(row.user.pk))}{_schedule(row)}"
            f"{_activity(row, tz)}{cells}</tr>"
        )
    return mark_safe("\n".join(rows))  # each value above is escaped or a number
