from django.apps import AppConfig


class CourseappConfig(AppConfig):
    name = "courseapp"
    verbose_name = "Courses"

    def ready(self) -> None:
        # Wiring, in one place: the admin modules beside courseapp.admin (which Django's admin
        # finds by itself), the task modules that services queue by name (Celery's
        # autodiscovery finds only courseapp.tasks, and only in a worker), signal receivers and
        # the page-version hooks.
        from .cohorts import admin as cohorts_admin  # noqa: F401
        from .cohorts import signals as cohort_signals  # noqa: F401
        from .cohorts import tasks as cohort_tasks  # noqa: F401
        from .facilitate import nav  # noqa: F401  (keeps the Facilitate link's flag at login)
        from .feedback import admin as feedback_admin  # noqa: F401
        from .links import tasks as link_tasks  # noqa: F401
        from .meetings import admin as meetings_admin  # noqa: F401
        from .platform import tasks as platform_tasks  # noqa: F401
        from .reminders import admin as reminders_admin  # noqa: F401
        from .reminders import tasks as reminder_tasks  # noqa: F401
        from .week import pagecache_hooks

        pagecache_hooks.connect()
