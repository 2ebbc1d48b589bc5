"""The cohort page's session card: the session on now or next, where it meets, and the Join
button for the facilitator from the join window until the session ends."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.courseapp.weeks import LONDON_FIRST_START, facilitator_of, meeting_cohort

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

CALL = "https://meet.example.org/cohort-a"
FIRST_START = LONDON_FIRST_START
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def cohort():
    return meeting_cohort(units=2, meeting_url=CALL, meeting_place="Room 2.14")


def card(client, cohort, time_machine, moment) -> str:
    time_machine.move_to(moment, tick=False)
    client.force_login(facilitator_of(cohort))
    html = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    start = html.index('aria-labelledby="next-session-title"')
    return html[start : html.index("</section>", start)]


def test_days_before_the_card_gives_the_place_and_a_plain_link(client, cohort, time_machine):
    html = card(client, cohort, time_machine, FIRST_START - dt.timedelta(days=2))

    assert ">Next session<" in html and "Week 1: Week 1 topic" in html
    assert "Room 2.14" in html and f'href="{CALL}"' in html
    assert "Join the session now" not in html


def test_the_join_button_shows_shortly_before_and_during_the_session(client, cohort, time_machine):
    before = card(client, cohort, time_machine, FIRST_START - 10 * MINUTE)
    during = card(client, cohort, time_machine, FIRST_START + 30 * MINUTE)
    after = card(client, cohort, time_machine, FIRST_START + 91 * MINUTE)

    assert ">Next session<" in before and "Join the session now" in before
    assert ">Session now<" in during and "Week 1: Week 1 topic" in during
    assert "Join the session now" in during
    assert ">Next session<" in after and "Week 2: Week 2 topic" in after
    assert "Join the session now" not in after
