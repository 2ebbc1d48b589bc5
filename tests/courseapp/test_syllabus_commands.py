import io
import re

import pytest
from django.core.management import CommandError, call_command

from courseapp.demo.content import SYLLABUS, seed_content
from courseapp.models import Course, Reading, ReadingProgress, Unit
from tests.courseapp.syllabus_samples import SEED, TWO_WEEKS, WITH_LINKS
from tests.factories import ReadingProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_file(tmp_path):
    path = tmp_path / "week-03.txt"
    path.write_bytes(SEED)
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_the_course_and_prints_the_plan(seed_file):
    out, _ = run("import_syllabus", str(seed_file), "--course", "ai-safety")

    course = Course.objects.get(slug="ai-safety")
    assert course.title == "Ai safety"
    assert "Created course 'ai-safety'" in out
    assert (
        "add      week 3 reading: Language Models as Agent Models (Andreas, 2022) [Further]" in out
    )
    assert "Applied: 19 to add, 0 to change, 0 to archive, 0 to restore." in out
    assert Reading.objects.filter(unit__course=course).count() == 15


def test_import_takes_the_course_title_from_the_file(tmp_path):
    path = tmp_path / "course.txt"
    path.write_text("Course: AI Safety Fundamentals\n\n" + SEED.decode())

    run("import_syllabus", str(path), "--course", "asf")

    assert Course.objects.get(slug="asf").title == "AI Safety Fundamentals"


def test_a_dry_run_prints_the_plan_and_changes_nothing(seed_file):
    out, _ = run("import_syllabus", str(seed_file), "--course", "ai-safety", "--dry-run")

    assert "Dry run, nothing changed. Would: 19 to add" in out
    assert not Course.objects.exists()


def test_a_malformed_file_exits_non_zero_with_every_problem_and_changes_nothing(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(b"Intro\nWeek 2: X\nOverview\n\xff\xfe\nCore Readings\n- No attribution\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="6 problem"):
        call_command("import_syllabus", str(path), "--course", "x", stderr=err)

    assert err.getvalue().splitlines() == [
        f"{path}:line 1: text outside a week (a week starts with 'Week N: Title')",
        f"{path}:line 2: week 2 has no 'Learning Objectives' section",
        f"{path}:line 2: week 2 has no 'Recommended Readings' section",
        f"{path}:line 2: week 2 has no 'Further Readings' section",
        f"{path}:line 4: not valid UTF-8 (save the file as UTF-8)",
        f"{path}:line 6: reading has no attribution; write '- Title (Authors, Year)'",
    ]
    assert not Course.objects.exists()


def test_import_refuses_a_missing_file_and_a_bad_slug(tmp_path, seed_file):
    with pytest.raises(CommandError, match="cannot read"):
        run("import_syllabus", str(tmp_path / "nope.txt"), "--course", "x")
    with pytest.raises(CommandError, match="cannot create course 'not a slug'"):
        run("import_syllabus", str(seed_file), "--course", "not a slug")


def test_export_writes_the_file_back_byte_for_byte(seed_file, tmp_path):
    run("import_syllabus", str(seed_file), "--course", "ai-safety")
    target = tmp_path / "out.txt"

    run("export_syllabus", "--course", "ai-safety", "-o", str(target))
    out, _ = run("export_syllabus", "--course", "ai-safety", "--week", "3")

    assert target.read_bytes() == SEED
    assert out.encode() == SEED


def test_export_of_one_week_reimports_without_touching_the_others(tmp_path):
    source = tmp_path / "two.txt"
    source.write_text(TWO_WEEKS)
    run("import_syllabus", str(source), "--course", "c")
    week_two = tmp_path / "week2.txt"
    run("export_syllabus", "--course", "c", "--week", "2", "-o", str(week_two))
    week_two.write_text(week_two.read_text().replace("Deep dive", "Deeper dive"))

    out, _ = run("import_syllabus", str(week_two), "--course", "c")

    assert "0 to add, 1 to change, 0 to archive" in out
    assert Unit.objects.live().count() == 2


def test_export_refuses_an_unknown_course_or_week():
    with pytest.raises(CommandError, match="no course with slug 'nope'"):
        run("export_syllabus", "--course", "nope")
    Course.objects.create(slug="c", title="C")
    with pytest.raises(CommandError, match="has no week 9"):
        run("export_syllabus", "--course", "c", "--week", "9")


def test_the_demo_content_is_the_shipped_seed_and_loads_idempotently():
    course = seed_content()
    reading = Reading.objects.get(title="Language Models as Agent Models")
    ReadingProgressFactory(reading=reading)
    history = Reading.history.count()

    again = seed_content()

    assert re.sub(rb" <https://[^ >]+>$", b"", SYLLABUS.read_bytes(), flags=re.M) == SEED
    assert (again.pk, again.slug, again.title) == (
        course.pk,
        "ai-safety-fundamentals",
        "AI Safety Fundamentals",
    )
    assert Reading.history.count() == history
    assert ReadingProgress.objects.get().reading_id == reading.pk


@pytest.mark.embedded
def test_every_demo_reading_has_a_web_link_and_an_older_demo_gets_them():
    course = seed_content()
    assert course.units.get().readings.count() == 15
    assert not Reading.objects.filter(url="").exists()
    assert all(r.web_url.startswith("https://") for r in Reading.objects.all())
    Reading.objects.filter(title="Language Models as Agent Models").update(url="")

    seed_content()

    assert Reading.objects.get(title="Language Models as Agent Models").web_url == (
        "https://arxiv.org/abs/2212.01681"
    )


@pytest.fixture
def two_weeks(tmp_path):
    path = tmp_path / "links.txt"
    path.write_text(WITH_LINKS)
    run("import_syllabus", str(path), "--course", "links")
    return path


@pytest.mark.embedded
def test_import_and_export_of_a_file_with_links_is_byte_for_byte(two_weeks, tmp_path):
    target = tmp_path / "out.txt"

    run("export_syllabus", "--course", "links", "-o", str(target))

    assert target.read_bytes() == two_weeks.read_bytes()
    assert Reading.objects.get(authors="Alice").url.startswith("http://example.org/post?")


@pytest.mark.embedded
@pytest.mark.parametrize(
    "weeks", [["--week", "5", "--week", "6"], ["--week", "6", "--week", "5"], ["--week", "5-6"]]
)
def test_export_writes_every_week_asked_for_in_file_order(two_weeks, weeks):
    out, _ = run("export_syllabus", "--course", "links", *weeks)

    assert out == WITH_LINKS


@pytest.mark.embedded
def test_export_of_some_weeks_names_the_missing_ones_and_a_bad_range(two_weeks):
    with pytest.raises(CommandError, match="has no week 7"):
        run("export_syllabus", "--course", "links", "--week", "5", "--week", "7")
    with pytest.raises(CommandError, match="'6-5' is not a week number or range"):
        run("export_syllabus", "--course", "links", "--week", "6-5")


@pytest.mark.embedded
def test_import_of_a_bad_link_names_the_line_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(WITH_LINKS.replace("<https://example.org/talk>", "<ftp://example.org/talk>"))

    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_syllabus", str(path), "--course", "links", stderr=err)

    assert err.getvalue() == (
        f"{path}:line 18: link 'ftp://example.org/talk' is not an http or https address\n"
    )
    assert not Course.objects.filter(slug="links").exists()
