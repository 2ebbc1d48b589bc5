import csv
import io

import pytest
from django.urls import reverse

from courseapp.feedback import selectors
from courseapp.models import UnitFeedback
from tests.factories import EnrollmentFactory, UnitFactory

pytestmark = pytest.mark.django_db


def page(cohort, unit):
    return reverse("cohort_unit_feedback", args=[cohort.pk, unit.pk])


def csv_url(cohort, unit):
    return reverse("cohort_unit_feedback_csv", args=[cohort.pk, unit.pk])


def answer(cohort, unit, *, name, anonymous, rating=4, worked="", change=""):
    user = EnrollmentFactory(cohort=cohort, user__display_name=name).user
    return UnitFeedback.objects.create(
        user=user,
        unit=unit,
        cohort=cohort,
        rating=rating,
        anonymous=anonymous,
        what_worked=worked,
        what_to_change=change,
    )


def rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_named_answers_show_with_their_author(client, facilitator, cohort, unit):
    answer(cohort, unit, name="Nadia Named", anonymous=False, worked="The reading group")
    client.force_login(facilitator)

    html = client.get(page(cohort, unit)).content.decode()

    assert "Nadia Named" in html
    assert "The reading group" in html


def test_anonymous_answers_wait_for_three_answers(client, facilitator, cohort, unit):
    answer(cohort, unit, name="Nadia Named", anonymous=False, rating=5, worked="Named words")
    answer(cohort, unit, name="Secret Sam", anonymous=True, rating=1, worked="Hidden words")
    client.force_login(facilitator)

    html = client.get(page(cohort, unit)).content.decode()
    summary = selectors.cohort_unit_feedback_summary(cohort=cohort, unit=unit)

    assert "Hidden words" not in html
    assert "Secret Sam" not in html
    assert "1 anonymous answer is held back until at least 3 fellows" in html
    assert summary.distribution == [(5, 1), (4, 0), (3, 0), (2, 0), (1, 0)]
    assert [r[0] for r in rows(client.get(csv_url(cohort, unit)))] == ["fellow", "Nadia Named"]


def test_with_three_answers_anonymous_ones_show_without_name_or_time(
    client, facilitator, cohort, unit
):
    named = answer(cohort, unit, name="Nadia Named", anonymous=False, worked="Named words")
    answer(cohort, unit, name="Secret Sam", anonymous=True, rating=1, worked="Zebra words")
    answer(cohort, unit, name="Quiet Quinn", anonymous=True, rating=2, worked="Apple words")
    client.force_login(facilitator)

    html = client.get(page(cohort, unit)).content.decode()
    table = rows(client.get(csv_url(cohort, unit)))

    assert "Secret Sam" not in html and "Quiet Quinn" not in html
    assert html.count("Anonymous fellow") == 2
    # Content order, not submission order: order must not hint at who wrote what.
    assert html.index("Apple words") < html.index("Zebra words")
    assert table[1][0] == "Nadia Named" and table[1][4] == named.updated_at.isoformat(
        timespec="minutes"
    )
    assert table[2] == ["Anonymous fellow", "2", "Apple words", "", ""]
    assert table[3] == ["Anonymous fellow", "1", "Zebra words", "", ""]
    assert "Secret Sam" not in str(table) and "Quiet Quinn" not in str(table)


def test_markup_in_comments_is_shown_as_text(client, facilitator, cohort, unit):
    answer(cohort, unit, name="<b>Bold</b>", anonymous=False, worked="<script>alert(1)</script>")
    client.force_login(facilitator)

    html = client.get(page(cohort, unit)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_formulas_in_comments_stay_text_in_the_csv(client, facilitator, cohort, unit):
    answer(cohort, unit, name="Eve", anonymous=False, worked="=HYPERLINK(1)")
    client.force_login(facilitator)

    assert rows(client.get(csv_url(cohort, unit)))[1][2] == "'=HYPERLINK(1)"


def test_other_cohorts_answers_are_not_counted(client, facilitator, cohort, other_cohort, unit):
    answer(other_cohort, unit, name="Elsewhere Ed", anonymous=False, worked="Not yours")
    client.force_login(facilitator)

    html = client.get(page(cohort, unit)).content.decode()

    assert "Elsewhere Ed" not in html
    assert "0 of 0 fellows answered" in html


def test_only_the_cohorts_facilitators_and_staff_see_it(
    client, cohort, unit, fellow, other_facilitator, facilitator, staff
):
    for url in (page(cohort, unit), csv_url(cohort, unit)):
        assert client.get(url).status_code == 302
        for person, status in (
            (fellow, 404),
            (other_facilitator, 404),
            (facilitator, 200),
            (staff, 200),
        ):
            client.force_login(person)
            assert client.get(url).status_code == status, person
        client.logout()


def test_a_unit_of_another_course_is_not_found(client, facilitator, cohort):
    client.force_login(facilitator)

    assert client.get(page(cohort, UnitFactory())).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(
    client, facilitator, cohort, unit, django_assert_max_num_queries
):
    for n in range(30):
        answer(cohort, unit, name=f"Fellow {n}", anonymous=n % 2 == 0, worked=f"Words {n}")
    client.force_login(facilitator)

    with django_assert_max_num_queries(6):
        assert client.get(page(cohort, unit)).status_code == 200
