"""Hostile text in every field a person can write: markup, script URLs, NUL, bidi overrides,
zero-width characters and over-long values.

The policy, the same for every field: a NUL is refused with a form error (PostgreSQL text
cannot hold it, and no real text needs it); over-long text is refused with a message naming
the limit; everything else (markup, RTL overrides, zero-width joiners, which real names and
languages use) is stored as typed and escaped wherever it is shown. Links are only ever
http(s).
"""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from courseapp.models import Invitation, Reading, ReadingFeedback, UnitFeedback
from quizzes import services as quiz_services
from quizzes.models import Answer, Question
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.quizzes.factories import QuizFactory, question_with_choices

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
RTL = "Ann\u202egnp.exe"
ZERO_WIDTH = "Zo\u200be"
NUL_ERROR = "Null characters are not allowed."


@pytest.fixture
def place(db):
    course, (unit,) = course_with_units(units=1)
    cohort = weekly_cohort(course, pacing="self_paced")
    return {
        "unit": unit,
        "reading": unit.readings.order_by("tier", "position").first(),
        "cohort": cohort,
        "fellow": fellow_in(cohort),
        "facilitator": facilitator_of(cohort),
    }


def feedback(client, unit, **fields):
    return client.post(reverse("unit_feedback", args=[unit.pk]), {"rating": "4", **fields})


def test_unit_feedback_with_a_nul_is_refused_with_a_clear_message(client, place):
    client.force_login(place["fellow"])

    response = feedback(client, place["unit"], what_worked="fine\x00")

    assert response.status_code == 200
    assert NUL_ERROR in response.text
    assert not UnitFeedback.objects.exists()


def test_over_long_unit_feedback_is_refused_naming_the_limit(client, place):
    client.force_login(place["fellow"])

    response = feedback(client, place["unit"], what_to_change="x" * 2001)

    assert "Ensure this value has at most 2000 characters (it has 2001)." in response.text
    assert not UnitFeedback.objects.exists()


def test_markup_and_odd_unicode_in_unit_feedback_are_kept_and_shown_escaped(client, place):
    client.force_login(place["fellow"])
    feedback(client, place["unit"], what_worked=MARKUP, what_to_change=RTL + ZERO_WIDTH)
    client.force_login(place["facilitator"])

    page = client.get(
        reverse("cohort_unit_feedback", args=[place["cohort"].pk, place["unit"].pk])
    ).text

    assert UnitFeedback.objects.get().what_worked == MARKUP
    assert ESCAPED in page
    assert MARKUP not in page
    assert RTL + ZERO_WIDTH in page


def test_reading_comments_refuse_nul_and_over_long_text(client, place):
    client.force_login(place["fellow"])
    url = reverse("reading_feedback", args=[place["reading"].pk])

    with_nul = client.post(url, {"useful": "1", "comment": "ok\x00"})
    too_long = client.post(url, {"useful": "1", "comment": "x" * 501})

    assert NUL_ERROR in with_nul.text
    assert "Ensure this value has at most 500 characters (it has 501)." in too_long.text
    assert not ReadingFeedback.objects.exists()


def test_a_reading_comment_with_markup_is_shown_escaped_on_the_unit_page(client, place):
    client.force_login(place["fellow"])
    client.post(reverse("reading_mark", args=[place["reading"].pk]), {"done": "1"})
    client.post(
        reverse("reading_feedback", args=[place["reading"].pk]),
        {"useful": "1", "comment": MARKUP},
    )

    page = client.get(reverse("unit_detail", args=[place["unit"].pk])).text

    assert ReadingFeedback.objects.get().comment == MARKUP
    assert ESCAPED in page
    assert MARKUP not in page


@pytest.fixture
def written(place):
    quiz = QuizFactory(unit=place["unit"])
    question = question_with_choices(quiz, kind=Question.Kind.WRITTEN)
    attempt = quiz_services.attempt_start(quiz=quiz, user=place["fellow"])
    return attempt, question


def save_answer(client, attempt, question, text):
    url = reverse("answer_save", args=[attempt.pk, question.pk])
    return client.post(url, {f"q{question.pk}-text": text})


def test_a_written_answer_with_a_nul_is_refused_and_nothing_is_saved(client, place, written):
    attempt, question = written
    client.force_login(place["fellow"])

    response = save_answer(client, attempt, question, "my answer\x00")

    assert response.status_code == 400
    assert "null character" in response.text
    assert Answer.objects.get().written_text == ""


def test_an_over_long_written_answer_is_refused_naming_the_limit(client, place, written):
    attempt, question = written
    client.force_login(place["fellow"])

    response = save_answer(client, attempt, question, "x" * 10_001)

    assert response.status_code == 400
    assert "Keep written answers under 10,000 characters." in response.text


def test_a_written_answer_with_markup_is_shown_escaped_on_the_result(client, place, written):
    attempt, question = written
    client.force_login(place["fellow"])
    save_answer(client, attempt, question, MARKUP + RTL)
    client.post(reverse("attempt_submit", args=[attempt.pk]), {f"q{question.pk}-text": MARKUP})

    page = client.get(reverse("attempt_result", args=[attempt.pk])).text

    assert Answer.objects.get().written_text == MARKUP
    assert ESCAPED in page
    assert MARKUP not in page


def accept(client, token, display_name):
    return client.post(
        reverse("invitation_accept", args=[token]),
        {
            "display_name": display_name,
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )


@pytest.fixture
def invitation(place):
    from django.utils import timezone

    return Invitation.objects.create(
        cohort=place["cohort"],
        email="newcomer@example.org",
        token="hostile-token",
        expires_at=timezone.now() + timezone.timedelta(days=3),
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [("Ann\x00", NUL_ERROR), ("x" * 151, "at most 150 characters (it has 151)")],
)
def test_a_display_name_with_a_nul_or_too_long_is_refused(client, invitation, name, message):
    response = accept(client, invitation.token, name)

    assert message in response.text
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_a_display_name_with_markup_is_escaped_for_the_person_and_their_facilitator(
    client, place, invitation
):
    accept(client, invitation.token, MARKUP)
    newcomer = User.objects.get(email="newcomer@example.org")
    own_page = client.get(reverse("home")).text
    client.force_login(place["facilitator"])

    cohort_page = client.get(reverse("cohort_detail", args=[place["cohort"].pk])).text

    assert newcomer.display_name == MARKUP
    for page in (own_page, cohort_page):
        assert MARKUP not in page
        assert "&lt;script&gt;" in page


def test_invitation_lists_refuse_markup_script_urls_and_nul_naming_each_line(client, place):
    client.force_login(place["facilitator"])
    text = "ok@example.org\n<script>@example.org\njavascript:alert(1)\nnul\x00@example.org"

    response = client.post(reverse("cohort_invite", args=[place["cohort"].pk]), {"emails": text})

    assert response.status_code == 200
    assert NUL_ERROR in response.text
    assert not Invitation.objects.exists()


def test_invitation_lists_name_each_bad_address_escaped(client, place):
    client.force_login(place["facilitator"])
    text = "ok@example.org\n<script>@example.org\njavascript:alert(1)"

    response = client.post(reverse("cohort_invite", args=[place["cohort"].pk]), {"emails": text})

    assert "Line 2: “&lt;script&gt;@example.org” is not an email address." in response.text
    assert "Line 3: “javascript:alert(1)” is not an email address." in response.text
    assert not Invitation.objects.exists()


def reading_form(staff, reading, **changes):
    request = RequestFactory().get("/")
    request.user = staff
    model_admin = site._registry[Reading]
    form_class = model_admin.get_form(request, reading)
    data = {
        **{
            name: getattr(reading, name)
            for name in ("tier", "position", "title", "authors", "year", "kind", "minutes")
        },
        "unit": reading.unit_id,
        "url": reading.url,
        "note": reading.note,
        **changes,
    }
    return form_class(data, instance=reading)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "ftp://example.org/x",
    ],
)
def test_the_admin_refuses_reading_urls_that_are_not_web_links(place, staff, url):
    form = reading_form(staff, place["reading"], url=url)

    assert not form.is_valid()
    assert form.errors["url"] == ["Enter a valid URL."]


def test_the_admin_refuses_a_nul_in_a_reading_title_or_note(place, staff):
    form = reading_form(staff, place["reading"], title="A\x00", note="B\x00")

    assert not form.is_valid()
    assert form.errors["title"] == [NUL_ERROR]
    assert form.errors["note"] == [NUL_ERROR]


def test_the_model_itself_refuses_a_script_url(place):
    reading = place["reading"]
    reading.url = "javascript:alert(1)"

    with pytest.raises(ValidationError) as error:
        reading.full_clean()

    assert "url" in error.value.message_dict


def test_a_script_url_that_reached_the_database_is_never_rendered_as_a_link(client, place):
    Reading.objects.filter(pk=place["reading"].pk).update(
        url="javascript:alert(1)", title=MARKUP, note=MARKUP
    )
    client.force_login(place["fellow"])

    page = client.get(reverse("unit_detail", args=[place["unit"].pk])).text

    assert "javascript:" not in page
    assert MARKUP not in page
    assert page.count(ESCAPED) >= 2


def test_an_admin_entered_https_link_is_rendered_as_an_external_link(client, place):
    Reading.objects.filter(pk=place["reading"].pk).update(url="https://example.org/paper")
    client.force_login(place["fellow"])

    page = client.get(reverse("unit_detail", args=[place["unit"].pk])).text

    assert 'href="https://example.org/paper" target="_blank" rel="noopener"' in page


@pytest.mark.parametrize(
    ("name", "message"),
    [("Ann\x00", NUL_ERROR), ("x" * 151, "at most 150 characters (it has 151)")],
)
def test_the_profile_page_refuses_a_nul_or_over_long_display_name(client, place, name, message):
    client.force_login(place["fellow"])
    before = place["fellow"].display_name

    response = client.post(reverse("account_profile"), {"display_name": name, "timezone": ""})

    assert message in response.text
    place["fellow"].refresh_from_db()
    assert place["fellow"].display_name == before


def test_a_display_name_set_on_the_profile_page_is_escaped_in_the_header(client, place):
    client.force_login(place["fellow"])
    client.post(reverse("account_profile"), {"display_name": MARKUP + RTL, "timezone": ""})

    page = client.get(reverse("home")).text

    assert MARKUP not in page
    assert ESCAPED + RTL in page
