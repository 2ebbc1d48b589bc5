"""The unit page brings the readings, the quiz panel, objective mastery and feedback together."""

import pytest
from django.urls import reverse

from courseapp.feedback.services import reading_feedback_save, unit_feedback_save
from courseapp.models import Reading
from courseapp.week.services import reading_mark
from quizzes.services import Pick, attempt_start, attempt_submit
from tests.factories import EnrollmentFactory, ReadingFactory, UserFactory
from tests.quizzes.factories import choice_ids, question_with_choices, quiz_with_objectives

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_with_quiz():
    quiz, objectives = quiz_with_objectives(objectives=2)
    first = question_with_choices(quiz, correct=(0,), objectives=[objectives[0]])
    second = question_with_choices(quiz, correct=(1,), objectives=[objectives[1]])
    readings = [
        ReadingFactory(unit=quiz.unit, tier=tier, position=i)
        for i, tier in enumerate([Reading.Tier.CORE] * 5 + [Reading.Tier.FURTHER] * 10)
    ]
    return quiz, objectives, (first, second), readings


@pytest.fixture
def fellow(unit_with_quiz):
    from tests.quizzes.factories import fellow_for

    quiz, *_ = unit_with_quiz
    return fellow_for(quiz.unit)


def _take(quiz, user, questions, *, right: tuple[bool, bool]):
    attempt = attempt_start(quiz=quiz, user=user)
    picks = {
        q.pk: Pick(choice_ids=choice_ids(q, (0 if q is questions[0] else 1) if ok else 2))
        for q, ok in zip(questions, right, strict=True)
    }
    return attempt_submit(attempt=attempt, picks=picks)


def test_it_shows_mastery_next_to_each_objective_after_a_quiz(client, unit_with_quiz, fellow):
    quiz, objectives, questions, _ = unit_with_quiz
    _take(quiz, fellow, questions, right=(True, False))
    client.force_login(fellow)

    html = client.get(reverse("unit_detail", args=[quiz.unit.pk])).content.decode()

    first, second = (html.split(f'id="objective-{o.pk}"')[1].split("</li>")[0] for o in objectives)
    assert "1/1" in first
    assert "0/1" in second
    assert "See your latest result" in html
    assert "Try again" in html


def test_before_any_attempt_it_offers_the_quiz_and_says_there_is_no_result(
    client, unit_with_quiz, fellow
):
    quiz, *_ = unit_with_quiz
    client.force_login(fellow)

    html = client.get(reverse("unit_detail", args=[quiz.unit.pk])).content.decode()

    assert "Start the quiz" in html
    assert "No quiz result yet" in html


def test_it_offers_feedback_on_the_unit_and_on_readings_already_read(
    client, unit_with_quiz, fellow
):
    quiz, _, _, readings = unit_with_quiz
    reading_mark(user=fellow, reading_id=readings[0].pk, done=True)
    client.force_login(fellow)

    html = client.get(reverse("unit_detail", args=[quiz.unit.pk])).content.decode()

    assert "Your feedback on this unit" in html
    assert f'id="reading-feedback-{readings[0].pk}"' in html
    assert f'id="reading-feedback-{readings[1].pk}"' not in html


def test_marking_a_reading_read_with_htmx_brings_its_feedback_control(
    client, unit_with_quiz, fellow
):
    quiz, _, _, readings = unit_with_quiz
    client.force_login(fellow)

    response = client.post(
        reverse("reading_mark", args=[readings[0].pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )

    assert f'id="reading-feedback-{readings[0].pk}"' in response.content.decode()


def test_the_prompt_appears_once_every_core_reading_is_done(client, unit_with_quiz, fellow):
    quiz, _, _, readings = unit_with_quiz
    for reading in readings[:5]:
        reading_mark(user=fellow, reading_id=reading.pk, done=True)
    client.force_login(fellow)

    html = client.get(reverse("unit_detail", args=[quiz.unit.pk])).content.decode()

    assert "You've finished the core readings: how was this week?" in html


def test_a_facilitator_sees_neither_the_feedback_form_nor_mastery_of_their_own(client):
    quiz, objectives = quiz_with_objectives(objectives=1)
    question_with_choices(quiz, objectives=objectives)
    cohort = EnrollmentFactory(user=UserFactory(), cohort__course=quiz.unit.course).cohort
    facilitator = EnrollmentFactory(cohort=cohort, role="facilitator").user
    client.force_login(facilitator)

    html = client.get(reverse("unit_detail", args=[quiz.unit.pk])).content.decode()

    assert "Your feedback on this unit" not in html


def test_the_assembled_page_runs_a_fixed_number_of_queries(
    client, unit_with_quiz, fellow, django_assert_max_num_queries
):
    quiz, _, questions, readings = unit_with_quiz
    _take(quiz, fellow, questions, right=(True, True))
    for reading in readings[:8]:
        reading_mark(user=fellow, reading_id=reading.pk, done=True)
        reading_feedback_save(user=fellow, reading=reading, useful=True, comment="ok")
    unit_feedback_save(user=fellow, unit=quiz.unit, data={"rating": 4, "what_worked": "x"})
    for _ in range(30):
        other = fellow_for_same_course(quiz.unit)
        _take(quiz, other, questions, right=(True, False))
    client.force_login(fellow)

    # Session, user, unit, readings, reading feedback, objectives, mastery, quiz, attempts,
    # enrolment, unit feedback, the next schedule change.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("unit_detail", args=[quiz.unit.pk]))

    assert response.status_code == 200


def fellow_for_same_course(unit):
    from tests.quizzes.factories import fellow_for

    return fellow_for(unit)


def test_the_course_page_sums_up_mastery_per_unit(client, unit_with_quiz, fellow):
    quiz, _, questions, _ = unit_with_quiz
    _take(quiz, fellow, questions, right=(True, False))
    client.force_login(fellow)

    html = client.get(reverse("course_detail", args=[quiz.unit.course.slug])).content.decode()

    assert "1 secure" in html
    assert "1 not yet" in html
