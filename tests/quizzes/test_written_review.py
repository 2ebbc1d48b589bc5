"""Facilitators review fellows' written answers: the queue, the verdict and comment, the one
email, and mastery that counts reviewed answers and never counts a pending one as wrong."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import NotificationPreferences, User
from accounts.services import user_data_export
from courseapp.celery import app
from courseapp.facilitate.services import written_answer_review
from courseapp.models import Enrollment, Reminder
from quizzes import selectors, services
from quizzes.models import Answer, Question
from quizzes.services import Pick
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory
from tests.quizzes.factories import choice_ids, question_with_choices, quiz_with_objectives

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(autouse=True)
def _daytime_everywhere(settings):
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 0, 24


@pytest.fixture
def eager_tasks():
    """Sends run in this process, as on the embedded default, whatever broker the suite has."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def world(db):
    """A unit quiz with a choice question on objective 1 and two written questions on
    objective 2; a cohort with a facilitator and a fellow, and another cohort of the course."""
    quiz, objectives = quiz_with_objectives(objectives=2, attempts_allowed=5)
    single = question_with_choices(quiz, objectives=[objectives[0]])
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[objectives[1]])
    written.model_answer = "Mentions mesa-optimisers."
    written.save()
    second = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[objectives[1]])
    cohort = CohortFactory(course=quiz.unit.course, pacing="self_paced", name="Cohort A")
    other = CohortFactory(course=quiz.unit.course, pacing="self_paced", name="Cohort B")
    return {
        "quiz": quiz,
        "unit": quiz.unit,
        "objectives": objectives,
        "single": single,
        "written": written,
        "second": second,
        "cohort": cohort,
        "other": other,
        "facilitator": _member(cohort, Enrollment.Role.FACILITATOR, "Fran"),
        "other_facilitator": _member(other, Enrollment.Role.FACILITATOR, "Olga"),
        "fellow": _member(cohort, Enrollment.Role.FELLOW, "Ada"),
    }


def _member(cohort, role, name) -> User:
    return EnrollmentFactory(cohort=cohort, role=role, user=UserFactory(display_name=name)).user


def _submit(world, user, *, text="It is when a learned model optimises its own objective.",
            second="", right=True):  # fmt: skip
    attempt = services.attempt_start(quiz=world["quiz"], user=user)
    picks = {
        world["single"].pk: Pick(choice_ids=choice_ids(world["single"], 0 if right else 1)),
        world["written"].pk: Pick(text=text),
        world["second"].pk: Pick(text=second),
    }
    return services.attempt_submit(attempt=attempt, picks=picks)


def _written(attempt, question) -> Answer:
    return attempt.answers.get(question=question)


def _review(world, answer, *, meets=True, comment="Good point.", reviewer=None) -> Answer:
    return written_answer_review(
        reviewer=reviewer or world["facilitator"],
        cohort=world["cohort"],
        answer=answer,
        meets=meets,
        comment=comment,
    )


def _queue_url(world, cohort=None, **query) -> str:
    url = reverse("cohort_written_answers", args=[(cohort or world["cohort"]).pk, world["unit"].pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _review_url(world, answer, cohort=None) -> str:
    return reverse("cohort_written_answer_review", args=[(cohort or world["cohort"]).pk, answer.pk])


# --- Mastery --------------------------------------------------------------------------------------


def test_a_written_answer_waiting_for_review_is_pending_and_never_counted_wrong(world):
    _submit(world, world["fellow"])
    written_objective = world["objectives"][1].pk

    mastery = selectors.objective_mastery_for_user(user=world["fellow"], units=[world["unit"]])

    assert (mastery[written_objective].total, mastery[written_objective].pending) == (0, 1)
    assert mastery[written_objective].level == "pending"
    cohort_rows = selectors.objective_mastery_for_cohort(cohort=world["cohort"])
    row = next(r for r in cohort_rows if r.objective.pk == written_objective)
    assert (row.mean, row.fellows_with_data, row.fellows_below) == (None, 0, 0)


def test_a_review_counts_as_right_or_wrong_toward_the_objective(world):
    attempt = _submit(world, world["fellow"])
    written_objective = world["objectives"][1].pk
    _review(world, _written(attempt, world["written"]), meets=True)

    mastery = selectors.objective_mastery_for_user(user=world["fellow"], units=[world["unit"]])
    assert (mastery[written_objective].correct, mastery[written_objective].total) == (1, 1)
    assert mastery[written_objective].level == "secure"

    _review(world, _written(attempt, world["written"]), meets=False)
    mastery = selectors.objective_mastery_for_user(user=world["fellow"], units=[world["unit"]])
    assert (mastery[written_objective].correct, mastery[written_objective].total) == (0, 1)
    row = next(
        r
        for r in selectors.objective_mastery_for_cohort(cohort=world["cohort"])
        if r.objective.pk == written_objective
    )
    assert (row.mean, row.fellows_with_data, row.fellows_below) == (0.0, 1, 1)


def test_a_review_leaves_the_attempts_score_alone(world):
    attempt = _submit(world, world["fellow"], right=False)
    _review(world, _written(attempt, world["written"]), meets=True)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (0.0, False)


def test_an_empty_written_answer_is_neither_pending_nor_in_the_queue(world):
    attempt = _submit(world, world["fellow"], text="")
    mastery = selectors.attempt_mastery(attempt=selectors.attempt_with_answers(
        user=world["fellow"], pk=attempt.pk))  # fmt: skip
    assert world["objectives"][1].pk not in mastery
    assert not selectors.written_answers_of(cohort=world["cohort"], unit=world["unit"]).exists()


def test_a_review_changes_the_fellows_page_version(world):
    attempt = _submit(world, world["fellow"])
    before = User.objects.get(pk=world["fellow"].pk).page_version
    _review(world, _written(attempt, world["written"]))
    assert User.objects.get(pk=world["fellow"].pk).page_version > before


# --- The email ------------------------------------------------------------------------------------


def test_the_first_review_emails_the_fellow_once_and_edits_do_not(
    eager_tasks, world, django_capture_on_commit_callbacks
):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, answer, comment="First thoughts.")
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, answer, meets=False, comment="On reflection, not quite.")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world["fellow"].email]
    assert message.subject == f"Fran reviewed your answer in the week {world['unit'].week} quiz"
    result_url = reverse("attempt_result", args=[answer.attempt_id])
    assert result_url in message.body
    assert "List-Unsubscribe" in message.extra_headers
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.status, reminder.sender) == (
        "written_review",
        Reminder.Status.SENT,
        world["facilitator"],
    )


def test_a_second_answer_reviewed_is_a_second_email(
    eager_tasks, world, django_capture_on_commit_callbacks
):
    attempt = _submit(world, world["fellow"], second="Another answer.")
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, _written(attempt, world["written"]))
        _review(world, _written(attempt, world["second"]))
    assert len(mail.outbox) == 2


def test_a_fellow_who_turned_review_emails_off_gets_none(
    eager_tasks, world, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=world["fellow"], written_review=False)
    answer = _written(_submit(world, world["fellow"]), world["written"])
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, answer)
    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SKIPPED
    assert "turned these emails off" in reminder.last_error


def test_the_email_waits_for_the_fellows_daytime(
    eager_tasks, world, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 9, 18
    # A zone where it is now 03:00-03:59 (Etc/GMT-N is N hours ahead of UTC).
    ahead = (3 - timezone.now().hour + 12) % 24 - 12
    world["fellow"].timezone = f"Etc/GMT{-ahead:+d}"
    world["fellow"].save()
    answer = _written(_submit(world, world["fellow"]), world["written"])

    with django_capture_on_commit_callbacks(execute=True):
        _review(world, answer)

    assert mail.outbox == []
    reminder = Reminder.objects.get()
    local = reminder.send_after.astimezone(ZoneInfo(world["fellow"].timezone))
    assert (local.hour, local.minute) == (9, 0)
    assert dt.timedelta(hours=5) < reminder.send_after - timezone.now() < dt.timedelta(hours=7)


# --- The queue page -------------------------------------------------------------------------------


def test_the_queue_shows_each_answer_with_the_question_model_answer_and_self_rating(client, world):
    attempt = _submit(world, world["fellow"])
    answer = _written(attempt, world["written"])
    services.answer_self_rate(answer=answer, rating=Answer.SelfRating.PARTLY)
    client.force_login(world["facilitator"])

    response = client.get(_queue_url(world))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada · question 2" in html
    assert world["written"].prompt in html
    assert "Mentions mesa-optimisers." in html
    assert "It is when a learned model optimises its own objective." in html
    assert "I covered some of the main points" in html
    assert "Not reviewed" in html
    assert f'action="{_review_url(world, answer)}"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_queue_is_newest_first_and_filters_by_question_and_not_reviewed(client, world):
    bea = _member(world["cohort"], Enrollment.Role.FELLOW, "Bea")
    old = _submit(world, world["fellow"], text="Older answer", second="Older second")
    old.submitted_at = timezone.now() - dt.timedelta(hours=1)
    old.save()
    _submit(world, bea, text="Newer answer")
    _review(world, _written(old, world["second"]))
    client.force_login(world["facilitator"])

    html = client.get(_queue_url(world)).content.decode()
    assert html.index("Newer answer") < html.index("Older answer") < html.index("Older second")

    html = client.get(_queue_url(world, question=world["written"].pk)).content.decode()
    assert "Newer answer" in html and "Older answer" in html and "Older second" not in html

    html = client.get(_queue_url(world, status="pending")).content.decode()
    assert "Older second" not in html and "Newer answer" in html and "Older answer" in html


def test_only_the_cohorts_fellows_answers_are_in_its_queue(client, world):
    stranger = _member(world["other"], Enrollment.Role.FELLOW, "Stranger")
    _submit(world, stranger, text="Answer from the other cohort")
    client.force_login(world["facilitator"])
    assert "Answer from the other cohort" not in client.get(_queue_url(world)).content.decode()


def test_a_facilitator_of_another_cohort_gets_404(client, world):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    client.force_login(world["other_facilitator"])
    assert client.get(_queue_url(world)).status_code == 404
    assert client.post(_review_url(world, answer), {"verdict": "meets"}).status_code == 404
    # Through their own cohort, the answer of a fellow of another cohort is not found either.
    response = client.post(_review_url(world, answer, world["other"]), {"verdict": "meets"})
    assert response.status_code == 404
    assert not Answer.objects.get(pk=answer.pk).is_reviewed


def test_a_fellow_gets_404_and_anonymous_is_sent_to_sign_in(client, world):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    client.force_login(world["fellow"])
    assert client.get(_queue_url(world)).status_code == 404
    assert client.post(_review_url(world, answer), {"verdict": "meets"}).status_code == 404
    client.logout()
    response = client.post(_review_url(world, answer), {"verdict": "meets"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Answer.objects.get(pk=answer.pk).is_reviewed


def test_only_written_answers_of_submitted_attempts_can_be_reviewed(client, world):
    attempt = _submit(world, world["fellow"])
    choice_answer = attempt.answers.get(question=world["single"])
    open_attempt = services.attempt_start(quiz=world["quiz"], user=world["fellow"])
    services.answers_save(attempt=open_attempt, picks={world["written"].pk: Pick(text="Draft")})
    client.force_login(world["facilitator"])
    for answer in (choice_answer, _written(open_attempt, world["written"])):
        assert client.post(_review_url(world, answer), {"verdict": "meets"}).status_code == 404


def test_a_review_without_javascript_redirects_back_to_the_filtered_queue(client, world):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    client.force_login(world["facilitator"])
    back = _queue_url(world, status="pending")

    response = client.post(
        _review_url(world, answer),
        {"verdict": "does_not_meet", "comment": "Say more.", "next": back},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{back}#answer-{answer.pk}"
    answer.refresh_from_db()
    assert (answer.is_correct, answer.review_comment, answer.reviewed_by) == (
        False,
        "Say more.",
        world["facilitator"],
    )


def test_a_review_with_htmx_returns_the_answers_card(client, world):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    client.force_login(world["facilitator"])

    response = client.post(
        _review_url(world, answer),
        {"verdict": "meets", "comment": "<b>Nice</b>"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li id="answer-{answer.pk}"')
    assert "Review saved." in html and "Meets the objective</span>" in html
    assert "&lt;b&gt;Nice&lt;/b&gt;" in html and "<b>Nice</b>" not in html
    assert "Update review" in html


def test_the_queues_count_of_answers_to_review_follows_an_htmx_review(client, world):
    attempt = _submit(world, world["fellow"], second="Deception can pay in training.")
    first, second = _written(attempt, world["written"]), _written(attempt, world["second"])
    client.force_login(world["facilitator"])
    html = client.get(_queue_url(world)).content.decode()
    assert "2 written answers from this cohort's fellows, 2 not reviewed yet." in html

    html = client.post(
        _review_url(world, first), {"verdict": "meets"}, headers={"HX-Request": "true"}
    ).content.decode()

    # The card is swapped in place; the page's header line is swapped out of band.
    assert '<p id="review-summary" hx-swap-oob="true">' in html
    assert "2 written answers from this cohort's fellows, 1 not reviewed yet." in html
    html = client.post(
        _review_url(world, second), {"verdict": "does_not_meet"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "0 not reviewed yet." in html


def test_a_review_needs_a_verdict(client, world):
    answer = _written(_submit(world, world["fellow"]), world["written"])
    client.force_login(world["facilitator"])
    response = client.post(
        _review_url(world, answer), {"comment": "Hm"}, headers={"HX-Request": "true"}
    )
    assert "Choose whether the answer meets the objective." in response.content.decode()
    assert not Answer.objects.get(pk=answer.pk).is_reviewed


def test_the_queue_runs_a_fixed_number_of_queries(client, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_queue_url(world)).status_code == 200
        return len(queries)

    client.force_login(world["facilitator"])
    _submit(world, world["fellow"], second="Second")
    small = count()
    for n in range(30):
        _submit(world, _member(world["cohort"], Enrollment.Role.FELLOW, f"F{n}"), second="Also")
    Answer.objects.filter(question=world["written"]).update(self_rating=1)
    for answer in Answer.objects.filter(question=world["written"])[:10]:
        _review(world, answer)
    assert count() == small
    with CaptureQueriesContext(connection) as queries:
        client.get(_queue_url(world))
    assert len(queries) <= 10


# --- What the fellow sees -------------------------------------------------------------------------


def test_the_facilitators_fellow_page_shows_each_written_answers_review(client, world):
    attempt = _submit(world, world["fellow"], second="Deception can pay in training.")
    _review(world, _written(attempt, world["written"]), meets=False, comment="Say <why>.")
    second = _written(attempt, world["second"])
    client.force_login(world["facilitator"])
    url = reverse("cohort_fellow_detail", args=[world["cohort"].pk, world["fellow"].pk])

    html = client.get(url).content.decode()

    assert "Does not meet the objective yet</span>" in html
    assert "reviewed by Fran" in html and "Comment: Say &lt;why&gt;." in html
    # The other answer waits, with a way to the queue filtered to what is left to review.
    assert "Not reviewed</span>" in html
    assert f'{_queue_url(world, status="pending")}#answer-{second.pk}"' in html
    _review(world, second, meets=True, comment="")
    html = client.get(url).content.decode()
    assert "Not reviewed</span>" not in html and "Meets the objective</span>" in html


def test_the_fellow_sees_the_verdict_and_comment_on_their_result(client, world):
    attempt = _submit(world, world["fellow"])
    client.force_login(world["fellow"])
    html = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Waiting for your facilitator's review" in html
    assert "Not yet" not in html

    _review(world, _written(attempt, world["written"]), comment="Well argued.")

    html = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Your facilitator's review" in html
    assert "Meets the objective" in html and "Well argued." in html and "Fran" in html


def test_the_unit_page_shows_pending_then_the_reviewed_mastery(client, world):
    attempt = _submit(world, world["fellow"])
    client.force_login(world["fellow"])
    unit_url = reverse("unit_detail", args=[world["unit"].pk])
    html = client.get(unit_url).content.decode()
    objective = html[html.index(f'id="objective-{world["objectives"][1].pk}"') :]
    objective = objective[: objective.index("</li>")]
    assert "1 written answer waiting for review" in objective
    assert "Not yet" not in objective

    _review(world, _written(attempt, world["written"]), meets=True)

    html = client.get(unit_url).content.decode()
    objective = html[html.index(f'id="objective-{world["objectives"][1].pk}"') :]
    objective = objective[: objective.index("</li>")]
    assert "Secure · 1/1" in objective
    assert "waiting for review" not in objective


def test_the_cohort_page_links_to_the_queue(client, world):
    client.force_login(world["facilitator"])
    html = client.get(reverse("cohort_detail", args=[world["cohort"].pk])).content.decode()
    assert f'href="{_queue_url(world)}"' in html


def test_the_fellows_data_export_holds_the_review(world):
    attempt = _submit(world, world["fellow"])
    _review(world, _written(attempt, world["written"]), meets=False, comment="Say more.")

    data = user_data_export(user=world["fellow"])

    [exported] = data["quiz_attempts"]
    written = next(a for a in exported["answers"] if a["kind"] == "written")
    assert (written["is_correct"], written["review_comment"]) == (False, "Say more.")
    assert written["reviewed_at"] is not None
    assert data["notification_preferences"]["written_review"] is True
