"""The dashboard's numbers against a small cohort worked out by hand."""

import pytest
import time_machine
from django.http import QueryDict

from courseapp.facilitate.grid import grid_view
from courseapp.facilitate.selectors import cohort_dashboard, facilitator_home
from courseapp.models import UnitFeedback

from .conftest import at, enrol, read, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
NOW = at(2026, 3, 10, 12)  # after the week 2 session; week 3 opened on the 9th at 18:00


def _feedback(user, unit, cohort, when, anonymous=False):
    feedback = UnitFeedback.objects.create(
        user=user, unit=unit, cohort=cohort, rating=4, anonymous=anonymous
    )
    UnitFeedback.objects.filter(pk=feedback.pk).update(updated_at=when)


@pytest.fixture
def scene(cohort, course, sessions):
    with time_machine.travel(at(2026, 2, 1, 12), tick=False):
        ada, ben, cleo = (enrol(cohort, name) for name in ("Ada", "Ben", "Cleo"))
    units = course.units
    read(ada, units[0], 4, at(2026, 3, 1, 8))
    read(ada, units[1], 2, at(2026, 3, 8, 10))
    take_quiz(course, ada, [True, True], at(2026, 3, 1, 9))
    take_quiz(course, ada, [True, False], at(2026, 3, 1, 10))
    _feedback(ada, units[0], cohort, at(2026, 3, 9, 12))
    read(ben, units[0], 1, at(2026, 3, 5, 9))
    take_quiz(course, ben, [False, False], at(2026, 3, 1, 11))
    # Anonymous: must show neither as given nor as Ben's latest activity.
    _feedback(ben, units[0], cohort, at(2026, 3, 9, 13), anonymous=True)
    return {"Ada": ada, "Ben": ben, "Cleo": cleo}


@pytest.fixture
def dashboard(scene, cohort):
    return cohort_dashboard(cohort=cohort, now=NOW)


def _row(dashboard, name):
    return next(r for r in dashboard.rows if r.user.name == name)


def test_the_columns_follow_the_schedule(dashboard, sessions):
    assert [c.session for c in dashboard.columns] == sessions
    assert [c.released for c in dashboard.columns] == [True, True, True]
    assert [c.held for c in dashboard.columns] == [True, True, False]
    assert [c.core_total for c in dashboard.columns] == [4, 4, 4]
    assert [c.has_quiz for c in dashboard.columns] == [True, False, False]
    assert dashboard.current == sessions[2]
    assert dashboard.next_session == sessions[2]


def test_the_cells_count_core_readings_quizzes_and_named_feedback(dashboard):
    ada, ben, cleo = (_row(dashboard, n) for n in ("Ada", "Ben", "Cleo"))
    assert [c.core_done for c in ada.cells] == [4, 2, 0]
    assert [c.core_done for c in ben.cells] == [1, 0, 0]
    assert (ada.cells[0].quiz_submitted, ada.cells[0].quiz_best_percent) == (2, 100)
    assert ada.cells[0].quiz_passed
    assert (ben.cells[0].quiz_submitted, ben.cells[0].quiz_best_percent) == (1, 0)
    assert not ben.cells[0].quiz_passed
    assert cleo.cells[0].quiz_submitted == 0
    assert [c.feedback for c in ada.cells] == [True, False, False]
    assert [c.feedback for c in ben.cells] == [False, False, False]


def test_progress_is_measured_against_the_sessions_already_held(dashboard):
    ada, ben, cleo = (_row(dashboard, n) for n in ("Ada", "Ben", "Cleo"))
    assert (ada.expected_done, ada.expected_total, ada.behind) == (6, 8, 2)
    assert (ben.expected_done, ben.behind) == (1, 7)
    assert (cleo.core_done, cleo.core_total, cleo.behind) == (0, 12, 8)


def test_last_activity_is_the_latest_mark_answer_or_named_feedback(dashboard):
    assert _row(dashboard, "Ada").last_activity == at(2026, 3, 9, 12)
    assert _row(dashboard, "Ben").last_activity == at(2026, 3, 5, 9)
    assert _row(dashboard, "Cleo").last_activity is None


def test_each_fellow_has_the_reasons_worked_out_by_hand(dashboard):
    assert _row(dashboard, "Ada").at_risk_reasons == [
        "Mastery below 50% on week 1 objective 2 (0 of 1 right)"
    ]
    assert _row(dashboard, "Ben").at_risk_reasons == [
        "Mastery below 50% on week 1 objective 1 (0 of 1 right) and 1 more"
    ]
    assert _row(dashboard, "Cleo").at_risk_reasons == [
        "Week 1 quiz not attempted after the session",
        "No activity yet, 14 days since they could start",
    ]


def test_objective_mastery_is_the_mean_over_fellows_with_data(dashboard):
    (row,) = dashboard.objectives
    first, second = row.cells
    assert (first.number, first.percent, first.fellows_with_data, first.fellows_below) == (
        1,
        50,
        2,
        1,
    )
    assert (second.percent, second.fellows_below, second.level) == (0, 2, "not-yet")
    assert first.level == "developing"
    assert dashboard.weakest == [second, first]


def test_this_weeks_feedback_and_readiness_are_for_the_current_unit(dashboard, course):
    assert dashboard.feedback.unit == course.units[2]
    assert dashboard.feedback.answers == 0
    assert dashboard.core_ready == 0


def test_the_grid_sorts_at_risk_first_then_by_name_or_progress(dashboard, course):
    def names(query):
        return [r.user.name for r in grid_view(dashboard, QueryDict(query)).rows]

    assert names("") == ["Cleo", "Ada", "Ben"]
    assert names("sort=name") == ["Ada", "Ben", "Cleo"]
    assert names("sort=progress") == ["Cleo", "Ben", "Ada"]
    assert names(f"sort=progress&unit={course.units[0].pk}") == ["Cleo", "Ben", "Ada"]
    assert names(f"sort=progress&unit={course.units[1].pk}") == ["Ben", "Cleo", "Ada"]


def test_the_grid_filters_by_unit_and_at_risk_and_ignores_bad_values(dashboard, course):
    view = grid_view(dashboard, QueryDict(f"unit={course.units[1].pk}&show=at-risk"))
    assert [c.unit for c in view.columns] == [course.units[1]]
    assert view.at_risk_only and len(view.rows) == 3
    nonsense = grid_view(dashboard, QueryDict("sort=drop+table&unit=abc&show=x"))
    assert (nonsense.sort, nonsense.unit, len(nonsense.columns)) == ("risk", None, 3)


def test_my_cohorts_says_how_many_finished_this_weeks_core_readings(
    scene, cohort, course, facilitator, other_facilitator
):
    read(scene["Ada"], course.units[2], 4, at(2026, 3, 10, 9))
    (summary,) = facilitator_home(user=facilitator, now=NOW)
    assert summary.cohort == cohort
    assert summary.current.unit == course.units[2]
    assert summary.health == "1 of 3 fellows have finished the week 3 core readings."
    assert [s.cohort.name for s in facilitator_home(user=other_facilitator, now=NOW)] == [
        "Cohort B"
    ]
