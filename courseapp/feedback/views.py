from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from courseapp.models import Course, Reading, Unit
from courseapp.platform.redirects import safe_next
from courseapp.platform.security import has_staff_powers
from quizzes import reports as quiz_reports
from quizzes.models import Quiz

from . import exports, selectors, services
from .forms import ReadingFeedbackForm, UnitFeedbackForm
from .sorting import sort_table

SAVED = "Thanks, your feedback was saved."
UNIT_COLUMNS = {
    "week": ("Week", lambda r: (r.unit.position, r.unit.week)),
    "unit": ("Unit", lambda r: r.unit.title.lower()),
    "rating": ("Average rating", lambda r: r.average),
    "response": ("Response rate", lambda r: r.response_rate),
    "core": ("Core readings done", lambda r: r.core_rate),
}
READING_COLUMNS = {
    "week": ("Week", lambda r: (r.unit.position, r.unit.week, r.reading.tier)),
    "reading": ("Reading", lambda r: r.reading.title.lower()),
    "completion": ("Completion", lambda r: r.completion_rate),
    "useful": ("Useful", lambda r: r.useful_share),
    "votes": ("Votes", lambda r: r.votes),
}


def _unit_feedback_template(request: HttpRequest) -> str:
    if request.htmx:
        return "courseapp/feedback/_unit_feedback.html"
    return "courseapp/feedback/unit_feedback.html"


@login_required
@require_http_methods(["GET", "POST"])
def unit_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.live().select_related("course"), pk=pk)
    context = selectors.unit_feedback_context(user=request.user, unit=unit)
    if not context["feedback_allowed"]:
        raise Http404("No feedback form for you on this unit.")
    if request.method == "POST" and context["feedback_open"]:
        form = UnitFeedbackForm(request.POST)
        context["feedback_form"] = form
        if form.is_valid():
            try:
                feedback = services.unit_feedback_save(
                    user=request.user, unit=unit, data=form.cleaned_data
                )
            except services.FeedbackClosed as error:
                form.add_error(None, error)
            else:
                if not request.htmx:
                    messages.success(request, SAVED)
                    return redirect(unit)
                context["unit_feedback"] = feedback
                context["feedback_form"] = selectors.unit_feedback_form_for(feedback)
                context["feedback_saved"] = True
    elif request.method == "POST":
        context["feedback_refused"] = True
    return render(request, _unit_feedback_template(request), context)


@login_required
@require_http_methods(["GET", "POST"])
def reading_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reading = get_object_or_404(Reading.objects.live().select_related("unit__course"), pk=pk)
    if selectors.feedback_place(user=request.user, unit=reading.unit) is None:
        raise Http404("No feedback form for you on this reading.")
    existing = selectors.reading_feedback_for_user(user=request.user, readings=[reading])
    context = {"reading": reading, "reading_feedback": existing.get(reading.pk)}
    if request.method == "POST":
        form = ReadingFeedbackForm(request.POST, reading_pk=reading.pk)
        context["reading_feedback_form"] = form
        context["feedback_next"] = safe_next(request, reading.unit.get_absolute_url())
        if form.is_valid():
            context["reading_feedback"] = services.reading_feedback_save(
                user=request.user, reading=reading, **form.cleaned_data
            )
            context["reading_feedback_form"] = None
            context["reading_feedback_saved"] = True
            if not request.htmx:
                messages.success(request, SAVED)
                return redirect(context["feedback_next"])
    if request.htmx:
        return render(request, "courseapp/feedback/_reading_feedback.html", context)
    return render(request, "courseapp/feedback/reading_feedback.html", context)


def _facilitated_unit(request: HttpRequest, cohort_pk: int, unit_pk: int):
    cohort = selectors.cohort_facilitated_by(user=request.user, cohort_pk=cohort_pk)
    if cohort is None:
        raise Http404("No such cohort among yours.")
    unit = get_object_or_404(Unit.objects.live(), pk=unit_pk, course=cohort.course_id)
    return cohort, unit


@login_required
@require_GET
def cohort_unit_feedback(request: HttpRequest, cohort_pk: int, unit_pk: int) -> HttpResponse:
    cohort, unit = _facilitated_unit(request, cohort_pk, unit_pk)
    summary = selectors.cohort_unit_feedback_summary(cohort=cohort, unit=unit)
    context = {"summary": summary, "min_answers": selectors.ANONYMITY_MIN_ANSWERS}
    return render(request, "courseapp/feedback/cohort_unit_feedback.html", context)


@login_required
@require_GET
def cohort_unit_feedback_csv(request: HttpRequest, cohort_pk: int, unit_pk: int) -> HttpResponse:
    cohort, unit = _facilitated_unit(request, cohort_pk, unit_pk)
    summary = selectors.cohort_unit_feedback_summary(cohort=cohort, unit=unit)
    return exports.cohort_unit_feedback_csv(summary)


def _staff_course(request: HttpRequest, slug: str) -> Course:
    if not has_staff_powers(request.user):
        raise Http404("Reports are for course admins.")
    return get_object_or_404(Course, slug=slug)


@login_required
@require_GET
def course_report(request: HttpRequest, slug: str) -> HttpResponse:
    report = selectors.course_syllabus_report(course=_staff_course(request, slug))
    units, unit_headers = sort_table(request, "units", report.units, UNIT_COLUMNS, "week")
    readings, reading_headers = sort_table(
        request, "readings", report.readings, READING_COLUMNS, "week"
    )
    context = {
        "report": report,
        "units": units,
        "unit_headers": unit_headers,
        "readings": readings,
        "reading_headers": reading_headers,
    }
    return render(request, "courseapp/feedback/course_report.html", context)


@login_required
@require_GET
def course_report_units_csv(request: HttpRequest, slug: str) -> HttpResponse:
    report = selectors.course_syllabus_report(course=_staff_course(request, slug))
    return exports.syllabus_units_csv(report)


@login_required
@require_GET
def course_report_readings_csv(request: HttpRequest, slug: str) -> HttpResponse:
    report = selectors.course_syllabus_report(course=_staff_course(request, slug))
    return exports.syllabus_readings_csv(report)


@login_required
@require_GET
def course_report_mastery(request: HttpRequest, slug: str) -> HttpResponse:
    report = quiz_reports.course_mastery(course=_staff_course(request, slug))
    return render(request, "courseapp/feedback/course_report_mastery.html", {"report": report})


@login_required
@require_GET
def course_report_mastery_csv(request: HttpRequest, slug: str) -> HttpResponse:
    report = quiz_reports.course_mastery(course=_staff_course(request, slug))
    return exports.syllabus_mastery_csv(report)


@login_required
@require_GET
def course_report_questions(request: HttpRequest, slug: str) -> HttpResponse:
    course = _staff_course(request, slug)
    quizzes = Quiz.objects.filter(unit__course=course, unit__archived_at=None)
    context = {
        "course": course,
        "questions": quiz_reports.question_quality(quizzes=quizzes),
        "thresholds": quiz_reports,
    }
    return render(request, "courseapp/feedback/course_report_questions.html", context)
