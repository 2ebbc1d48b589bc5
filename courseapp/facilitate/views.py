"""Facilitator pages. Every view finds the cohort among those the person facilitates (staff:
all), so fellows and other cohorts' facilitators get a 404 that says nothing about the cohort."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from courseapp.feedback.selectors import ANONYMITY_MIN_ANSWERS
from courseapp.models import Cohort, Enrollment, Reminder
from courseapp.platform.security import has_staff_powers
from courseapp.reminders.services import NudgeTooSoon, nudge_send
from courseapp.week.selectors import display_zone

from . import exports, selectors
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
    body = exports.sessions_calendar(cohort=cohort, sessions=sessions)
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
