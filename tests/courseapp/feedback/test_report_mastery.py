"""Quiz mastery in the syllabus report, across cohorts and per cohort, with its CSV.

Unit 3 has objectives O1 (questions Q1, Q2) and O2 (Q3 and a written question W); unit 4 has O3
and no quiz. Latest attempts (1 = right, "-" = no verdict):

    fellow  cohort   Q1 Q2 | Q3 W  -> O1    O2             unit 3
    a1      A         1  1 |  1 -     2/2   1/1            3/3
    a2      A         1  0 |  0 -     1/2   0/1            1/3
    a3      A        (no attempt)
    b1      B         0  0 |  1 -     0/2   1/1            1/3
    b2      B         1  1 |  0 W     2/2   0/1, 1/2 once W is reviewed as meeting it
    gone    B, dropped: all right, never counted
"""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import User
from courseapp.facilitate.services import written_answer_review
from courseapp.models import Enrollment
from quizzes import reports, services
from quizzes.models import Answer, Attempt, Question
from quizzes.services import Pick
from tests.factories import CohortFactory, EnrollmentFactory, LearningObjectiveFactory, UnitFactory
from tests.quizzes.factories import QuizFactory, question_with_choices

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

RIGHT, WRONG = 0, 1


@pytest.fixture
def mastery_world(course, unit):
    o1 = LearningObjectiveFactory(unit=unit, text="Explain mesa-optimisation", position=0)
    o2 = LearningObjectiveFactory(unit=unit, text="-Name a deceptive strategy", position=1)
    later = UnitFactory(
        course=course, week=4, title="Scalable oversight", position=unit.position + 1
    )
    LearningObjectiveFactory(unit=later, text="Compare debate and amplification")
    quiz = QuizFactory(unit=unit)
    q1, q2 = (question_with_choices(quiz, objectives=[o1]) for _ in range(2))
    q3 = question_with_choices(quiz, objectives=[o2])
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[o2])
    a, b = (CohortFactory(course=course, name=name, pacing="self_paced") for name in "AB")
    people = {}
    for name, cohort, picks in (
        ("a1", a, (RIGHT, RIGHT, RIGHT)),
        ("a2", a, (RIGHT, WRONG, WRONG)),
        ("a3", a, None),
        ("b1", b, (WRONG, WRONG, RIGHT)),
        ("b2", b, (RIGHT, RIGHT, WRONG)),
        ("gone", b, (RIGHT, RIGHT, RIGHT)),
    ):
        people[name] = EnrollmentFactory(cohort=cohort, user__display_name=name).user
        if picks:
            _submit(quiz, people[name], dict(zip((q1, q2, q3), picks, strict=True)), written)
    Enrollment.objects.filter(user=people["gone"]).update(status=Enrollment.Status.DROPPED)
    return {"o1": o1, "o2": o2, "later": later, "written": written, "people": people}


def _submit(quiz, user, picks, written):
    attempt = services.attempt_start(quiz=quiz, user=user)
    chosen = {
        q.pk: Pick(choice_ids=[list(q.choices.order_by("position"))[i].pk])
        for q, i in picks.items()
    }
    chosen[written.pk] = Pick(text="A deceptively aligned model plays along in training.")
    services.attempt_submit(attempt=attempt, picks=chosen)


def _review(world, name, *, meets: bool):
    cohort = world["people"][name].enrollments.get().cohort
    facilitator = EnrollmentFactory(cohort=cohort, role=Enrollment.Role.FACILITATOR).user
    answer = Answer.objects.get(question=world["written"], attempt__user=world["people"][name])
    written_answer_review(
        reviewer=facilitator, cohort=cohort, answer=answer, meets=meets, comment="Covers it."
    )


def _figures(row):
    return (row.fellows, row.with_data, row.mean_percent, row.secure, row.developing, row.not_yet)


def test_objective_mastery_across_cohorts_leaves_pending_written_answers_out(course, mastery_world):
    report = reports.course_mastery(course=course)
    o1, o2, o3 = report.objectives

    # O1: a1 1, a2 1/2, b1 0, b2 1 -> mean 2.5/4 = 62.5%, which rounds half up to 63%.
    assert _figures(o1) == (5, 4, 63, 2, 1, 1)
    # O2 with W pending: a1 1, a2 0, b1 1, b2 0/1 (W neither right nor wrong) -> 50%.
    assert _figures(o2) == (5, 4, 50, 2, 0, 2)
    assert _figures(o3) == (5, 0, None, 0, 0, 0)


def test_a_reviewed_written_answer_moves_mastery(course, mastery_world):
    _review(mastery_world, "b2", meets=True)

    report = reports.course_mastery(course=course)

    # O2: b2 now 1/2 (developing) -> a1 1, a2 0, b1 1, b2 1/2: mean 62.5% -> 63%.
    assert _figures(report.objectives[1]) == (5, 4, 63, 2, 1, 1)
    # Unit 3 pooled over O1 and O2: a1 3/3, a2 1/3, b1 1/3, b2 3/4 -> mean 29/48 = 60.4% -> 60%.
    unit3, unit4 = report.units
    assert _figures(unit3) == (5, 4, 60, 1, 1, 2)
    assert _figures(unit4) == (5, 0, None, 0, 0, 0)


def test_mastery_per_cohort(course, mastery_world):
    report = reports.course_mastery(course=course)
    per_cohort = {
        (row.cohort.name, row.objective.text if row.objective else row.unit.title): row
        for row in report.by_cohort
    }

    # A: a1 1, a2 1/2 (a3 has no data) -> 75%; B: b1 0, b2 1 -> 50% (the dropped fellow is out).
    assert _figures(per_cohort["A", "Explain mesa-optimisation"]) == (3, 2, 75, 1, 1, 0)
    assert _figures(per_cohort["B", "Explain mesa-optimisation"]) == (2, 2, 50, 1, 0, 1)
    # Unit 3 in A: a1 3/3, a2 1/3 -> (1 + 1/3)/2 = 66.7% -> 67%.
    assert _figures(per_cohort["A", "Inner alignment"]) == (3, 2, 67, 1, 0, 1)


def test_the_page_shows_mastery_per_unit_and_objective(client, staff, course, mastery_world):
    client.force_login(staff)

    response = client.get(reverse("course_report_mastery", args=[course.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Explain mesa-optimisation" in html and "Scalable oversight" in html
    assert "63%" in html and "2 of 4" in html and '4 <span class="muted small">of 5' in html
    assert "never counted as wrong" in html
    report = client.get(reverse("course_report", args=[course.slug])).content.decode()
    assert reverse("course_report_mastery", args=[course.slug]) in report


def test_the_csv_holds_the_same_figures_with_formulas_neutralised(
    client, staff, course, mastery_world
):
    client.force_login(staff)

    response = client.get(reverse("course_report_mastery_csv", args=[course.slug]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == [
        "cohort",
        "week",
        "unit",
        "objective",
        "fellows",
        "fellows_with_answers",
        "mean_mastery_percent",
        "secure",
        "developing",
        "not_yet",
    ]
    # Unit 3 before W's review: a1 3/3, a2 1/3, b1 1/3, b2 2/3 -> 7/12 = 58.3% -> 58%.
    assert ["All cohorts", "3", "Inner alignment", "", "5", "4", "58", "1", "1", "2"] in rows
    assert [
        "All cohorts",
        "3",
        "Inner alignment",
        "Explain mesa-optimisation",
        *["5", "4", "63", "2", "1", "1"],
    ] in rows
    assert [
        "All cohorts",
        "3",
        "Inner alignment",
        "'-Name a deceptive strategy",
        *["5", "4", "50", "2", "0", "2"],
    ] in rows
    assert ["A", "3", "Inner alignment", "Explain mesa-optimisation"] + [
        *["3", "2", "75", "1", "1", "0"]
    ] in rows
    assert ["All cohorts", "4", "Scalable oversight", "", "5", "0", "", "0", "0", "0"] in rows


def test_only_staff_see_mastery(client, course, mastery_world, staff):
    facilitator = EnrollmentFactory(
        cohort=mastery_world["people"]["a1"].enrollments.get().cohort,
        role=Enrollment.Role.FACILITATOR,
    ).user
    for name in ("course_report_mastery", "course_report_mastery_csv"):
        url = reverse(name, args=[course.slug])
        client.logout()
        assert client.get(url).status_code == 302
        for person, status in ((mastery_world["people"]["a1"], 404), (facilitator, 404)):
            client.force_login(person)
            assert client.get(url).status_code == status
        client.force_login(staff)
        assert client.get(url).status_code == 200


def _bulk_answers(course, unit, *, cohorts: int, fellows: int):
    """Latest and earlier attempts of many fellows, inserted in bulk."""
    quiz = unit.quiz
    questions = list(quiz.questions.prefetch_related("choices", "objectives"))
    for c in range(cohorts):
        cohort = CohortFactory(course=course, pacing="self_paced")
        users = User.objects.bulk_create(
            User(email=f"bulk{cohort.pk}-{n}@example.org", display_name=f"B{n}")
            for n in range(fellows)
        )
        Enrollment.objects.bulk_create(Enrollment(cohort=cohort, user=u) for u in users)
        attempts = Attempt.objects.bulk_create(
            Attempt(quiz=quiz, user=u, number=k, submitted_at=unit.created_at, score=50)
            for u in users
            for k in (1, 2)
        )
        Answer.objects.bulk_create(
            Answer(
                attempt=attempt,
                question=q,
                position=i,
                snapshot=services.question_snapshot(q),
                is_correct=None if q.kind == "written" else (attempt.pk + i + c) % 3 > 0,
            )
            for attempt in attempts
            for i, q in enumerate(questions)
        )


def test_the_page_and_csv_run_a_fixed_number_of_queries(
    client, staff, course, unit, mastery_world, django_assert_max_num_queries
):
    client.force_login(staff)
    urls = [
        reverse(n, args=[course.slug])
        for n in ("course_report_mastery", "course_report_mastery_csv")
    ]
    for url in urls:
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200

    _bulk_answers(course, unit, cohorts=20, fellows=10)

    for url in urls:
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200
    assert reports.course_mastery(course=course).objectives[0].with_data == 204
