import pytest
from django.urls import reverse

from quizzes import services
from tests.factories import LearningObjectiveFactory

pytestmark = pytest.mark.django_db


def test_the_question_form_offers_only_the_units_objectives(client, staff, quiz_setup):
    elsewhere = LearningObjectiveFactory(text="An objective of another unit")
    client.force_login(staff)
    question = quiz_setup["single"]
    page = client.get(reverse("admin:quizzes_question_change", args=[question.pk])).content.decode()
    quiz_page = client.get(
        reverse("admin:quizzes_quiz_change", args=[quiz_setup["quiz"].pk])
    ).content.decode()

    for objective in quiz_setup["objectives"]:
        assert objective.text in page
        assert objective.text in quiz_page
    assert elsewhere.text not in page
    assert elsewhere.text not in quiz_page
    assert (
        "Preview as a fellow"
        in client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    )


def test_attempts_are_read_only_in_the_admin(client, staff, quiz_setup):
    attempt = services.attempt_start(quiz=quiz_setup["quiz"], user=quiz_setup["fellow"])
    client.force_login(staff)
    change = reverse("admin:quizzes_attempt_change", args=[attempt.pk])

    page = client.get(change)
    assert page.status_code == 200
    assert quiz_setup["single"].prompt in page.content.decode()
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert client.post(change, {"number": 9}).status_code == 403
    assert client.get(reverse("admin:quizzes_attempt_add")).status_code == 403
    assert (
        client.post(reverse("admin:quizzes_attempt_delete", args=[attempt.pk])).status_code == 403
    )
    attempt.refresh_from_db()
    assert attempt.number == 1
