from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courseapp.models import Course, Unit
from courseapp.syllabus.writer import export_syllabus


class Command(BaseCommand):
    help = "Write a course's syllabus (or one week of it) in the team's plain-text format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--course", required=True, help="Course slug.")
        parser.add_argument("--week", type=int, help="Only this week.")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")

    def handle(self, *args, course: str, week: int | None, output: Path | None, **options):
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"no course with slug {course!r}")
        if week is not None and not Unit.objects.live().filter(course=found, week=week).exists():
            raise CommandError(f"course {course!r} has no week {week}")
        text = export_syllabus(course=found, week=week)
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_bytes(text.encode("utf-8"))
        self.stderr.write(f"Wrote {output}")
