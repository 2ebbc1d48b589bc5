"""Facilitator pages. Every view finds the cohort among those the person facilitates (staff:
all), so fellows and other cohorts' facilitators get a 404 that says nothing about the cohort."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courseapp.feedback.selectors import ANONYMITY_MIN_ANSWERS
from courseapp.meetings.ics import sessions_calendar
from courseapp.models import Attendance, Cohort, Enrollment, Reminder, Unit
from courseapp.platform.redirects import safe_next
from courseapp.platform.security import has_staff_powers
from courseapp.reminders.services import NudgeTooSoon, nudge_send
from courseapp.week.selectors import display_zone
from quizzes import selectors as quiz_selectors
from quizzes.models import Answer

from . import exports, selectors, services
from .forms import MEETS, WrittenReviewForm
from .grid import grid_view
from .rows import grid_rows_html

NOT_FOUND = "No such cohort among the ones you facilitate."


def _facilitated(request: HttpRequest, pk: int) -> Cohort:
    cohort = selectors.facilitated_cohorts(user=request.user).filter(pk=pk).first()
    if cohort is None:
        raise Http404(NOT_FOUND)
    return cohort


@login_required
@require_GET
def facilitate_home(request: HttpRequest) -> HttpResponse:
    summaries = selectors.facilitator_home(user=request.user)
    if (
        not summaries
        and not has_staff_powers(request.user)
        and not selectors.is_facilitator(user=request.user)
    ):
        raise Http404("You do not facilitate a cohort.")
    return render(request, "courseapp/facilitate/home.html", {"summaries": summaries})


@login_required
@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _facilitated(request, pk)
    dashboard = selectors.cohort_dashboard(cohort=cohort)
    view = grid_view(dashboard, request.GET)
    zone = display_zone(user=request.user, cohort=cohort)
    context = {
        "dashboard": dashboard,
        "cohort": cohort,
        "view": view,
        "grid_rows": grid_rows_html(view, cohort_pk=cohort.pk, now=dashboard.now),
        "zone": zone,
        "min_answers": ANONYMITY_MIN_ANSWERS,
        "threshold_percent": round(100 * settings.AT_RISK_LOW_MASTERY),
    }
    template = "courseapp/facilitate/cohort_detail.html"
    return render(request, f"{template}#grid" if request.htmx else template, context)


@login_required
@require_GET
def cohort_export_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    cohort = _facilitated(request, pk)
    dashboard = selectors.cohort_dashboard(cohort=cohort)
    view = grid_view(dashboard, request.GET)
    lines = exports.grid_csv_lines(view, dashboard.others, dashboard.columns)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-progress.csv"'
    return response


@login_required
@require_GET
def cohort_sessions_ics(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _facilitated(request, pk)
    sessions = selectors.cohort_sessions(cohort=cohort)
    body = sessions_calendar(cohort=cohort, sessions=sessions)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-sessions.ics"'
    return response


def _fellow(request: HttpRequest, pk: int, user_pk: int) -> tuple[Cohort, Enrollment]:
    cohort = _facilitated(request, pk)
    enrollment = selectors.fellow_enrollment(cohort=cohort, user_pk=user_pk)
    if enrollment is None:
        raise Http404("No such fellow in this cohort.")
    return cohort, enrollment


@login_required
@require_GET
def fellow_detail(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    cohort, enrollment = _fellow(request, pk, user_pk)
    context = {
        "enrollment": enrollment,
        "detail": selectors.fellow_detail(cohort=cohort, enrollment=enrollment),
        "cohort": cohort,
        "zone": display_zone(user=request.user, cohort=cohort),
    }
    return render(request, "courseapp/facilitate/fellow_detail.html", context)


def _nudge_outcome(reminder: Reminder, zone: str) -> tuple[int, str]:
    name = reminder.recipient.name
    if reminder.status == Reminder.Status.SKIPPED:
        return messages.WARNING, f"{name} was not nudged: {reminder.last_error}"
    if reminder.send_after > timezone.now():
        when = timezone.localtime(reminder.send_after, timezone=ZoneInfo(zone))
        return messages.SUCCESS, (
            f"Nudge to {name} saved; it goes out at {when:%H:%M on %a %d %b} ({zone}), "
            "in their daytime."
        )
    return messages.SUCCESS, f"Nudge sent to {name}."


@login_required
@require_POST
def fellow_nudge(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Email one fellow a short reminder (through the reminders pipeline: rate-limited to once
    a day, logged as a Reminder, sent by Celery)."""
    cohort, enrollment = _fellow(request, pk, user_pk)
    try:
        reminder = nudge_send(sender=request.user, enrollment=enrollment)
    except NudgeTooSoon:
        level, text = messages.INFO, f"{enrollment.user.name} was already nudged today."
    except PermissionDenied as error:
        level, text = messages.ERROR, str(error)
    else:
        level, text = _nudge_outcome(reminder, display_zone(user=request.user, cohort=cohort))
    if not request.htmx:
        messages.add_message(request, level, text)
        return redirect("cohort_fellow_detail", pk=cohort.pk, user_pk=enrollment.user_id)
    context = {"cohort": cohort, "enrollment": enrollment, "nudge_message": text}
    return render(request, "courseapp/facilitate/fellow_detail.html#nudge", context)


# --- Review of written answers -------------------------------------------------------------------

WRITTEN = "courseapp/facilitate/written_answers.html"


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _for_review(answer: Answer, objectives: dict[int, str], form=None) -> Answer:
    """The answer with its review form and the texts of the objectives it was asked for."""
    answer.form = form or WrittenReviewForm.for_answer(answer)
    answer.objective_texts = [
        objectives[pk] for pk in answer.snapshot["objectives"] if pk in objectives
    ]
    return answer


@login_required
@require_GET
def written_answers(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """The cohort's written answers to one unit's quiz, newest first, each with a review form."""
    cohort = _facilitated(request, pk)
    unit = get_object_or_404(Unit.objects.live(), pk=unit_pk, course_id=cohort.course_id)
    queue = quiz_selectors.review_queue(
        cohort=cohort,
        unit=unit,
        question_id=_number(request.GET.get("question")),
        pending_only=request.GET.get("status") == "pending",
        page=request.GET.get("page") or 1,
    )
    objectives = dict(unit.objectives.values_list("pk", "text"))
    for answer in queue.page:
        _for_review(answer, objectives)
    context = {"cohort": cohort, "unit": unit, "queue": queue, "next_url": request.get_full_path()}
    return render(request, WRITTEN, context)


@login_required
@require_POST
def written_answer_review(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """Save a verdict and comment on one written answer; htmx gets the answer's card back."""
    cohort = _facilitated(request, pk)
    answer = get_object_or_404(
        quiz_selectors.written_answers_of(cohort=cohort).select_related(
            "attempt__user", "attempt__quiz__unit"
        ),
        pk=answer_pk,
    )
    unit = answer.attempt.quiz.unit
    fallback = reverse("cohort_written_answers", args=[cohort.pk, unit.pk])
    form = WrittenReviewForm.for_answer(answer, request.POST)
    saved = form.is_valid()
    if saved:
        try:
            answer = services.written_answer_review(
                reviewer=request.user,
                cohort=cohort,
                answer=answer,
                meets=form.cleaned_data["verdict"] == MEETS,
                comment=form.cleaned_data["comment"],
            )
        except (PermissionDenied, ValidationError) as error:
            raise Http404(str(error)) from None
        answer = _reloaded(cohort, answer.pk)
        form = WrittenReviewForm.for_answer(answer)
    if not request.htmx:
        if saved:
            messages.success(request, f"Review of {answer.attempt.user.name}'s answer saved.")
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{safe_next(request, fallback)}#answer-{answer.pk}")
    objectives = dict(unit.objectives.values_list("pk", "text"))
    context = {
        "cohort": cohort,
        "answer": _for_review(answer, objectives, form),
        "saved": saved,
        "next_url": safe_next(request, fallback),
    }
    html = render_to_string(f"{WRITTEN}#review-item", context, request)
    if saved:  # the page's "N not reviewed yet" line follows the save, out of band
        summary = {"queue": quiz_selectors.review_counts(cohort=cohort, unit=unit), "oob": True}
        html += render_to_string(f"{WRITTEN}#review-summary", summary, request)
    return HttpResponse(html)


def _reloaded(cohort: Cohort, pk: int) -> Answer:
    return (
        quiz_selectors.written_answers_of(cohort=cohort)
        .select_related("attempt__user", "attempt__quiz__unit", "reviewed_by")
        .get(pk=pk)
    )


# --- Attendance ----------------------------------------------------------------------------------

ATTENDANCE = "courseapp/facilitate/attendance.html"


def _sheet(request: HttpRequest, pk: int, session_pk: int) -> selectors.AttendanceSheet:
    cohort = _facilitated(request, pk)
    sheet = selectors.attendance_sheet(cohort=cohort, session_pk=session_pk)
    if sheet is None:
        raise Http404("No such session in this cohort.")
    return sheet


def _attendance_context(request: HttpRequest, sheet: selectors.AttendanceSheet, **extra) -> dict:
    return {
        "sheet": sheet,
        "cohort": sheet.cohort,
        "statuses": Attendance.Status.choices,
        "zone": display_zone(user=request.user, cohort=sheet.cohort),
        **extra,
    }


def _choices(request: HttpRequest, only: int | None) -> dict[int, str]:
    """The marks posted as status-<user id>, or only that fellow's when a row saves itself.

    A whole register saves only the rows changed on the page: each row also posts the mark it
    showed (shown-<user id>), and a row still showing it is left alone, so a register opened
    before another facilitator changed a mark does not put the old mark back."""
    choices = {}
    for key, value in request.POST.items():
        if not key.startswith("status-"):
            continue
        user_pk = key.removeprefix("status-")
        if not user_pk.isdigit():
            raise ValidationError("Attendance can only be taken for this cohort's fellows.")
        if only is not None and int(user_pk) != only:
            continue
        if only is None and request.POST.get(f"shown-{user_pk}") == value:
            continue
        choices[int(user_pk)] = value
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def cohort_attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """One session's register. The form saves every row; with htmx a row saves itself as soon
    as a mark is picked (the post names the row) and comes back with "Saved"."""
    sheet = _sheet(request, pk, session_pk)
    if request.method == "GET":
        return render(request, ATTENDANCE, _attendance_context(request, sheet))
    row = request.POST.get("row", "")
    only = int(row) if row.isdigit() else None
    try:
        changed = services.attendance_sheet_record(
            facilitator=request.user,
            session=sheet.session,
            choices=_choices(request, only),
            rest_present=only is None and request.POST.get("rest") == "present",
        )
    except (PermissionDenied, ValidationError) as error:
        problem, changed = " ".join(getattr(error, "messages", [str(error)])), 0
    else:
        problem = ""
    if request.htmx and only is not None:
        return _attendance_row(request, sheet, only, problem)
    if problem:
        messages.error(request, f"Nothing was saved. {problem}")
    else:
        messages.success(
            request, f"Attendance saved ({changed} change{'s' if changed != 1 else ''})."
        )
    return redirect("cohort_attendance", pk=sheet.cohort.pk, session_pk=sheet.session.pk)


def _attendance_row(
    request: HttpRequest, sheet: selectors.AttendanceSheet, user_pk: int, problem: str
) -> HttpResponse:
    """What a row's own save changes, all out of band: the row's note ("Saved"), the counts and
    the status line. The row itself is not swapped, so the marks the facilitator is clicking
    stay theirs and the row's next save waits in its queue (hx-sync) instead of racing this one
    to the database. A refused mark swaps the whole row back to what is saved."""
    sheet = selectors.attendance_sheet(cohort=sheet.cohort, session_pk=sheet.session.pk)
    row = sheet.row(user_pk)
    if row is None:
        return HttpResponseBadRequest(problem or "No such fellow in this cohort.")
    context = _attendance_context(request, sheet, row=row, error=problem, saved=not problem)
    own = render_to_string(
        f"{ATTENDANCE}#att-{'row' if problem else 'note'}", {**context, "oob": not problem}, request
    )
    shared = [f"{ATTENDANCE}#att-summary", f"{ATTENDANCE}#att-live"]
    html = own + "".join(render_to_string(p, {**context, "oob": True}, request) for p in shared)
    response = HttpResponse(html)
    if problem:
        response["HX-Reswap"] = "outerHTML"
    return response
