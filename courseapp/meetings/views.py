"""Each person's private calendar: the page that hands out the feed's URL, and the feed.

The feed is fetched by calendar apps that carry no cookie, so the secret in its URL is the only
authority; an unknown or reset secret gets a bare 404 that says nothing about why."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe

from courseapp.week.selectors import display_zone

from . import ics, selectors, services


def feed_urls(token: str) -> dict[str, str]:
    """The feed's address, as https (to copy or download), webcal (to subscribe in the
    system's calendar app) and a Google Calendar subscribe link."""
    https = settings.SITE_URL + reverse("calendar_feed", args=[token])
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return {"feed_url": https, "webcal_url": webcal, "google_url": google}


@login_required
@require_GET
def my_calendar(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_for(user=request.user)
    context = {
        "feed": feed,
        "enrollments": selectors.calendar_enrollments(user=request.user),
        "zone": display_zone(user=request.user),
        **feed_urls(feed.token),
    }
    return render(request, "courseapp/calendar/my_calendar.html", context)


@login_required
@require_POST
def my_calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(user=request.user)
    messages.success(
        request,
        "Your calendar link was reset: the old link no longer works. Subscribe again with the "
        "new link below.",
    )
    return redirect("my_calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = selectors.feed_by_token(token=token)
    if feed is None:
        raise Http404()
    sessions = selectors.calendar_sessions(user=feed.user)
    body = ics.person_calendar(name="Fellowship: your sessions", sessions=sessions)
    services.calendar_feed_fetched(feed=feed, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fellowship-sessions.ics"'
    # The URL is a secret: no shared cache keeps the answer, and each fetch sees moved sessions.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
