import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courseapp.models import Reading
from tests.factories import ReadingProgressFactory, UnitFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parents[1] / "fixtures" / "chapter-sample.md"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_chapter", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def unit():
    return UnitFactory(course__slug="alignment", week=3)


def test_it_imports_the_chapter_as_a_hosted_reading_of_the_week(unit):
    out = run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "core")

    reading = Reading.objects.get()
    assert reading.unit == unit and reading.tier == Reading.Tier.CORE
    assert reading.kind == Reading.Kind.CHAPTER and reading.minutes == 35
    assert f"Imported reading #{reading.pk} 'Chapter 99 - Sample Chapter for Tests'" in out


def test_running_it_again_updates_the_same_reading_and_keeps_progress(unit):
    run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "core")
    progress = ReadingProgressFactory(reading=Reading.objects.get())

    run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "further")

    reading = Reading.objects.get()
    assert reading.tier == Reading.Tier.FURTHER
    assert reading.progress.get() == progress


def test_dry_run_describes_the_import_and_writes_nothing(unit):
    out = run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "further", "--dry-run")

    assert not Reading.objects.exists()
    assert "would create a new reading in Week 3" in out
    assert "Test Writer, Second Author" in out and "35 min, from the file" in out
    assert "the file suggests the 'core' tier" in out


def test_dry_run_names_the_reading_it_would_update(unit):
    run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "core")
    reading = Reading.objects.get()

    out = run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "core", "--dry-run")

    assert f"would update reading #{reading.pk}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--course", "nope", "--week", "3"), "No course with the slug 'nope'"),
        (("--course", "alignment", "--week", "9"), "has no live unit for week 9"),
    ],
)
def test_it_refuses_an_unknown_course_or_week(unit, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(SAMPLE), *args, "--tier", "core")
    assert not Reading.objects.exists()


def test_it_refuses_a_missing_file(unit, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.md"):
        run(str(tmp_path / "missing.md"), "--course", "alignment", "--week", "3", "--tier", "core")


def test_it_refuses_a_file_that_is_not_a_chapter_and_writes_nothing(unit, tmp_path):
    bad = tmp_path / "notes.md"
    bad.write_bytes(b"Some notes\n\xff\xfe broken\n")

    with pytest.raises(CommandError, match=r"notes.md: Line 2: the file is not UTF-8"):
        run(str(bad), "--course", "alignment", "--week", "3", "--tier", "core")
    assert not Reading.objects.exists()


def test_it_exits_non_zero_on_a_bad_tier_from_the_shell(unit):
    with pytest.raises(CommandError, match="invalid choice: 'optional'"):
        run(str(SAMPLE), "--course", "alignment", "--week", "3", "--tier", "optional")
