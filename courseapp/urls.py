from django.contrib import admin
from django.urls import include, path

from . import invitation_views, views

admin.site.site_header = "Fellowship administration"
admin.site.site_title = "Fellowship admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("readings/<int:pk>/", views.reading_detail, name="reading_detail"),
    path("readings/<int:pk>/mark/", views.reading_mark, name="reading_mark"),
    path("invitations/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("cohorts/<int:pk>/invite/", invitation_views.cohort_invite, name="cohort_invite"),
    path("", include("courseapp.reminders.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("quizzes.urls")),
    path("", include("courseapp.feedback.urls")),
    path("", include("courseapp.facilitate.urls")),
    path("admin/courseapp/reading/import-chapter/", include("courseapp.admin_chapters")),
    path("admin/", admin.site.urls),
]
