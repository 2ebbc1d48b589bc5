import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courseapp.models import Enrollment
from quizzes import services
from quizzes.models import Attempt, Question, Quiz
from quizzes.services import Pick
from tests.factories import CohortFactory, EnrollmentFactory, SessionFactory, UserFactory
from tests.quizzes.factories import (
    QuizFactory,
    choice_ids,
    fellow_for,
    question_with_choices,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _start(client, quiz) -> Attempt:
    response = client.post(reverse("quiz_start", args=[quiz.pk]))
    attempt = Attempt.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("attempt_take", args=[attempt.pk])
    return attempt


def _form_for(attempt, picks: dict) -> dict:
    data = {}
    for question, value in picks.items():
        key = (
            f"q{question.pk}-text" if question.kind == Question.Kind.WRITTEN else f"q{question.pk}"
        )
        data[key] = value
    return data


def test_a_fellow_starts_resumes_and_sees_saved_answers(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    pick = choice_ids(s["single"], 1)[0]

    response = client.post(
        reverse("answer_save", args=[attempt.pk, s["single"].pk]),
        {f"q{s['single'].pk}": pick},
        **HX,
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    assert "<html" not in response.content.decode()

    assert _start(client, s["quiz"]).pk == attempt.pk
    page = client.get(reverse("attempt_take", args=[attempt.pk])).content.decode()
    assert f'value="{pick}" checked' in page


def test_saving_an_answer_without_htmx_redirects_back_to_the_question(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    response = client.post(
        reverse("answer_save", args=[attempt.pk, s["written"].pk]),
        {f"q{s['written'].pk}-text": "A thought"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("attempt_take", args=[attempt.pk]) + "#q-")
    assert attempt.answers.get(question=s["written"]).written_text == "A thought"


def test_submitting_the_whole_form_saves_every_answer_and_grades(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    data = _form_for(
        attempt,
        {
            s["single"]: choice_ids(s["single"], 0),
            s["multiple"]: choice_ids(s["multiple"], 0, 1),
            s["true_false"]: choice_ids(s["true_false"], 0),
            s["written"]: "Reflection",
        },
    )
    response = client.post(
        reverse("attempt_submit", args=[attempt.pk]), {**data, "action": "submit"}
    )

    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (100.0, True)
    again = client.post(reverse("attempt_submit", args=[attempt.pk]), {"action": "submit"})
    assert again.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100.0


def test_finish_later_saves_without_submitting(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    data = _form_for(attempt, {s["single"]: choice_ids(s["single"], 2)})
    client.post(reverse("attempt_submit", args=[attempt.pk]), {**data, "action": "save"})

    attempt.refresh_from_db()
    assert attempt.is_open
    assert attempt.answers.get(question=s["single"]).selected_choice_ids == choice_ids(
        s["single"], 2
    )


def test_choice_ids_from_another_question_or_quiz_are_refused(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    other = question_with_choices(QuizFactory())
    url = reverse("answer_save", args=[attempt.pk, s["single"].pk])
    for bad in (choice_ids(s["multiple"], 0)[0], choice_ids(other, 0)[0], "x"):
        response = client.post(url, {f"q{s['single'].pk}": bad}, **HX)
        assert response.status_code == 400
    response = client.post(
        reverse("answer_save", args=[attempt.pk, other.pk]), {f"q{other.pk}": choice_ids(other, 0)}
    )
    assert response.status_code == 400
    submit = client.post(
        reverse("attempt_submit", args=[attempt.pk]),
        {f"q{s['single'].pk}": choice_ids(other, 0)[0], "action": "submit"},
    )
    assert submit.status_code == 400
    attempt.refresh_from_db()
    assert attempt.is_open
    assert not attempt.answers.filter(saved_at__isnull=False).exists()


def test_another_fellows_attempt_is_not_found(client, quiz_setup):
    s = quiz_setup
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    classmate = EnrollmentFactory(cohort=s["fellow"].enrollments.get().cohort).user
    client.force_login(classmate)
    for name in ("attempt_take", "attempt_result"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    save = reverse("answer_save", args=[attempt.pk, s["single"].pk])
    assert client.post(save, {f"q{s['single'].pk}": choice_ids(s["single"], 0)}).status_code == 404
    assert client.post(reverse("attempt_submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open


def test_it_refuses_people_who_may_not_open_the_unit(client, quiz_setup):
    quiz = quiz_setup["quiz"]
    other_cohort_fellow = EnrollmentFactory(cohort=CohortFactory(pacing="self_paced")).user
    dropped = fellow_for(quiz.unit, status=Enrollment.Status.DROPPED)
    for person in (other_cohort_fellow, dropped):
        client.force_login(person)
        assert client.get(reverse("quiz_detail", args=[quiz.pk])).status_code == 404
        assert client.post(reverse("quiz_start", args=[quiz.pk])).status_code == 404
    assert not Attempt.objects.exists()

    client.logout()
    response = client.get(reverse("quiz_detail", args=[quiz.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.post(reverse("quiz_start", args=[quiz.pk])).status_code == 302
    assert not Attempt.objects.exists()


def test_an_unreleased_units_quiz_is_refused(client, quiz_setup):
    quiz = quiz_setup["quiz"]
    weekly = CohortFactory(course=quiz.unit.course, pacing="weekly")
    SessionFactory(cohort=weekly, unit=quiz.unit, starts_at=timezone.now() + dt.timedelta(days=30))
    fellow = EnrollmentFactory(cohort=weekly).user
    client.force_login(fellow)

    assert client.get(reverse("quiz_detail", args=[quiz.pk])).status_code == 404
    assert client.post(reverse("quiz_start", args=[quiz.pk])).status_code == 404
    assert not Attempt.objects.filter(user=fellow).exists()


def test_the_quiz_page_never_holds_answers_or_explanations(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = _start(client, s["quiz"])
    page = client.get(reverse("attempt_take", args=[attempt.pk])).content.decode()

    assert s["single"].prompt in page
    assert "secret" not in page
    assert "is_correct" not in page
    for question in (s["single"], s["multiple"]):
        assert question.explanation not in page


def _submit_wrong(quiz, fellow, question) -> Attempt:
    attempt = services.attempt_start(quiz=quiz, user=fellow)
    return services.attempt_submit(
        attempt=attempt, picks={question.pk: Pick(choice_ids(question, 1))}
    )


@pytest.mark.parametrize(
    ("reveal", "shown_after"),
    [(Quiz.Reveal.AFTER_EACH, 1), (Quiz.Reveal.AFTER_PASSING, 2), (Quiz.Reveal.AFTER_LAST, 2)],
)
def test_the_result_reveals_answers_only_when_the_policy_allows(client, reveal, shown_after):
    quiz = QuizFactory(reveal=reveal, attempts_allowed=2)
    question = question_with_choices(quiz)
    fellow = fellow_for(quiz.unit)
    client.force_login(fellow)
    for number in (1, 2):
        attempt = _submit_wrong(quiz, fellow, question)
        page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
        revealed = number >= shown_after
        assert (question.explanation in page) is revealed
        assert ('badge-ok">Correct answer' in page) is revealed
        assert ("Feedback secret" in page) is revealed


def test_passing_reveals_answers_under_the_after_passing_policy(client):
    quiz = QuizFactory(reveal=Quiz.Reveal.AFTER_PASSING, attempts_allowed=3)
    question = question_with_choices(quiz)
    fellow = fellow_for(quiz.unit)
    client.force_login(fellow)
    attempt = services.attempt_submit(
        attempt=services.attempt_start(quiz=quiz, user=fellow),
        picks={question.pk: Pick(choice_ids(question, 0))},
    )
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert question.explanation in page


def test_the_result_shows_score_and_mastery_per_objective(client, quiz_setup):
    s = quiz_setup
    client.force_login(s["fellow"])
    attempt = services.attempt_submit(
        attempt=services.attempt_start(quiz=s["quiz"], user=s["fellow"]),
        picks={s["single"].pk: Pick(choice_ids(s["single"], 0))},
    )
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()

    assert "33%" in page
    assert "Not passed" in page
    for objective in s["objectives"]:
        assert objective.text in page
    assert page.count("Developing · 1/2") == 1
    assert page.count("Not yet · 0/1") == 2
    assert "Secure" not in page


def test_a_fellow_rates_a_written_answer_after_the_reveal(client, quiz_setup):
    s = quiz_setup
    s["written"].model_answer = "Mention the compliance gap."
    s["written"].save()
    client.force_login(s["fellow"])
    attempt = services.attempt_submit(
        attempt=services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    )
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Mention the compliance gap." in page

    url = reverse("answer_rate", args=[attempt.pk, s["written"].pk])
    assert client.post(url, {"rating": "7"}).status_code == 400
    assert client.post(url, {"rating": "2"}).status_code == 302
    assert attempt.answers.get(question=s["written"]).self_rating == 2


def test_the_quiz_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    quiz = QuizFactory()
    for i in range(10):
        kind = [Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE][i % 3]
        question_with_choices(quiz, kind=kind, correct=(0,), n=4)
    question_with_choices(quiz, kind=Question.Kind.WRITTEN)
    fellow = fellow_for(quiz.unit)
    client.force_login(fellow)
    attempt = services.attempt_start(quiz=quiz, user=fellow)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert response.content.decode().count('class="question-fieldset"') == 11

    services.attempt_submit(attempt=attempt)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("quiz_detail", args=[quiz.pk])).status_code == 200


def test_staff_preview_shows_questions_without_answers(client, staff, quiz_setup):
    client.force_login(staff)
    quiz = quiz_setup["quiz"]
    page = client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk])).content.decode()
    assert quiz_setup["single"].prompt in page
    assert "secret" not in page
    client.force_login(UserFactory())
    assert client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk])).status_code == 302
