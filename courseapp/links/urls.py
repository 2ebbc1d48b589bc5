from django.urls import path

from . import views

urlpatterns = [
    path(
        "reports/courses/<slug:slug>/links/",
        views.course_report_links,
        name="course_report_links",
    ),
    path("readings/<int:pk>/report-link/", views.reading_link_report, name="reading_link_report"),
]
