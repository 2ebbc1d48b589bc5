"""The cohort grid shows the weeks already open unless asked for all of them, its cells say what
they hold in words, and the CSV keeps every week whatever the page shows."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from courseapp.facilitate.grid import grid_view
from courseapp.facilitate.rows import idle_for
from courseapp.facilitate.selectors import cohort_dashboard
from courseapp.models import UnitFeedback
from tests.factories import LearningObjectiveFactory

from .conftest import at, enrol, read, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
# Week 1 and 2 are open (week 2 opened on 2 March at 18:00), week 3 opens on 9 March at 18:00.
BEFORE_WEEK_3 = at(2026, 3, 5, 12)


@pytest.fixture
def ada(cohort, course, sessions):
    with time_machine.travel(at(2026, 2, 1, 12), tick=False):
        ada = enrol(cohort, "Ada Lovelace")
    read(ada, course.units[0], 2, at(2026, 3, 1, 8))
    take_quiz(course, ada, [True, False], at(2026, 3, 1, 9))
    with time_machine.travel(at(2026, 3, 1, 10), tick=False):
        UnitFeedback.objects.create(user=ada, unit=course.units[0], cohort=cohort, rating=4)
    return ada


def _page(client, cohort, query="", **headers):
    url = reverse("cohort_detail", args=[cohort.pk]) + query
    with time_machine.travel(BEFORE_WEEK_3, tick=False):
        return client.get(url, headers=headers).content.decode()


def test_the_grid_shows_the_open_weeks_by_default_and_every_week_on_request(cohort, course, ada):
    dashboard = cohort_dashboard(cohort=cohort, now=BEFORE_WEEK_3)
    weeks = grid_view(dashboard, QueryDict(""))
    assert [c.unit for c in weeks.columns] == course.units[:2]
    every = grid_view(dashboard, QueryDict("weeks=all&sort=name"))
    assert [c.unit for c in every.columns] == course.units
    assert every.query == "?sort=name&weeks=all"
    assert all("weeks=all" in link.query for link in every.sort_links)
    one = grid_view(dashboard, QueryDict(f"weeks=all&unit={course.units[2].pk}"))
    assert [c.unit for c in one.columns] == [course.units[2]]
    labels = [(link.label, link.current) for link in weeks.unit_links[:2]]
    assert labels == [("Open weeks", True), ("All weeks", False)]


def test_the_page_leaves_out_weeks_not_open_yet_and_links_to_all_of_them(
    client, cohort, ada, facilitator
):
    client.force_login(facilitator)
    html = _page(client, cohort)
    assert ">Week 2</th>" in html and "Week 3</th>" not in html and "Not open" not in html
    assert 'href="?sort=risk&amp;weeks=all"' in html
    assert "Weeks not open yet are left out" in html

    every = _page(client, cohort, "?sort=risk&weeks=all", **{"HX-Request": "true"})
    assert every.strip().startswith('<div id="grid"') and "<html" not in every
    assert 'class="fac-locked">Week 3<small>opens 9 Mar</small></th>' in every
    assert '<td class="fac-locked">Not open</td>' in every
    assert 'aria-current="true">All weeks</a>' in every


def test_a_cell_says_in_words_what_was_read_taken_and_given(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    html = _page(client, cohort)
    cell = '<td class="fac-part">2/4 core<small>Quiz 50% not passed</small>'
    assert cell + "<small>Feedback given</small></td>" in html
    assert '<td class="fac-none">0/4 core</td>' in html  # week 2: nothing read, no quiz
    assert "Schedule<small>4 core due so far</small>" in html
    assert '<td class="fac-none">2 core behind</td>' in html
    assert "<td>4 days ago</td>" in html  # last activity 1 March 10:00, now 5 March 12:00


def test_the_csv_keeps_every_week_when_the_page_shows_only_the_open_ones(
    client, cohort, ada, facilitator
):
    client.force_login(facilitator)
    with time_machine.travel(BEFORE_WEEK_3, tick=False):
        response = client.get(reverse("cohort_export_csv", args=[cohort.pk]))
        text = b"".join(response.streaming_content).decode()
    header = next(csv.reader(io.StringIO(text)))
    assert "week_3_core_done" in header and "week_3_feedback_named" in header


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (dt.timedelta(minutes=5), "Less than a day ago"),
        (dt.timedelta(hours=23, minutes=59), "Less than a day ago"),
        (dt.timedelta(days=1), "1 day ago"),
        (dt.timedelta(days=7, hours=23), "7 days ago"),
    ],
)
def test_last_activity_counts_whole_days_like_the_inactivity_rule(ago, text):
    now = at(2026, 3, 10, 12)
    assert idle_for(now - ago, now) == text


def test_the_heat_map_leaves_out_weeks_not_open_yet(client, cohort, course, ada, facilitator):
    LearningObjectiveFactory(unit=course.units[2], text="Name the week three idea")
    client.force_login(facilitator)
    html = _page(client, cohort)
    assert "Week 1</span>" in html and "Name the week three idea" not in html
    assert "Weeks not open yet are left out." in html
    with time_machine.travel(at(2026, 3, 10, 12), tick=False):
        later = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    assert "Name the week three idea" in later
