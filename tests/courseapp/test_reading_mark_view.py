import pytest
from django.urls import reverse

from courseapp.models import Reading, ReadingFeedback, ReadingProgress
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def week():
    course, units = course_with_units(units=2)
    cohort = weekly_cohort(course)
    return cohort, units, fellow_in(cohort)


def _core(unit) -> list[Reading]:
    return list(unit.readings.filter(tier=Reading.Tier.CORE).order_by("position"))


def _mark(client, reading, done="1", **extra):
    data = {"done": done, **extra.pop("data", {})}
    return client.post(reverse("reading_mark", args=[reading.pk]), data, **extra)


def test_without_htmx_marking_redirects_back_to_the_unit(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    reading = _core(units[0])[0]

    response = _mark(client, reading)

    assert response.status_code == 302
    assert response["Location"] == reverse("unit_detail", args=[units[0].pk])
    assert ReadingProgress.objects.filter(user=fellow, reading=reading).exists()


def test_without_htmx_a_safe_next_is_followed_and_an_unsafe_one_ignored(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    reading = _core(units[0])[0]
    page = reverse("reading_detail", args=[reading.pk])

    assert _mark(client, reading, data={"next": page})["Location"] == page
    unsafe = _mark(client, reading, data={"next": "https://evil.example/"})
    assert unsafe["Location"] == reverse("unit_detail", args=[units[0].pk])


@pytest.mark.parametrize(
    "target",
    ["foo", "@SUM(1)", "account_logout", "/units/\x00", "//evil.example/", "https:evil.example"],
)
def test_without_htmx_a_next_that_is_not_a_local_path_falls_back_to_the_unit(client, week, target):
    _, units, fellow = week
    client.force_login(fellow)
    reading = _core(units[0])[0]

    response = _mark(client, reading, data={"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("unit_detail", args=[units[0].pk])
    assert ReadingProgress.objects.filter(user=fellow, reading=reading).exists()


def test_without_htmx_a_next_in_invalid_utf8_falls_back_to_the_unit(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    reading = _core(units[0])[0]
    body = b"done=1&next=%2F%FF%FE"

    response = client.post(
        reverse("reading_mark", args=[reading.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert "evil" not in response["Location"]


def test_with_htmx_it_returns_the_row_and_an_out_of_band_summary(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    first, second = _core(units[0])[:2]
    _mark(client, first)

    response = _mark(client, second, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="reading is-done" id="reading-{second.pk}">')
    assert '<div id="progress-summary" hx-swap-oob="innerHTML">' in html
    assert "2 of 4</strong> core readings read · about 40 min left" in html
    assert 'id="tier-1-count" hx-swap-oob="innerHTML">2 of 4 read</span>' in html
    assert "<html" not in html and 'name="csrfmiddlewaretoken"' in html


def test_with_htmx_unmarking_flips_the_row_back(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    reading = _core(units[0])[0]
    _mark(client, reading)

    html = _mark(client, reading, done="0", **HTMX).content.decode()

    assert f'<li class="reading" id="reading-{reading.pk}">' in html
    assert 'name="done" value="1"' in html and "Mark as read" in html
    assert not ReadingProgress.objects.filter(user=fellow).exists()


def test_a_reading_of_a_unit_not_yet_released_is_a_404_and_nothing_is_stored(client, week):
    _, units, fellow = week
    client.force_login(fellow)

    assert _mark(client, _core(units[1])[0]).status_code == 404
    assert _mark(client, _core(units[1])[0], **HTMX).status_code == 404
    assert not ReadingProgress.objects.exists()


def test_a_fellow_of_another_course_gets_a_404(client, week):
    _, units, _ = week
    other, _ = course_with_units(units=1)
    client.force_login(fellow_in(weekly_cohort(other)))

    assert _mark(client, _core(units[0])[0]).status_code == 404
    assert not ReadingProgress.objects.exists()


def test_anonymous_posts_are_sent_to_sign_in_and_gets_are_refused(client, week):
    _, units, fellow = week
    reading = _core(units[0])[0]

    assert "/accounts/login/" in _mark(client, reading)["Location"]
    client.force_login(fellow)
    assert client.get(reverse("reading_mark", args=[reading.pk])).status_code == 405


def test_the_mark_needs_a_csrf_token(week):
    from django.test import Client

    _, units, fellow = week
    client = Client(enforce_csrf_checks=True)
    client.force_login(fellow)

    assert _mark(client, _core(units[0])[0], **HTMX).status_code == 403
    assert not ReadingProgress.objects.exists()


def test_the_mark_runs_a_handful_of_queries(client, big_course, django_assert_max_num_queries):
    _, units, fellows = big_course
    client.force_login(fellows[0])
    reading = units[3].readings.exclude(progress__user=fellows[0]).first()

    # The user; the access rule; get_or_create (select, then insert in a savepoint); the page
    # version bump; the unit's readings and the feedback for the answer; the transaction's
    # savepoint (the test's own transaction makes it one). The session comes from the cache.
    with django_assert_max_num_queries(11):
        assert _mark(client, reading, **HTMX).status_code == 200
    # Unmarking: the user, the access rule, the delete (select, delete, bump), the unit.
    with django_assert_max_num_queries(9):
        assert _mark(client, reading, done="0").status_code == 302


def test_with_htmx_the_row_keeps_the_fellows_feedback_on_that_reading_only(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    first, second = _core(units[0])[:2]
    _mark(client, first)
    _mark(client, second)
    ReadingFeedback.objects.create(user=fellow, reading=first, useful=False, comment="Too <long>")
    ReadingFeedback.objects.create(user=UserFactory(), reading=second, useful=True, comment="Hi")

    row = _mark(client, first, **HTMX).content.decode()
    other = _mark(client, second, **HTMX).content.decode()

    assert "You said: not useful." in row and 'value="Too &lt;long&gt;"' in row
    # (Not a bare "Hi": the row's random CSRF token holds those two letters one time in fifty.)
    assert "You said" not in other and 'value="Hi"' not in other


def test_with_htmx_a_hosted_reading_row_still_links_to_its_page(client, week):
    _, units, fellow = week
    client.force_login(fellow)
    hosted, plain = _core(units[0])[:2]
    Reading.objects.filter(pk=hosted.pk).update(body="<p>The chapter.</p>")

    hosted_row = _mark(client, hosted, **HTMX).content.decode()
    plain_row = _mark(client, plain, **HTMX).content.decode()

    assert f'href="{reverse("reading_detail", args=[hosted.pk])}"' in hosted_row
    assert f'href="{reverse("reading_detail", args=[plain.pk])}"' not in plain_row
