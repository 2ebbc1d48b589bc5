"""Autosave on the quiz survives a lost connection: each answer says it is not saved and is
being retried, is retried when the connection returns (or after a back-off when a save fails),
and then says it is saved; the typed answer is never lost."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Answer, Question
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import PASSWORD
from tests.quizzes.factories import fellow_for, question_with_choices, quiz_with_objectives

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NOT_SAVED = "Not saved — retrying…"


@pytest.fixture
def quiz():
    quiz, objectives = quiz_with_objectives(objectives=1)
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=objectives)
    single = question_with_choices(quiz, objectives=objectives)
    return quiz, written, single, fellow_for(quiz.unit)


def _start(page, quiz, fellow) -> None:
    log_in(page, fellow.email, PASSWORD)
    page.goto(f"/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator(".quiz-lead")).to_contain_text("Attempt 1 of")
    # The connection drops once the page and its scripts have loaded, as for a fellow mid-quiz.
    page.wait_for_load_state("load")


def test_a_written_answer_typed_offline_is_saved_when_the_connection_returns(context_factory, quiz):
    quiz, written, _, fellow = quiz
    context = context_factory()
    page = context.new_page()
    _start(page, quiz, fellow)
    status = page.locator(f"#q{written.pk}-status")

    context.set_offline(True)
    page.get_by_label("Your answer").fill("Mesa-optimisers pursue their own objective.")
    expect(status).to_have_text(NOT_SAVED)
    assert Answer.objects.get(question=written).written_text == ""
    assert_accessible(page)

    context.set_offline(False)
    expect(status).to_have_text(re.compile(r"Saved$"))
    answer = Answer.objects.get(question=written)
    assert answer.written_text == "Mesa-optimisers pursue their own objective."
    expect(page.get_by_label("Your answer")).to_have_value(answer.written_text)


def test_a_failed_save_is_retried_with_a_back_off(page, quiz):
    quiz, _, single, fellow = quiz
    _start(page, quiz, fellow)
    status = page.locator(f"#q{single.pk}-status")
    failures = []

    def fail_twice(route):
        if len(failures) < 2:
            failures.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(rf"/questions/{single.pk}/answer/"), fail_twice)
    choice = single.choices.get(is_correct=True)
    page.get_by_label(choice.text).check()
    expect(status).to_have_text(NOT_SAVED)

    expect(status).to_have_text(re.compile(r"Saved$"))
    assert len(failures) == 2
    assert Answer.objects.get(question=single).selected_choice_ids == [choice.pk]
