import re
from argparse import ArgumentTypeError
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courseapp.models import Course, Unit
from courseapp.syllabus.writer import export_syllabus

WEEKS_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def week_numbers(value: str) -> list[int]:
    """`5` or a range `5-7`."""
    match = WEEKS_RE.match(value)
    first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (1, 0)
    if last < first:
        raise ArgumentTypeError(f"{value!r} is not a week number or range (5, or 5-7)")
    return list(range(first, last + 1))


class Command(BaseCommand):
    help = "Write a course's syllabus (or some weeks of it) in the team's plain-text format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--course", required=True, help="Course slug.")
        parser.add_argument(
            "--week",
            type=week_numbers,
            action="append",
            dest="weeks",
            help="Only this week (5) or range of weeks (5-7); repeat for more. "
            "Weeks are written in the file's order whatever the order given.",
        )
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")

    def handle(self, *args, course: str, weeks: list[list[int]] | None, output: Path | None,
               **options):  # fmt: skip
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"no course with slug {course!r}")
        wanted = None if weeks is None else sorted({n for numbers in weeks for n in numbers})
        if wanted is not None:
            live = set(Unit.objects.live().filter(course=found, week__in=wanted)
                       .values_list("week", flat=True))  # fmt: skip
            if missing := [n for n in wanted if n not in live]:
                listed = ", ".join(str(n) for n in missing)
                raise CommandError(f"course {course!r} has no week {listed}")
        text = export_syllabus(course=found, weeks=wanted)
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_bytes(text.encode("utf-8"))
        self.stderr.write(f"Wrote {output}")
