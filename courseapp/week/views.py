from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from courseapp.facilitate.nav import show_facilitate_link
from courseapp.feedback import selectors as feedback_selectors
from courseapp.meetings.selectors_attendance import attendance_for_fellow
from courseapp.models import Attendance, Course, Enrollment, LearningObjective, Reading, Unit
from courseapp.platform.pagecache import kept_for_person, per_person
from courseapp.platform.redirects import safe_next
from quizzes import selectors as quiz_selectors

from . import selectors, services


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _changes_by_itself(request: HttpRequest, token: str) -> tuple:
    """What a fellow's page is built from besides their data and the content: the next moment
    their schedule changes by itself, and the header's Facilitate link."""
    return _next_schedule_change(request.user, token), show_facilitate_link(request)


def _next_schedule_change(user, token: str):
    """The schedule's next change, kept until it passes, so a repeat view runs no schedule
    query. A kept answer holds from when it was worked out (a clock behind that one, on
    another server, works it out again) until the moment it names."""

    def work_out() -> tuple:
        now = timezone.now()
        return now, selectors.schedule_next_change(user=user, after=now)

    def fresh(kept: tuple) -> bool:
        since, moment = kept
        now = timezone.now()
        return since <= now and (moment is None or now < moment)

    _, moment = kept_for_person(
        user=user, token=token, name="schedule-next-change", work_out=work_out, fresh=fresh
    )
    return moment


fellow_page = per_person(_changes_by_itself)


@fellow_page
@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = selectors.home_cards(user=request.user)
    return render(request, "courseapp/home.html", {"cards": cards})


@login_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    overview = selectors.course_overview(user=request.user, course=course)
    if overview is None:
        raise Http404("No such course.")
    _attach_mastery(request.user, overview.rows)
    _attach_attendance(request.user, overview)
    return render(request, "courseapp/course_detail.html", {"overview": overview})


def _attach_attendance(user, overview: selectors.CourseOverview) -> None:
    """A fellow's own attendance on each unit's session, as the facilitator recorded it. One
    query; none for facilitators and staff."""
    enrollment = overview.enrollment
    if enrollment is None or enrollment.role != Enrollment.Role.FELLOW:
        return
    marks = attendance_for_fellow(user=user, cohort=enrollment.cohort)
    labels = dict(Attendance.Status.choices)
    for row in overview.rows:
        if row.session and row.session.pk in marks:
            row.attendance = labels[marks[row.session.pk]]


def _attach_mastery(user, rows: list) -> None:
    """Per unit, how many objectives are secure / developing / not yet, from the fellow's latest
    quiz attempts. Two queries for the whole course."""
    units = [row.unit for row in rows if row.is_open]
    mastery = quiz_selectors.objective_mastery_for_user(user=user, units=units)
    if not mastery:
        return
    levels: dict[int, dict[str, int]] = {}
    objectives = LearningObjective.objects.live().filter(unit__in=units, pk__in=list(mastery))
    for unit_id, objective_id in objectives.values_list("unit_id", "pk"):
        if not mastery[objective_id].total:
            continue  # only written answers waiting for a review: no level yet, never "not yet"
        counts = levels.setdefault(unit_id, {"secure": 0, "developing": 0, "not_yet": 0})
        counts[mastery[objective_id].level.replace("-", "_")] += 1
    for row in rows:
        row.mastery = levels.get(row.unit.pk)


@fellow_page
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opened = selectors.units_open_to(user=request.user).select_related("course")
    unit = opened.filter(pk=pk).first()
    if unit is None:
        return _unit_locked(request, pk)
    readings = selectors.unit_readings_for_fellow(user=request.user, unit=unit)
    feedback_selectors.attach_reading_feedback(user=request.user, readings=readings)
    progress = selectors.UnitProgress.of(readings)
    context = {
        "unit": unit,
        "objectives": _objectives_with_mastery(request.user, unit),
        "progress": progress,
        "next_url": request.get_full_path(),
        "quiz_summary": quiz_selectors.unit_quiz_summary(user=request.user, unit=unit),
    }
    core_done = progress.core.total > 0 and not progress.core.left
    context |= feedback_selectors.unit_feedback_context(
        user=request.user, unit=unit, core_done=core_done, unit_open=True
    )
    return render(request, "courseapp/unit_detail.html", context)


def _objectives_with_mastery(user, unit: Unit) -> list:
    objectives = list(unit.objectives.live().order_by("position", "pk"))
    mastery = quiz_selectors.objective_mastery_for_user(user=user, units=[unit])
    for objective in objectives:
        objective.mastery = mastery.get(objective.pk)
    return objectives


def _unit_locked(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit of the person's course that has not opened yet gets a friendly page (403) saying
    when it opens; any other unit is a plain 404, so nothing leaks about other courses."""
    unit = get_object_or_404(
        Unit.objects.live().filter(published=True).select_related("course"), pk=pk
    )
    session = selectors.unit_release_for(user=request.user, unit=unit)
    if session is None:
        raise Http404("No such unit.")
    zone = selectors.display_zone(user=request.user, cohort=session.cohort)
    context = {"unit": unit, "session": session, "zone": zone}
    return render(request, "courseapp/unit_locked.html", context, status=403)


@login_required
def reading_detail(request: HttpRequest, pk: int) -> HttpResponse:
    readings = selectors.readings_open_to(user=request.user).select_related("unit__course")
    reading = get_object_or_404(readings.annotate(done=selectors.reading_done(request.user)), pk=pk)
    if not reading.is_hosted:
        return redirect(f"{reading.unit.get_absolute_url()}#reading-{reading.pk}")
    context = {
        "reading": reading,
        "chapter_template": _template_or_none("courseapp/_chapter_body.html"),
        "next_url": request.get_full_path(),
    }
    return render(request, "courseapp/reading_detail.html", context)


def _template_or_none(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


@require_POST
@login_required
def reading_mark(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    # The service checks that the reading is open to this person; anything else is a 404, as
    # for a reading that does not exist.
    try:
        services.reading_mark(
            user=request.user, reading_id=pk, done=request.POST.get("done") == "1"
        )
    except PermissionDenied as denied:
        raise Http404("No such reading.") from denied
    if not request.htmx:
        unit_id = Reading.objects.filter(pk=pk).values_list("unit_id", flat=True).get()
        return redirect(safe_next(request, reverse("unit_detail", args=[unit_id])))
    reading, progress = selectors.reading_with_unit_progress(user=request.user, reading_id=pk)
    context = {
        "reading": reading,
        "progress": progress,
        "tier_progress": progress.tier(reading.tier),
        "next_url": reverse("unit_detail", args=[reading.unit_id]),
    }
    return render(request, "courseapp/unit_detail.html#mark-response", context)
