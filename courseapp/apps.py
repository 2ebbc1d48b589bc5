from django.apps import AppConfig


class CourseappConfig(AppConfig):
    name = "courseapp"
    verbose_name = "Courses"

    def ready(self) -> None:
        from . import admin_cohorts, signals  # noqa: F401  (registers admin and hooks)
