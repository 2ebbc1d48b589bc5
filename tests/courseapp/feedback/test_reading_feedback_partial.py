"""The reading's Useful / Not useful control in each of its states: nothing said yet, a vote
with a comment, a vote without one, and a form sent back with errors."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from courseapp.feedback.forms import ReadingFeedbackForm
from courseapp.models import ReadingFeedback
from tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db
PARTIAL = "courseapp/feedback/_reading_feedback.html"


@pytest.fixture
def reading(unit):
    return ReadingFactory(unit=unit, title="Concrete Problems")


def _render(reading, **context) -> str:
    request = RequestFactory().get(f"/units/{reading.unit_id}/")
    html = render_to_string(PARTIAL, {"reading": reading, **context}, request=request)
    return re.sub(r"\s+", " ", html)


def _votes(html: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'value="([01])" class="fb-vote( is-chosen)?" aria-pressed="(\w+)"', html)
    return [(value, bool(chosen), pressed) for value, chosen, pressed in found]


def test_nothing_said_yet(reading):
    html = _render(reading, reading_feedback=None)

    assert _votes(html) == [("1", False, "false"), ("0", False, "false")]
    assert '<details class="fb-reading-comment">' in html
    assert "<summary>Add a comment</summary>" in html
    assert f'id="reading-{reading.pk}-comment" name="comment" maxlength="500" value="">' in html
    assert "fb-error" not in html and "aria-invalid" not in html and "You said" not in html
    assert f'action="/readings/{reading.pk}/feedback/"' in html
    assert f'hx-post="/readings/{reading.pk}/feedback/"' in html
    assert f'name="next" value="/units/{reading.unit_id}/#reading-feedback-{reading.pk}"' in html


def test_a_useful_vote_with_a_comment(reading, fellow):
    said = ReadingFeedback(user=fellow, reading=reading, useful=True, comment="Clear & short")

    html = _render(reading, reading_feedback=said, feedback_next="/back/")

    assert _votes(html) == [("1", True, "true"), ("0", False, "false")]
    assert '<details class="fb-reading-comment" open>' in html
    assert "<summary>Your comment</summary>" in html
    assert 'value="Clear &amp; short"' in html
    assert "You said: useful." in html
    assert 'name="next" value="/back/"' in html


def test_a_not_useful_vote_without_a_comment(reading, fellow):
    said = ReadingFeedback(user=fellow, reading=reading, useful=False, comment="")

    html = _render(reading, reading_feedback=said)

    assert _votes(html) == [("1", False, "false"), ("0", True, "true")]
    assert '<details class="fb-reading-comment">' in html
    assert "<summary>Add a comment</summary>" in html
    assert "You said: not useful." in html


def test_a_form_sent_back_with_errors_keeps_what_was_typed(reading):
    form = ReadingFeedbackForm({"comment": "x" * 501}, reading_pk=reading.pk)
    assert not form.is_valid()

    html = _render(reading, reading_feedback=None, reading_feedback_form=form)

    assert "Choose useful or not useful." in html
    assert "at most 500 characters" in html
    assert '<details class="fb-reading-comment" open>' in html
    assert f'value="{"x" * 501}" aria-invalid="true"' in html
    assert f'aria-describedby="reading-{reading.pk}-comment-error"' in html


def test_a_facilitator_gets_nothing(reading):
    assert _render(reading, reading_feedback=None, feedback_allowed=False).strip() == ""
