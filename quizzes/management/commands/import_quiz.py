from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseapp.models import Course
from quizzes import services
from quizzes.quiztext import QuizFormatError


class Command(BaseCommand):
    help = "Create or update a unit's quiz from a plain-text quiz file (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="The course's slug.")

    def handle(self, *args, file: Path, course: str, **options) -> None:
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"No course with the slug {course!r}.")
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            _quiz, summary = services.quiz_import(course=found, text=text)
        except QuizFormatError as error:
            raise CommandError(f"{file}: nothing was imported.\n{error}") from error
        for line in summary:
            self.stdout.write(self.style.SUCCESS(line))
