from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fellowship administration"
admin.site.site_title = "Fellowship admin"

urlpatterns = [
    path("", include("courseapp.platform.urls")),
    path("", include("courseapp.week.urls")),
    path("", include("courseapp.cohorts.urls")),
    path("", include("courseapp.reminders.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("quizzes.urls")),
    path("", include("courseapp.feedback.urls")),
    path("", include("courseapp.links.urls")),
    path("", include("courseapp.facilitate.urls")),
    path("", include("courseapp.meetings.urls")),
    path("admin/courseapp/reading/import-chapter/", include("courseapp.chapters.admin")),
    path("admin/", admin.site.urls),
]
