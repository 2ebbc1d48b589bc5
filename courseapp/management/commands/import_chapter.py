from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courseapp.chapters.services import (
    ChapterError,
    ParsedChapter,
    chapter_import,
    chapter_match,
    chapter_parse,
)
from courseapp.models import Course, Unit


class Command(BaseCommand):
    help = "Import a textbook chapter export (Markdown in site HTML) as a hosted reading."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="The course's slug.")
        parser.add_argument("--week", required=True, type=int, help="The unit's week number.")
        parser.add_argument("--tier", required=True, choices=["core", "recommended", "further"])
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen.")

    def handle(self, *args, **options) -> None:
        unit = self._unit(options["course"], options["week"])
        try:
            raw = options["file"].read_bytes()
            parsed = chapter_parse(raw)
            if options["dry_run"]:
                self._describe(parsed, unit, options["tier"])
                return
            reading = chapter_import(unit=unit, raw=raw, tier=options["tier"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        except ChapterError as error:
            raise CommandError(f"{options['file']}: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported reading #{reading.pk} {reading.title!r} "
                f"({reading.get_tier_display()}, {reading.minutes} min) into {unit}."
            )
        )

    def _unit(self, slug: str, week: int) -> Unit:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course with the slug {slug!r}.")
        unit = course.units.live().filter(week=week).first()
        if unit is None:
            raise CommandError(f"The course {slug!r} has no live unit for week {week}.")
        return unit

    def _describe(self, parsed: ParsedChapter, unit: Unit, tier: str) -> None:
        match = chapter_match(unit=unit, title=parsed.title)
        action = f"update reading #{match.pk}" if match else "create a new reading"
        self.stdout.write(f"Dry run: would {action} in {unit} ({tier}). Nothing was written.")
        self.stdout.write(f"  Title:         {parsed.title}")
        self.stdout.write(f"  Authors:       {parsed.attribution}")
        self.stdout.write(f"  Affiliations:  {', '.join(parsed.affiliations) or '-'}")
        self.stdout.write(f"  Last updated:  {parsed.last_updated or '-'}")
        source = (
            f"{parsed.minutes} min, from the file"
            if parsed.minutes
            else (f"{parsed.estimated_minutes} min, estimated from the length")
        )
        self.stdout.write(f"  Reading time:  {source}")
        self.stdout.write(f"  Sections:      {len(parsed.toc)}, {parsed.words} words")
        if parsed.tier_hint and parsed.tier_hint != tier:
            self.stdout.write(f"  Note: the file suggests the {parsed.tier_hint!r} tier.")
