"""Write a syllabus back to the team's plain-text format (see parser for the format).

`write_syllabus(parse_syllabus(data))` gives back `data` byte for byte for any well-formed file
in canonical form: "\\n" line endings, one blank line between weeks (or none between any of
them), no trailing spaces. The final newline (or its absence, as in the seed) and the missing
blank lines are remembered on the course when imported.
"""

from collections.abc import Collection

from django.db.models import Prefetch

from courseapp.models import Course, LearningObjective, Reading, Unit
from courseapp.syllabus.estimates import infer_kind
from courseapp.syllabus.parser import READING_SECTIONS, ReadingItem, SyllabusDocument, Week


def write_syllabus(document: SyllabusDocument) -> str:
    text = ("\n\n" if document.blank_between_weeks else "\n").join(
        _week_text(week) for week in document.weeks
    )
    if document.course_title:
        text = f"Course: {document.course_title}\n\n{text}"
    return text + "\n" if document.final_newline else text


def reading_line(item: ReadingItem) -> str:
    line = f"- {item.title} ({item.attribution})"
    suffix = [part for part in (item.kind, item.minutes and f"{item.minutes} min") if part]
    if suffix:
        line = f"{line} [{', '.join(suffix)}]"
    return f"{line} <{item.url}>" if item.url else line


def _week_text(week: Week) -> str:
    lines = [f"Week {week.number}: {week.title}"]
    if week.subtitle:
        lines.append(week.subtitle)
    lines.append("Overview")
    if week.overview:
        lines.append(week.overview)
    lines.append("Learning Objectives")
    if week.objectives_intro:
        lines.append(week.objectives_intro)
    lines.extend(f"- {objective}" for objective in week.objectives)
    for heading, tier in READING_SECTIONS.items():
        lines.append(heading)
        lines.extend(reading_line(item) for item in week.readings_in(tier))
    return "\n".join(lines)


def document_from_course(
    *, course: Course, weeks: Collection[int] | None = None
) -> SyllabusDocument:
    """The course's live units (all, or those `weeks`, in week order), objectives and readings
    as a document, in three queries."""
    units = (
        Unit.objects.live()
        .filter(course=course)
        .order_by("week")
        .prefetch_related(
            Prefetch("objectives", LearningObjective.objects.live().order_by("position", "pk")),
            Prefetch("readings", Reading.objects.live().order_by("tier", "position", "pk")),
        )
    )
    if weeks is not None:
        units = units.filter(week__in=weeks)
    options = course.syllabus_format or {}
    return SyllabusDocument(
        weeks=[_week_from_unit(unit) for unit in units],
        course_title=course.title if options.get("course_header") else "",
        final_newline=options.get("final_newline", True),
        blank_between_weeks=options.get("blank_between_weeks", True),
    )


def _week_from_unit(unit: Unit) -> Week:
    return Week(
        number=unit.week,
        title=unit.title,
        subtitle=unit.subtitle,
        overview=unit.overview.replace("\r\n", "\n"),
        objectives_intro=unit.objectives_intro,
        objectives=[objective.text for objective in unit.objectives.all()],
        readings=[item_from_reading(reading) for reading in unit.readings.all()],
    )


def item_from_reading(reading: Reading) -> ReadingItem:
    """Kind and minutes appear only when the file or an editor set them, so estimates stay
    implicit."""
    inferred = infer_kind(title=reading.title, authors=reading.authors)
    return ReadingItem(
        title=reading.title,
        authors=reading.authors,
        year=reading.year,
        tier=reading.tier,
        kind=reading.kind if reading.kind_stated or reading.kind != inferred else None,
        minutes=None if reading.minutes_estimated else reading.minutes,
        url=reading.url,
    )


def export_syllabus(*, course: Course, weeks: Collection[int] | None = None) -> str:
    return write_syllabus(document_from_course(course=course, weeks=weeks))
