from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/reset/", views.my_calendar_reset, name="my_calendar_reset"),
    # The secret is token_urlsafe: letters, digits, "-" and "_", which is what <slug> matches.
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
