from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from courseapp.models import Course, Reading
from courseapp.platform.security import has_staff_powers
from courseapp.week.selectors import reading_open_to

from . import selectors, services


@login_required
@require_GET
def course_report_links(request: HttpRequest, slug: str) -> HttpResponse:
    if not has_staff_powers(request.user):
        raise Http404("Reports are for course admins.")
    course = get_object_or_404(Course, slug=slug)
    context = {"course": course, "readings": selectors.course_link_problems(course=course)}
    return render(request, "courseapp/links/course_report_links.html", context)


@require_POST
@login_required
def reading_link_report(request: HttpRequest, pk: int) -> HttpResponse:
    if not reading_open_to(user=request.user, reading_id=pk):
        raise Http404("No such reading.")
    reading = get_object_or_404(Reading.objects.only("pk", "url", "unit_id"), pk=pk)
    try:
        counted = services.reading_link_report(user=request.user, reading=reading)
    except services.ReportRefused:
        level, text = messages.ERROR, "You have reported many links this hour; try again later."
    else:
        level = messages.SUCCESS
        text = (
            "Thank you: the course team will fix this link."
            if counted
            else "You have already reported this link; the course team knows."
        )
    if request.htmx:
        # The message goes into the form's status region; a refusal too (htmx swaps only 2xx).
        context = {"reading": reading, "report_message": text}
        return render(request, "courseapp/links/_report_form.html#status", context)
    messages.add_message(request, level, text)
    response = redirect("unit_detail", pk=reading.unit_id)
    response["Location"] += f"#reading-{reading.pk}"
    return response
