import dataclasses

import pytest
from django.core.exceptions import ValidationError

from courseapp.models import LearningObjective, Reading, ReadingProgress, Unit
from courseapp.syllabus.parser import SyllabusError, parse_syllabus
from courseapp.syllabus.services import syllabus_apply, syllabus_plan
from tests.courseapp.syllabus_samples import SEED
from tests.factories import CourseFactory, ReadingProgressFactory, UserFactory

pytestmark = pytest.mark.django_db

SLEEPER = "Sleeper Agents: Training Deceptive LLMs that Persist Through Safety Training"
STEINHARDT = "ML systems will have weird failure modes"


def edited(*replacements: tuple[str, str]) -> bytes:
    text = SEED.decode()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text.encode()


@pytest.fixture
def course():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(SEED))
    return course


def snapshot():
    return sorted(
        Reading.objects.values_list("pk", "tier", "position", "title", "authors", "archived_at")
    )


def test_it_creates_the_week_its_objectives_and_readings_with_estimates(course):
    unit = Unit.objects.get(course=course)
    assert (unit.week, unit.title, unit.position) == (3, "Inner Alignment", 3)
    assert unit.objectives.count() == 3
    video = Reading.objects.get(authors="Robert Miles")
    assert (video.kind, video.minutes, video.minutes_estimated) == ("video", 20, True)
    assert Reading.objects.get(title=SLEEPER).minutes == 40
    assert list(
        Reading.objects.filter(tier=Reading.Tier.FURTHER).values_list("position", flat=True)
    ) == [0, 1, 2, 3, 4, 5]


def test_it_finds_nothing_to_do_when_the_same_file_comes_again(course):
    before = snapshot()

    plan = syllabus_apply(course=course, document=parse_syllabus(SEED))

    assert not plan
    assert snapshot() == before


def test_it_keeps_identity_and_progress_through_reorder_retitle_and_tier_moves(course):
    fellow = UserFactory()
    sleeper = Reading.objects.get(title=SLEEPER)
    steinhardt = Reading.objects.get(title=STEINHARDT)
    ReadingProgressFactory(user=fellow, reading=sleeper)
    ReadingProgressFactory(user=fellow, reading=steinhardt)
    document = parse_syllabus(
        edited(
            (f"- {SLEEPER} (Anthropic, 2024)\n", ""),
            ("Recommended Readings\n", f"Recommended Readings\n- {SLEEPER} (Anthropic, 2024)\n"),
            (STEINHARDT, "ML systems will have weird failure modes (revised)"),
        )
    )

    plan = syllabus_apply(course=course, document=document)

    sleeper.refresh_from_db()
    steinhardt.refresh_from_db()
    assert (sleeper.tier, sleeper.position, sleeper.archived_at) == (2, 0, None)
    assert steinhardt.title == "ML systems will have weird failure modes (revised)"
    assert ReadingProgress.objects.filter(user=fellow).count() == 2
    assert plan.count("add") == 0
    assert plan.count("archive") == 0


def test_it_archives_what_the_file_no_longer_lists_and_restores_it_later(course):
    fellow = UserFactory()
    ReadingProgressFactory(user=fellow, reading=Reading.objects.get(title=SLEEPER))
    without = edited((f"- {SLEEPER} (Anthropic, 2024)\n", ""), ("- Describe key", "- Explain key"))

    plan = syllabus_apply(course=course, document=parse_syllabus(without))

    archived = Reading.objects.get(title=SLEEPER)
    assert archived.archived_at is not None
    assert [str(c) for c in plan.changes if c.action == "archive"] == [
        f"archive  week 3 reading: {SLEEPER} (Anthropic, 2024)"
    ]
    assert ReadingProgress.objects.filter(reading=archived).exists()
    objective = LearningObjective.objects.get(position=0)
    assert objective.text.startswith("Explain key") and objective.archived_at is None

    restored = syllabus_apply(course=course, document=parse_syllabus(SEED))

    archived.refresh_from_db()
    assert archived.archived_at is None
    assert restored.count("restore") == 1
    assert Reading.objects.count() == 15


def test_it_adds_a_new_reading_and_plans_exactly_what_changes(course):
    document = parse_syllabus(
        edited(
            ("Further Readings\n", "Further Readings\n- A new one (Someone, 2026)\n"),
            ("(Steinhardt, 2022)", "(Jacob Steinhardt, 2022)"),
        )
    )

    plan = syllabus_plan(course=course, document=document)

    assert plan.count("add") == 1
    changed = {change.label: change.details for change in plan.changes if change.action == "change"}
    assert changed[f"{STEINHARDT} (Jacob Steinhardt, 2022) [Recommended]"] == [
        "authors: 'Steinhardt' → 'Jacob Steinhardt'"
    ]
    assert sum(1 for details in changed.values() if details == ["position: '0' → '1'"]) == 1
    assert plan.summary == "1 to add, 7 to change, 0 to archive, 0 to restore"


def test_a_plan_changes_nothing(course):
    before = snapshot()

    syllabus_plan(course=course, document=parse_syllabus(edited(("Cotra", "Ajeya Cotra"))))

    assert snapshot() == before


def test_a_malformed_file_changes_nothing(course):
    before = snapshot()

    with pytest.raises(SyllabusError):
        syllabus_apply(course=course, document=parse_syllabus(edited(("(Cotra, 2021)", ""))))

    assert snapshot() == before


def test_a_change_that_fails_half_way_is_rolled_back_whole(course):
    document = parse_syllabus(edited(("Robert Miles", "Rob Miles")))
    last = document.weeks[0].readings[-1]
    document.weeks[0].readings[-1] = dataclasses.replace(last, title="t" * 501)
    before = snapshot()

    with pytest.raises(ValidationError):
        syllabus_apply(course=course, document=document)

    assert snapshot() == before


def test_it_keeps_an_editors_minutes_when_the_file_gives_none(course):
    reading = Reading.objects.get(title=SLEEPER)
    reading.minutes, reading.minutes_estimated = 90, False
    reading.save()

    plan = syllabus_apply(course=course, document=parse_syllabus(SEED))

    reading.refresh_from_db()
    assert (reading.minutes, not plan) == (90, True)


def test_it_records_history_with_the_importing_user():
    editor = UserFactory()
    course = CourseFactory()

    syllabus_apply(course=course, document=parse_syllabus(SEED), user=editor)

    record = Reading.history.filter(title=SLEEPER).get()
    assert (record.history_type, record.history_user) == ("+", editor)
    assert Unit.history.get().history_user == editor


def test_it_leaves_weeks_the_file_does_not_mention_alone(course):
    other = Unit.objects.create(course=course, week=4, title="Next", position=4)

    syllabus_apply(course=course, document=parse_syllabus(edited(("Cotra", "Ajeya Cotra"))))

    other.refresh_from_db()
    assert other.archived_at is None


ANDREAS = "- Language Models as Agent Models (Andreas, 2022)"


@pytest.mark.embedded
def test_it_sets_a_readings_link_and_changes_it_without_losing_progress(course):
    syllabus_apply(
        course=course,
        document=parse_syllabus(edited((ANDREAS, ANDREAS + " <https://a.example/1>"))),
    )
    reading = Reading.objects.get(title="Language Models as Agent Models")
    assert reading.url == "https://a.example/1"
    progress = ReadingProgressFactory(reading=reading)

    plan = syllabus_apply(
        course=course,
        document=parse_syllabus(edited((ANDREAS, ANDREAS + " <https://b.example/2>"))),
    )

    assert plan.lines() == [
        "change   week 3 reading: Language Models as Agent Models (Andreas, 2022) [Further] "
        "(url: 'https://a.example/1' → 'https://b.example/2')"
    ]
    reading.refresh_from_db()
    assert (reading.url, reading.archived_at) == ("https://b.example/2", None)
    assert ReadingProgress.objects.get().pk == progress.pk
    assert progress.reading_id == reading.pk


@pytest.mark.embedded
def test_a_file_without_links_keeps_the_links_an_editor_set(course):
    Reading.objects.filter(title=SLEEPER).update(url="https://arxiv.org/abs/2401.05566")

    plan = syllabus_apply(course=course, document=parse_syllabus(SEED))

    assert not plan
    assert Reading.objects.get(title=SLEEPER).url == "https://arxiv.org/abs/2401.05566"


@pytest.mark.embedded
def test_a_file_with_a_bad_link_changes_nothing(course):
    before = snapshot()
    bad = edited((ANDREAS, ANDREAS + " <javascript:alert(1)>"), ("(Cotra, 2021)", "(Cotra, 2022)"))

    with pytest.raises(SyllabusError, match="line 27: link 'javascript:alert"):
        syllabus_apply(course=course, document=parse_syllabus(bad))

    assert snapshot() == before
    assert not Reading.objects.exclude(url="").exists()
