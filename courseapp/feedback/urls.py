from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/feedback/", views.unit_feedback, name="unit_feedback"),
    path("readings/<int:pk>/feedback/", views.reading_feedback, name="reading_feedback"),
    path(
        "cohorts/<int:cohort_pk>/units/<int:unit_pk>/feedback/",
        views.cohort_unit_feedback,
        name="cohort_unit_feedback",
    ),
    path(
        "cohorts/<int:cohort_pk>/units/<int:unit_pk>/feedback.csv",
        views.cohort_unit_feedback_csv,
        name="cohort_unit_feedback_csv",
    ),
    path("reports/courses/<slug:slug>/", views.course_report, name="course_report"),
    path(
        "reports/courses/<slug:slug>/units.csv",
        views.course_report_units_csv,
        name="course_report_units_csv",
    ),
    path(
        "reports/courses/<slug:slug>/readings.csv",
        views.course_report_readings_csv,
        name="course_report_readings_csv",
    ),
    path(
        "reports/courses/<slug:slug>/mastery/",
        views.course_report_mastery,
        name="course_report_mastery",
    ),
    path(
        "reports/courses/<slug:slug>/mastery.csv",
        views.course_report_mastery_csv,
        name="course_report_mastery_csv",
    ),
    path(
        "reports/courses/<slug:slug>/questions/",
        views.course_report_questions,
        name="course_report_questions",
    ),
]
