from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .health import health_report


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    enrollments = selectors.enrollments_for_user(user=request.user)
    return render(request, "courseapp/home.html", {"enrollments": enrollments})
