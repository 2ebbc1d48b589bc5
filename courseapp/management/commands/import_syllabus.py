from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from courseapp.models import Course
from courseapp.syllabus.parser import SyllabusError, parse_syllabus
from courseapp.syllabus.services import syllabus_apply, syllabus_plan


class Command(BaseCommand):
    help = (
        "Import a plain-text syllabus into a course, updating it in place: matched readings keep "
        "their identity (and fellows' progress), removed ones are archived. A malformed file "
        "changes nothing and every problem is listed with its line number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="Course slug; created if new.")
        parser.add_argument("--dry-run", action="store_true", help="Show the plan, change nothing.")

    def handle(self, *args, file: Path, course: str, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            document = parse_syllabus(data)
        except SyllabusError as error:
            for issue in error.issues:
                self.stderr.write(f"{file}:{issue}")
            raise CommandError(
                f"{len(error.issues)} problem(s) in {file}; nothing was changed."
            ) from None
        title = document.course_title or course.replace("-", " ").replace("_", " ").capitalize()
        found = Course.objects.filter(slug=course).first()
        if dry_run:
            plan = syllabus_plan(
                course=found or Course(slug=course, title=title), document=document
            )
            return self.report(plan, prefix="Dry run, nothing changed. Would: ")
        with transaction.atomic():
            if found is None:
                found = self.create_course(slug=course, title=title)
                self.stdout.write(f"Created course {course!r} ({title}).")
            plan = syllabus_apply(course=found, document=document)
        self.report(plan, prefix="Applied: ")

    def create_course(self, *, slug: str, title: str) -> Course:
        course = Course(slug=slug, title=title)
        try:
            course.full_clean()
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(f"cannot create course {slug!r}: {problems}") from None
        course.save()
        return course

    def report(self, plan, *, prefix: str) -> None:
        for line in plan.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(prefix + plan.summary + "."))
