import pytest

from courseapp.models import Reading
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply
from courseapp.syllabus.writer import export_syllabus, write_syllabus
from tests.courseapp.syllabus_samples import SEED, TWO_WEEKS, WITH_LINKS
from tests.factories import CourseFactory


def test_it_writes_the_seed_back_byte_for_byte_without_a_final_newline():
    assert write_syllabus(parse_syllabus(SEED)).encode("utf-8") == SEED
    assert not SEED.endswith(b"\n")


def test_it_writes_several_weeks_the_suffix_and_a_final_newline_back():
    assert write_syllabus(parse_syllabus(TWO_WEEKS)) == TWO_WEEKS


def test_it_writes_the_optional_course_line_back():
    text = "Course: AI Safety Fundamentals\n\n" + SEED.decode()

    assert write_syllabus(parse_syllabus(text)) == text


@pytest.mark.django_db
def test_it_exports_an_imported_course_byte_for_byte():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(SEED))

    assert export_syllabus(course=course).encode("utf-8") == SEED


@pytest.mark.django_db
def test_it_exports_one_week_and_leaves_archived_readings_out():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(TWO_WEEKS))
    Reading.objects.filter(title="Deep dive").update(archived_at="2026-01-01T00:00Z")

    week_two = export_syllabus(course=course, weeks=[2])

    assert week_two.startswith("Week 2: Second week\nOverview\nShort.\n")
    assert "Deep dive" not in week_two
    assert "Week 1" not in week_two


@pytest.mark.django_db
def test_it_exports_what_an_editor_set_by_hand_as_the_suffix():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(SEED))
    reading = Reading.objects.get(title="Language Models as Agent Models")
    reading.kind, reading.minutes, reading.minutes_estimated = "paper", 35, False
    reading.save()

    text = export_syllabus(course=course)

    assert text.endswith("- Language Models as Agent Models (Andreas, 2022) [paper, 35 min]")
    assert text.count("[") == 1


@pytest.mark.embedded
def test_it_writes_links_and_weeks_without_a_blank_line_back_byte_for_byte():
    assert write_syllabus(parse_syllabus(WITH_LINKS)) == WITH_LINKS


@pytest.mark.embedded
def test_it_writes_two_weeks_with_no_blank_line_between_them_back():
    tight = TWO_WEEKS.replace("Further Readings\n\nWeek 2", "Further Readings\nWeek 2")

    assert write_syllabus(parse_syllabus(tight)) == tight


@pytest.mark.embedded
@pytest.mark.django_db
@pytest.mark.parametrize("text", [WITH_LINKS, TWO_WEEKS, SEED.decode()])
def test_it_exports_an_imported_course_with_or_without_links_byte_for_byte(text):
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(text))

    assert export_syllabus(course=course) == text


@pytest.mark.embedded
@pytest.mark.django_db
def test_it_exports_a_link_an_editor_set_in_the_admin():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(SEED))
    Reading.objects.filter(title="Language Models as Agent Models").update(
        url="https://arxiv.org/abs/2212.01681"
    )

    text = export_syllabus(course=course)

    assert text.endswith(
        "- Language Models as Agent Models (Andreas, 2022) <https://arxiv.org/abs/2212.01681>"
    )
