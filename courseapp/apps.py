from django.apps import AppConfig


class CourseappConfig(AppConfig):
    name = "courseapp"
    verbose_name = "Courses"

    def ready(self) -> None:
        from . import admin_cohorts, pagecache_hooks, signals  # noqa: F401  (admin and hooks)
        from .facilitate import nav  # noqa: F401  (keeps the Facilitate link's flag at login)

        pagecache_hooks.connect()
