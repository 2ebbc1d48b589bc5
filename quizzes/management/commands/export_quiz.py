from django.core.management.base import BaseCommand, CommandError

from quizzes import selectors
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Print a unit's quiz in the plain-text quiz format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--course", required=True, help="The course's slug.")
        parser.add_argument("--week", required=True, type=int)

    def handle(self, *args, course: str, week: int, **options) -> None:
        quiz = (
            Quiz.objects.filter(unit__course__slug=course, unit__week=week, unit__archived_at=None)
            .select_related("unit")
            .first()
        )
        if quiz is None:
            raise CommandError(f"No quiz for week {week} of the course {course!r}.")
        self.stdout.write(selectors.quiz_as_text(quiz=quiz), ending="")
