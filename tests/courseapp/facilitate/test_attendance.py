"""Attendance: a facilitator takes a session's register from the cohort page (a plain form, and
row by row with htmx); the marks show in the grid, the CSV, the fellow's page and the at-risk
reasons; fellows read only their own.

The clock stands at Tuesday 10 March 2026, noon UTC: the sessions of 2 and 9 March have been
held, the one of 16 March is still to come."""

import csv
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from courseapp.demo.accounts import FELLOWS
from courseapp.demo.attendance import seed_attendance
from courseapp.facilitate import services
from courseapp.facilitate.selectors import cohort_dashboard
from courseapp.meetings import admin as meetings_admin  # noqa: F401  (registers it until apps.py does)
from courseapp.meetings.selectors_attendance import attendance_for_fellow
from courseapp.models import Attendance, Enrollment
from tests.courseapp.weeks import facilitator_of
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

from .conftest import at, enrol

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
NOW = at(2026, 3, 10, 12)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ada(cohort, sessions):
    return enrol(cohort, "Ada Lovelace")


@pytest.fixture
def bob(cohort, sessions):
    return enrol(cohort, "Bob Babbage")


def _url(cohort, session):
    return reverse("cohort_attendance", args=[cohort.pk, session.pk])


def _mark(session, user):
    return Attendance.objects.filter(session=session, user=user).values_list("status", flat=True)


def _record(facilitator, session, user, status):
    return services.attendance_record(
        facilitator=facilitator, session=session, user=user, status=status
    )


# --- The service --------------------------------------------------------------------------------


def test_it_records_a_mark_and_changes_it_keeping_the_history(facilitator, sessions, ada):
    _record(facilitator, sessions[1], ada, ABSENT)
    mark = _record(facilitator, sessions[1], ada, EXCUSED)

    assert mark.status == EXCUSED and mark.recorded_by == facilitator
    assert Attendance.objects.filter(user=ada).count() == 1
    assert [h.status for h in mark.history.order_by("history_id")] == [ABSENT, EXCUSED]


def test_saving_the_same_mark_again_writes_nothing(facilitator, sessions, ada):
    _record(facilitator, sessions[1], ada, PRESENT)
    mark = _record(facilitator, sessions[1], ada, PRESENT)

    assert mark.history.count() == 1


@pytest.mark.parametrize(
    "case",
    ["future session", "unknown status", "other cohort", "dropped", "facilitator", "outsider"],
)
def test_it_refuses_bad_marks_and_saves_nothing(
    case, cohort, course, facilitator, other_facilitator, sessions, ada
):
    session, user, status, who = sessions[1], ada, PRESENT, facilitator
    if case == "future session":
        session = sessions[2]
    elif case == "unknown status":
        status = "late"
    elif case == "other cohort":
        user = enrol(CohortFactory(course=course.course), "Otto's fellow")
    elif case == "dropped":
        Enrollment.objects.filter(user=ada).update(status=Enrollment.Status.DROPPED)
    elif case == "facilitator":
        user = facilitator
    else:
        who = other_facilitator
    expected = PermissionDenied if case == "outsider" else ValidationError

    with pytest.raises(expected):
        _record(who, session, user, status)
    assert not Attendance.objects.exists()


def test_a_register_is_saved_whole_or_not_at_all(facilitator, sessions, ada, bob):
    with pytest.raises(ValidationError):
        services.attendance_sheet_record(
            facilitator=facilitator, session=sessions[1], choices={ada.pk: ABSENT, bob.pk: "late"}
        )
    assert not Attendance.objects.exists()


def test_everyone_not_yet_recorded_is_marked_present_and_recorded_marks_stay(
    cohort, facilitator, sessions, ada, bob
):
    cleo = enrol(cohort, "Cleo", status=Enrollment.Status.DEFERRED)
    enrol(cohort, "Dropped Dan", status=Enrollment.Status.DROPPED)
    _record(facilitator, sessions[1], ada, ABSENT)

    changed = services.attendance_sheet_record(
        facilitator=facilitator, session=sessions[1], choices={}, rest_present=True
    )

    marks = dict(Attendance.objects.values_list("user__display_name", "status"))
    assert marks == {"Ada Lovelace": ABSENT, "Bob Babbage": PRESENT, "Cleo": PRESENT}
    assert changed == 2
    assert Attendance.history.filter(user=cleo, history_user=facilitator).count() == 1


def test_two_first_clicks_make_one_row(facilitator, sessions, ada, monkeypatch):
    # Another request's first click writes the row after this one looked for it: the write
    # changes that row instead of adding a second one.
    Attendance.objects.create(session=sessions[1], user=ada, status=PRESENT)
    real = Attendance.objects.select_for_update

    def not_seen_yet(*args, **kwargs):
        monkeypatch.setattr(Attendance.objects, "select_for_update", real)
        return Attendance.objects.none()

    monkeypatch.setattr(Attendance.objects, "select_for_update", not_seen_yet)
    _record(facilitator, sessions[1], ada, ABSENT)

    assert list(_mark(sessions[1], ada)) == [ABSENT]


# --- Who may take attendance --------------------------------------------------------------------


def test_the_facilitator_and_staff_open_the_register(client, cohort, facilitator, staff, sessions):
    for person in (facilitator, staff):
        client.force_login(person)
        assert client.get(_url(cohort, sessions[1])).status_code == 200


def test_fellows_and_other_cohorts_facilitators_get_404(
    client, cohort, other_facilitator, sessions, ada
):
    for person in (ada, other_facilitator):
        client.force_login(person)
        assert client.get(_url(cohort, sessions[1])).status_code == 404
        response = client.post(_url(cohort, sessions[1]), {f"status-{ada.pk}": ABSENT})
        assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_session_of_another_cohort_is_404(client, cohort, course, facilitator):
    other = CohortFactory(course=course.course)
    client.force_login(facilitator)
    assert client.get(_url(cohort, other.sessions.first())).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort, sessions):
    for response in (client.get(_url(cohort, sessions[1])), client.post(_url(cohort, sessions[1]))):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_post_without_the_csrf_token_is_refused(cohort, facilitator, sessions, ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    response = client.post(_url(cohort, sessions[1]), {f"status-{ada.pk}": ABSENT})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# --- The register page --------------------------------------------------------------------------


def test_the_register_lists_fellows_who_have_not_dropped_out_with_their_marks(
    client, cohort, facilitator, sessions, ada, bob
):
    enrol(cohort, "Cleo Deferred", status=Enrollment.Status.DEFERRED)
    enrol(cohort, "Dropped Dan", status=Enrollment.Status.DROPPED)
    _record(facilitator, sessions[1], ada, EXCUSED)
    client.force_login(facilitator)

    html = client.get(_url(cohort, sessions[1])).content.decode()

    assert "Ada Lovelace" in html and "Bob Babbage" in html and "Cleo Deferred" in html
    assert "Dropped Dan" not in html and "Fran Facilitator</legend>" not in html
    assert f'id="att-{ada.pk}-excused" name="status-{ada.pk}" value="excused" checked' in html
    assert "checked" not in html.split(f'id="att-{bob.pk}"')[1].split("</li>")[0]
    assert "1</strong> excused" in html and "2</strong> not recorded" in html
    assert "Mark everyone not yet recorded as present" in html


def test_the_register_links_to_the_sessions_held_and_not_the_ones_to_come(
    client, cohort, facilitator, sessions
):
    client.force_login(facilitator)
    html = client.get(_url(cohort, sessions[1])).content.decode()
    assert _url(cohort, sessions[0]) in html
    assert _url(cohort, sessions[2]) not in html


def test_a_session_still_to_come_has_no_form(client, cohort, facilitator, sessions, ada):
    client.force_login(facilitator)
    html = client.get(_url(cohort, sessions[2])).content.decode()
    assert "has not started yet" in html and 'name="status-' not in html


def test_the_form_saves_every_row_and_says_so(client, cohort, facilitator, sessions, ada, bob):
    client.force_login(facilitator)
    response = client.post(
        _url(cohort, sessions[1]), {f"status-{ada.pk}": ABSENT, f"status-{bob.pk}": PRESENT}
    )

    assert response.status_code == 302 and response["Location"] == _url(cohort, sessions[1])
    assert list(_mark(sessions[1], ada)) == [ABSENT] and list(_mark(sessions[1], bob)) == [PRESENT]
    page = client.get(response["Location"]).content.decode()
    assert "Attendance saved (2 changes)." in page


def test_a_register_opened_before_another_facilitators_change_does_not_undo_it(
    client, cohort, facilitator, sessions, ada, bob
):
    _record(facilitator, sessions[1], ada, PRESENT)
    client.force_login(facilitator)
    page = client.get(_url(cohort, sessions[1])).content.decode()
    assert f'name="shown-{ada.pk}" value="present"' in page
    assert f'name="shown-{bob.pk}" value=""' in page
    # Meanwhile a co-facilitator marks Ada absent; this register still shows her present.
    _record(facilitator_of(cohort), sessions[1], ada, ABSENT)

    response = client.post(
        _url(cohort, sessions[1]),
        {
            f"status-{ada.pk}": PRESENT,
            f"shown-{ada.pk}": PRESENT,
            f"status-{bob.pk}": EXCUSED,
            f"shown-{bob.pk}": "",
        },
    )

    assert list(_mark(sessions[1], ada)) == [ABSENT]
    assert list(_mark(sessions[1], bob)) == [EXCUSED]
    assert "Attendance saved (1 change)." in client.get(response["Location"]).content.decode()


def test_the_mark_everyone_button_saves_the_choices_and_fills_the_rest(
    client, cohort, facilitator, sessions, ada, bob
):
    client.force_login(facilitator)
    client.post(_url(cohort, sessions[1]), {f"status-{ada.pk}": ABSENT, "rest": "present"})
    assert list(_mark(sessions[1], ada)) == [ABSENT] and list(_mark(sessions[1], bob)) == [PRESENT]


@pytest.mark.parametrize(
    "post",
    [
        lambda ada, stranger: {f"status-{ada.pk}": "late"},
        lambda ada, stranger: {f"status-{stranger.pk}": PRESENT, f"status-{ada.pk}": PRESENT},
        lambda ada, stranger: {f"status-{ada.pk}x": PRESENT},
    ],
    ids=["unknown status", "fellow of another cohort", "malformed field"],
)
def test_a_bad_post_saves_nothing_and_says_why(
    client, cohort, course, facilitator, sessions, ada, post
):
    stranger = enrol(CohortFactory(course=course.course), "Stranger")
    client.force_login(facilitator)
    response = client.post(_url(cohort, sessions[1]), post(ada, stranger), follow=True)

    assert response.status_code == 200
    assert "Nothing was saved." in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_session_still_to_come_cannot_be_recorded(client, cohort, facilitator, sessions, ada):
    client.force_login(facilitator)
    response = client.post(_url(cohort, sessions[2]), {f"status-{ada.pk}": PRESENT}, follow=True)
    assert "has not started yet" in response.content.decode()
    assert not Attendance.objects.exists()


def test_htmx_saves_only_the_row_and_says_so_out_of_band(
    client, cohort, facilitator, sessions, ada, bob
):
    client.force_login(facilitator)
    # htmx sends the whole form; the row names itself, and the others are left alone.
    response = client.post(
        _url(cohort, sessions[1]),
        {"row": ada.pk, f"status-{ada.pk}": ABSENT, f"status-{bob.pk}": PRESENT},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()

    assert response.status_code == 200 and "<html" not in html
    # Out of band only: the row's note and the mark it now shows, not the row (whose marks are
    # the facilitator's, and whose next save waits its turn instead of racing this one).
    assert html.lstrip().startswith(f'<span id="att-note-{ada.pk}"')
    assert f'<li id="att-{ada.pk}"' not in html and "HX-Reswap" not in response.headers
    assert f'name="shown-{ada.pk}" value="absent"' in html and "Saved" in html
    assert 'id="att-summary" class="att-summary" hx-swap-oob="true"' in html
    assert "Saved: Ada Lovelace, absent." in html
    assert list(_mark(sessions[1], ada)) == [ABSENT] and not _mark(sessions[1], bob).exists()


def test_htmx_shows_a_bad_mark_in_the_row_and_keeps_the_old_one(
    client, cohort, facilitator, sessions, ada
):
    _record(facilitator, sessions[1], ada, PRESENT)
    client.force_login(facilitator)
    response = client.post(
        _url(cohort, sessions[1]),
        {"row": ada.pk, f"status-{ada.pk}": "late"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Not saved: Choose present, absent or excused." in html
    # The whole row comes back, to show the mark that is saved.
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith(f'<li id="att-{ada.pk}"') and 'value="present" checked' in html
    assert list(_mark(sessions[1], ada)) == [PRESENT]


def test_htmx_for_a_fellow_of_another_cohort_is_refused(
    client, cohort, course, facilitator, sessions
):
    stranger = enrol(CohortFactory(course=course.course), "Stranger")
    client.force_login(facilitator)
    response = client.post(
        _url(cohort, sessions[1]),
        {"row": stranger.pk, f"status-{stranger.pk}": PRESENT},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


# --- Where the marks show -----------------------------------------------------------------------


def _row(cohort, user):
    dashboard = cohort_dashboard(cohort=cohort)
    return next(r for r in dashboard.rows + dashboard.others if r.user.pk == user.pk)


def test_the_cohort_page_sums_up_the_last_session_and_links_to_its_register(
    client, cohort, facilitator, sessions, ada, bob
):
    _record(facilitator, sessions[1], ada, ABSENT)
    client.force_login(facilitator)
    html = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()

    assert "0 present · 1 absent · 0 excused · 1 not recorded" in html
    assert f'href="{_url(cohort, sessions[1])}">Take attendance' in html


def test_before_the_first_session_the_cohort_page_says_none_was_held(
    client, cohort, facilitator, sessions, ada
):
    client.force_login(facilitator)
    with time_machine.travel(at(2026, 3, 1, 12), tick=False):
        html = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    assert "No session has been held yet." in html and "Take attendance" not in html


def test_the_grid_shows_sessions_attended_of_those_recorded_and_the_last_mark(
    client, cohort, facilitator, sessions, ada, bob
):
    _record(facilitator, sessions[0], ada, PRESENT)
    _record(facilitator, sessions[1], ada, ABSENT)
    client.force_login(facilitator)
    html = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()

    ada_row = html.split(f"/fellows/{ada.pk}/")[1].split("</tr>")[0]
    bob_row = html.split(f"/fellows/{bob.pk}/")[1].split("</tr>")[0]
    assert '<td class="fac-none">1 of 2 attended<small>Last: absent</small></td>' in ada_row
    assert '<td class="fac-muted">Not recorded</td>' in bob_row


def test_missing_the_last_session_is_an_at_risk_reason(cohort, facilitator, sessions, ada):
    _record(facilitator, sessions[1], ada, ABSENT)
    assert "Missed the last session (week 2)" in _row(cohort, ada).at_risk_reasons


@pytest.mark.parametrize("mark", [EXCUSED, PRESENT, None])
def test_an_excused_present_or_unrecorded_last_session_is_no_reason(
    cohort, facilitator, sessions, ada, mark
):
    _record(facilitator, sessions[0], ada, ABSENT)  # an earlier session does not count
    if mark:
        _record(facilitator, sessions[1], ada, mark)
    assert not [r for r in _row(cohort, ada).at_risk_reasons if "Missed" in r]


def test_the_reason_follows_the_last_session_as_time_passes(cohort, facilitator, sessions, ada):
    _record(facilitator, sessions[1], ada, ABSENT)
    with time_machine.travel(at(2026, 3, 16, 18), tick=False):  # week 3's session starts
        reasons = _row(cohort, ada).at_risk_reasons
    assert not [r for r in reasons if "Missed" in r]


def test_the_csv_has_a_mark_per_week_and_the_sessions_attended(
    client, cohort, facilitator, sessions, ada, bob
):
    _record(facilitator, sessions[0], ada, PRESENT)
    _record(facilitator, sessions[1], ada, EXCUSED)
    client.force_login(facilitator)
    response = client.get(reverse("cohort_export_csv", args=[cohort.pk]))
    rows = {
        r["fellow"]: r
        for r in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }

    ada_row, bob_row = rows["Ada Lovelace"], rows["Bob Babbage"]
    assert (ada_row["week_1_attendance"], ada_row["week_2_attendance"]) == (PRESENT, EXCUSED)
    assert ada_row["week_3_attendance"] == ""
    assert (ada_row["sessions_attended"], ada_row["sessions_recorded"]) == ("1", "2")
    assert (bob_row["week_1_attendance"], bob_row["sessions_attended"]) == ("", "0")


def test_the_fellow_page_lists_the_mark_of_each_session_held(
    client, cohort, facilitator, sessions, ada
):
    _record(facilitator, sessions[0], ada, PRESENT)
    _record(facilitator, sessions[1], ada, ABSENT)
    client.force_login(facilitator)
    html = client.get(reverse("cohort_fellow_detail", args=[cohort.pk, ada.pk])).content.decode()

    assert "1 of 2 recorded sessions attended." in html
    assert '<span class="badge badge-ok">Present</span>' in html
    assert '<span class="badge badge-danger">Absent</span>' in html
    assert "Week 3, " not in html.split('id="attendance-title"')[1].split("</ul>")[0]


def test_a_fellow_reads_only_their_own_marks_in_that_cohort(
    cohort, course, facilitator, sessions, ada, bob
):
    _record(facilitator, sessions[0], ada, PRESENT)
    _record(facilitator, sessions[1], ada, ABSENT)
    _record(facilitator, sessions[1], bob, PRESENT)
    other = CohortFactory(course=course.course)
    EnrollmentFactory(cohort=other, user=ada, role=Enrollment.Role.FELLOW)
    Attendance.objects.create(session=other.sessions.first(), user=ada, status=EXCUSED)

    assert attendance_for_fellow(user=ada, cohort=cohort) == {
        sessions[0].pk: PRESENT,
        sessions[1].pk: ABSENT,
    }


# --- Query counts, demo -------------------------------------------------------------------------


def _big_cohort(course_units: int, fellows: int):
    from tests.courseapp.weeks import course_with_units

    course, _ = course_with_units(units=course_units)
    cohort = CohortFactory(course=course, start_date=at(2026, 1, 5).date())
    facilitator = facilitator_of(cohort)
    users = [enrol(cohort, f"Fellow {n:02}") for n in range(fellows)]
    statuses = [PRESENT, ABSENT, EXCUSED]
    Attendance.objects.bulk_create(
        Attendance(session=s, user=u, status=statuses[(n + s.pk) % 3])
        for s in cohort.sessions.all()
        if s.starts_at <= NOW
        for n, u in enumerate(users)
    )
    return cohort, facilitator


@pytest.mark.parametrize("fellows", [3, 30])
def test_attendance_keeps_the_pages_query_counts_fixed_whatever_the_size(
    client, fellows, django_assert_max_num_queries
):
    cohort, facilitator = _big_cohort(8, fellows)
    client.force_login(facilitator)
    session = cohort.sessions.order_by("starts_at").first()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("cohort_detail", args=[cohort.pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("cohort_export_csv", args=[cohort.pk]))
    with django_assert_max_num_queries(5):
        register = client.get(_url(cohort, session))

    dashboard = page.context["dashboard"]
    assert len(dashboard.rows) == fellows and all(c.held for c in dashboard.columns)
    assert sum(r.sessions_recorded for r in dashboard.rows) == fellows * 8
    assert register.content.decode().count('type="radio"') == 3 * fellows


def test_the_demo_marks_past_sessions_once_with_one_fellow_missing_the_last(course):
    cohort = CohortFactory(course=course.course, name="Cohort A", start_date=at(2026, 3, 2).date())
    facilitator = facilitator_of(cohort, email="facilitator.a@example.org")
    fellows = [UserFactory(email=email) for email in FELLOWS["A"]]
    for user in fellows:
        EnrollmentFactory(cohort=cohort, user=user, role=Enrollment.Role.FELLOW)

    assert seed_attendance(course.course) == ["Cohort A: 6 attendance marks"]
    assert seed_attendance(course.course) == []

    held = list(cohort.sessions.order_by("starts_at")[:2])  # 2 and 9 March
    absent = Attendance.objects.filter(status=ABSENT)
    assert [(a.user, a.session) for a in absent] == [(fellows[-1], held[-1])]
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {facilitator.pk}


def test_staff_find_marks_in_the_admin_by_status(client, staff, facilitator, sessions, ada, bob):
    _record(facilitator, sessions[1], ada, ABSENT)
    _record(facilitator, sessions[1], bob, PRESENT)
    client.force_login(staff)

    html = client.get("/admin/courseapp/attendance/?status__exact=absent").content.decode()

    assert "Ada Lovelace" in html and "Bob Babbage" not in html
    assert "Fran Facilitator" in html  # recorded by
