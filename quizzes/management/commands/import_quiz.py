import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseapp.models import Course
from quizzes import services
from quizzes.quiztext import QuizFormatError

MAX_BYTES = services.MAX_QUIZ_FILE_BYTES


def _read(file: Path) -> str:
    """The file as text (universal newlines, as `read_text`), read no further than the cap."""
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError(
                f"{file}: nothing was imported. The file is larger than 1 MB; is it a quiz?"
            )
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {file}: {error}") from error


class Command(BaseCommand):
    help = "Create or update a unit's quiz from a plain-text quiz file (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="The course's slug.")

    def handle(self, *args, file: Path, course: str, **options) -> None:
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"No course with the slug {course!r}.")
        text = _read(file)
        try:
            _quiz, summary = services.quiz_import(course=found, text=text)
        except QuizFormatError as error:
            raise CommandError(f"{file}: nothing was imported.\n{error}") from error
        for line in summary:
            self.stdout.write(self.style.SUCCESS(line))
