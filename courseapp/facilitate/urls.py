from django.urls import path

from . import views

urlpatterns = [
    path("facilitate/", views.facilitate_home, name="facilitate_home"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/export.csv", views.cohort_export_csv, name="cohort_export_csv"),
    path("cohorts/<int:pk>/sessions.ics", views.cohort_sessions_ics, name="cohort_sessions_ics"),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/attendance/",
        views.cohort_attendance,
        name="cohort_attendance",
    ),
    path(
        "cohorts/<int:pk>/fellows/<int:user_pk>/",
        views.fellow_detail,
        name="cohort_fellow_detail",
    ),
    path(
        "cohorts/<int:pk>/units/<int:unit_pk>/written/",
        views.written_answers,
        name="cohort_written_answers",
    ),
    path(
        "cohorts/<int:pk>/written/<int:answer_pk>/review/",
        views.written_answer_review,
        name="cohort_written_answer_review",
    ),
    path(
        "cohorts/<int:pk>/fellows/<int:user_pk>/nudge/",
        views.fellow_nudge,
        name="cohort_fellow_nudge",
    ),
]
