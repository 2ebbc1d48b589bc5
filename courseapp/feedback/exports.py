import csv

from django.http import HttpResponse

from quizzes.reports import MasteryReport

from .selectors import SyllabusReport, UnitFeedbackSummary

ANONYMOUS_LABEL = "Anonymous fellow"
# Spreadsheets run cells that start with these as formulas; fellows' text must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _percent(value: float | None) -> str:
    return "" if value is None else f"{round(100 * value)}"


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return response


def cohort_unit_feedback_csv(summary: UnitFeedbackSummary) -> HttpResponse:
    """The same answers as the page: anonymous rows carry neither name nor time."""
    rows = (
        [
            comment.author or ANONYMOUS_LABEL,
            comment.rating,
            comment.what_worked,
            comment.what_to_change,
            comment.updated_at.isoformat(timespec="minutes") if comment.updated_at else "",
        ]
        for comment in summary.comments
    )
    return csv_response(
        f"feedback-cohort-{summary.cohort.pk}-week-{summary.unit.week}.csv",
        ["fellow", "rating", "what_worked", "what_to_change", "updated_at"],
        rows,
    )


def syllabus_units_csv(report: SyllabusReport) -> HttpResponse:
    rows = (
        [
            row.unit.week,
            row.unit.title,
            row.average if row.average is not None else "",
            row.answers,
            row.fellows,
            _percent(row.response_rate),
            row.core_complete,
            _percent(row.core_rate),
        ]
        for row in report.units
    )
    header = ["week", "unit", "average_rating", "answers", "fellows", "response_rate_percent"]
    header += ["fellows_done_core", "core_completion_percent"]
    return csv_response(f"{report.course.slug}-units.csv", header, rows)


def syllabus_readings_csv(report: SyllabusReport) -> HttpResponse:
    rows = (
        [
            row.unit.week,
            row.reading.get_tier_display(),
            row.reading.title,
            row.reading.attribution,
            row.completed,
            row.fellows,
            _percent(row.completion_rate),
            row.useful,
            row.votes,
            _percent(row.useful_share),
            " | ".join(row.comments),
        ]
        for row in report.readings
    )
    header = ["week", "tier", "reading", "by", "completed", "fellows", "completion_percent"]
    header += ["useful_votes", "votes", "useful_percent", "comments"]
    return csv_response(f"{report.course.slug}-readings.csv", header, rows)


def syllabus_mastery_csv(report: MasteryReport) -> HttpResponse:
    """Across all cohorts first, then per cohort; unit rows have an empty objective."""
    rows = (
        [
            row.cohort.name if row.cohort else "All cohorts",
            row.unit.week,
            row.unit.title,
            row.objective.text if row.objective else "",
            row.fellows,
            row.with_data,
            "" if row.mean_percent is None else row.mean_percent,
            row.secure,
            row.developing,
            row.not_yet,
        ]
        for row in [*report.units, *report.objectives, *report.by_cohort]
    )
    header = ["cohort", "week", "unit", "objective", "fellows", "fellows_with_answers"]
    header += ["mean_mastery_percent", "secure", "developing", "not_yet"]
    return csv_response(f"{report.course.slug}-mastery.csv", header, rows)
