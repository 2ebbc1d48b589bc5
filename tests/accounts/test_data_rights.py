"""Data rights: a fellow downloads their data and deletes their account; an admin does the same
on request; every such action is in the audit log."""

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, NotificationPreferences, User
from accounts.services import email_hash, user_retire
from courseapp.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Enrollment,
    Invitation,
    ReadingFeedback,
    ReadingLinkReport,
    ReadingProgress,
    Reminder,
    UnitFeedback,
)
from courseapp.reminders.services import reminders_sweep
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import PASSWORD, UserFactory
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

EMAIL = "ada@example.org"
NAMED_TEXT = "The Hubinger reading finally made mesa-optimisers click for me"
ANON_TEXT = "Secretly, the pace was far too fast"
READING_COMMENT = "Skip section three"


@pytest.fixture
def world(db):
    """A self-paced cohort of two units; Ada, a fellow with data of every kind; another fellow
    with data of their own; and a facilitator."""
    course, units = course_with_units(units=2)
    cohort = weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED)
    ada = fellow_in(cohort, email=EMAIL, display_name="Ada Lovelace", timezone="Europe/London")
    other = fellow_in(cohort, display_name="Grace Hopper")
    facilitator = facilitator_of(cohort)
    quiz = QuizFactory(unit=units[0])
    question = question_with_choices(quiz)
    for person in (ada, other):
        _give_data(person, units, quiz, question, cohort)
    NotificationPreferences.objects.create(user=ada, nudge=False)
    Invitation.objects.create(
        cohort=cohort,
        email=EMAIL,
        token="t-ada",
        expires_at=timezone.now() + dt.timedelta(days=3),
        accepted_at=timezone.now(),
        accepted_by=ada,
    )
    return {"cohort": cohort, "units": units, "ada": ada, "other": other, "fac": facilitator}


def _give_data(person, units, quiz, question, cohort) -> None:
    readings = list(units[0].readings.order_by("tier", "position"))
    for reading in readings[:2]:
        ReadingProgress.objects.create(user=person, reading=reading)
    attempt = quiz_services.attempt_start(quiz=quiz, user=person)
    pick = quiz_services.Pick(choice_ids=choice_ids(question, 0))
    quiz_services.attempt_submit(attempt=attempt, picks={question.pk: pick})
    UnitFeedback.objects.create(
        user=person, unit=units[0], cohort=cohort, rating=4, what_worked=NAMED_TEXT
    )
    UnitFeedback.objects.create(
        user=person,
        unit=units[1],
        cohort=cohort,
        rating=2,
        what_to_change=ANON_TEXT,
        anonymous=True,
    )
    ReadingFeedback.objects.create(
        user=person, reading=readings[0], useful=False, comment=READING_COMMENT
    )
    ReadingLinkReport.objects.create(user=person, reading=readings[1])
    session = cohort.sessions.order_by("starts_at").first()
    Attendance.objects.create(session=session, user=person, status=Attendance.Status.EXCUSED)
    CalendarFeed.objects.create(user=person)
    Reminder.objects.create(
        recipient=person,
        kind=Reminder.Kind.INACTIVE,
        cohort=cohort,
        key=f"{person.pk}:inactive:test",
        payload={"unit_title": "Week 1 topic"},
        status=Reminder.Status.SENT,
        sent_at=timezone.now(),
    )


def _export(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("account_data_export"))
    assert response.status_code == 200
    return json.loads(response.content)


# --- Export -------------------------------------------------------------------------------------


def test_it_downloads_everything_the_fellow_owns_as_one_json_file(client, world):
    ada = world["ada"]
    client.force_login(ada)

    response = client.get(reverse("account_data_export"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="fellowship-data-')
    assert "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == EMAIL
    assert data["profile"]["display_name"] == "Ada Lovelace"
    assert data["profile"]["email_addresses"] == [
        {"email": EMAIL, "primary": True, "verified": True}
    ]
    assert [e["cohort"] for e in data["enrollments"]] == [world["cohort"].name]
    assert len(data["reading_progress"]) == 2
    [attempt] = data["quiz_attempts"]
    assert attempt["passed"] is True and attempt["score_percent"] == 100
    [answer] = attempt["answers"]
    assert answer["is_correct"] is True and len(answer["selected"]) == 1
    assert answer["question"].startswith("Question prompt")
    # Anonymous to others, not to its author.
    by_text = {f["what_worked"] or f["what_to_change"]: f for f in data["unit_feedback"]}
    assert by_text[NAMED_TEXT]["anonymous"] is False
    assert by_text[ANON_TEXT]["anonymous"] is True
    assert data["reading_feedback"][0]["comment"] == READING_COMMENT
    [report] = data["broken_link_reports"]
    assert report["reading_id"] == world["units"][0].readings.order_by("tier", "position")[1].pk
    assert data["notification_preferences"]["nudge"] is False
    assert data["notification_preferences"]["before_session"] is True
    assert data["reminders"][0]["payload"] == {"unit_title": "Week 1 topic"}
    assert data["invitations"][0]["cohort"] == world["cohort"].name
    [mark] = data["attendance"]
    assert (mark["cohort"], mark["week"], mark["status"]) == (world["cohort"].name, 1, "excused")
    assert data["calendar_feed"]["created_at"]


def test_it_exports_only_the_signed_in_persons_data_and_no_secrets(client, world):
    Authenticator.objects.create(user=world["ada"], type="totp", data={"secret": "KEEPSECRET"})

    raw = json.dumps(_export(client, world["ada"]))

    assert "Grace Hopper" not in raw
    assert world["other"].email not in raw
    assert "KEEPSECRET" not in raw
    assert world["ada"].calendar_feed.token not in raw
    assert world["ada"].password not in raw
    assert '"type": "totp"' in raw


def test_it_exports_with_the_same_queries_whatever_the_amount_of_data(client, world):
    ada, units = world["ada"], world["units"]
    client.force_login(ada)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("account_data_export"))
    readings = list(units[1].readings.all())
    ReadingProgress.objects.bulk_create(ReadingProgress(user=ada, reading=r) for r in readings)
    quiz = QuizFactory(unit=units[1])
    questions = [question_with_choices(quiz) for _ in range(5)]
    attempt = quiz_services.attempt_start(quiz=quiz, user=ada)
    quiz_services.attempt_submit(attempt=attempt)

    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("account_data_export"))

    assert len(json.loads(response.content)["quiz_attempts"][1]["answers"]) == len(questions)
    # The user, the export's 15 reads (one per kind of record) and the audit insert (the session
    # comes from the cache).
    assert len(big) == len(small) == 17


def test_each_export_is_written_to_the_audit_log(client, world):
    _export(client, world["ada"])

    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.EXPORT
    assert event.actor == world["ada"]
    assert event.subject_hash == email_hash(EMAIL)
    assert EMAIL not in json.dumps(event.details)


@pytest.mark.parametrize("name", ["account_data", "account_data_export", "account_delete"])
def test_it_sends_anonymous_visitors_to_sign_in(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_data_page_offers_the_download_and_the_deletion(client, world):
    client.force_login(world["ada"])

    response = client.get(reverse("account_data"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("account_data_export")}" download' in page
    assert f'href="{reverse("account_delete")}"' in page
    # And the user menu on every page links to it.
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("account_data")}">Your data</a>' in home


def test_the_export_refuses_post(client, world):
    client.force_login(world["ada"])

    assert client.post(reverse("account_data_export")).status_code == 405


# --- Deletion by the fellow ---------------------------------------------------------------------


def test_the_deletion_page_warns_and_asks_for_the_password(client, world):
    client.force_login(world["ada"])

    page = client.get(reverse("account_delete")).content.decode()

    assert "This cannot be undone." in page
    assert 'type="password"' in page and "Your password" in page


def test_a_wrong_password_deletes_nothing(client, world):
    client.force_login(world["ada"])

    response = client.post(reverse("account_delete"), {"confirm": "not-my-password"})

    assert response.status_code == 200
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    ada = User.objects.get(pk=world["ada"].pk)
    assert ada.email == EMAIL and ada.is_active and ada.retired_at is None
    assert not AuditEvent.objects.exists()


def test_deletion_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["ada"])

    response = client.post(reverse("account_delete"), {"confirm": PASSWORD})

    assert response.status_code == 403
    assert User.objects.get(pk=world["ada"].pk).retired_at is None


def test_deletion_removes_personal_data_and_keeps_aggregates(client, world):
    ada = world["ada"]
    client.force_login(ada)

    response = client.post(reverse("account_delete"), {"confirm": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    ada.refresh_from_db()
    assert ada.email.startswith("deleted-") and ada.email.endswith("@invalid")
    assert (ada.display_name, ada.timezone, ada.is_active) == ("", "", False)
    assert not ada.has_usable_password()
    assert ada.retired_at is not None and ada.name == str(ada) == "Deleted fellow"
    assert not EmailAddress.objects.filter(user=ada).exists()
    assert not NotificationPreferences.objects.filter(user=ada).exists()
    assert not CalendarFeed.objects.filter(user=ada).exists()
    assert Attendance.objects.filter(user=ada).count() == 1
    assert not Invitation.objects.filter(email__iexact=EMAIL).exists()
    assert not Reminder.objects.filter(recipient=ada).exclude(payload={}).exists()
    # Aggregates stay, attached to the retired account.
    assert ReadingProgress.objects.filter(user=ada).count() == 2
    assert Attempt.objects.filter(user=ada, passed=True).count() == 1
    assert Answer.objects.filter(attempt__user=ada).count() == 1
    assert ReadingFeedback.objects.get(user=ada).useful is False
    assert Enrollment.objects.get(user=ada).status == Enrollment.Status.DROPPED


def test_deletion_keeps_anonymous_feedback_and_anonymises_named_feedback(client, world):
    ada, units = world["ada"], world["units"]
    client.force_login(ada)

    client.post(reverse("account_delete"), {"confirm": PASSWORD})

    named = UnitFeedback.objects.get(user=ada, unit=units[0])
    assert (named.rating, named.anonymous, named.what_worked) == (4, True, "")
    anonymous = UnitFeedback.objects.get(user=ada, unit=units[1])
    assert (anonymous.rating, anonymous.what_to_change) == (2, ANON_TEXT)
    assert ReadingFeedback.objects.get(user=ada).comment == ""
    # The other fellow's words are untouched.
    assert UnitFeedback.objects.get(user=world["other"], unit=units[0]).what_worked == NAMED_TEXT
    assert ReadingFeedback.objects.get(user=world["other"]).comment == READING_COMMENT


def test_deletion_signs_out_every_session_and_sign_in_is_impossible(client, world):
    ada = world["ada"]
    elsewhere = Client()
    elsewhere.force_login(ada)
    client.force_login(ada)

    client.post(reverse("account_delete"), {"confirm": PASSWORD})

    for browser in (client, elsewhere):
        response = browser.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Client().login(email=EMAIL, password=PASSWORD)
    response = Client().post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_deletion_is_written_to_the_audit_log_without_the_address(client, world):
    client.force_login(world["ada"])

    client.post(reverse("account_delete"), {"confirm": PASSWORD})

    event = AuditEvent.objects.get(action=AuditEvent.Action.RETIRE)
    assert event.actor is None and event.details["by"] == "self"
    assert event.subject_hash == email_hash(EMAIL)
    assert event.details["named_unit_feedback_anonymised"] == 1
    assert event.details["reading_comments_removed"] == 1


def test_the_placeholder_address_is_random_and_not_derived_from_the_old_address(world):
    first = world["ada"]
    user_retire(user=first, actor=first)
    again = UserFactory(email=EMAIL)
    user_retire(user=again, actor=again)

    placeholders = [User.objects.get(pk=u.pk).email for u in (first, again)]

    assert placeholders[0] != placeholders[1]
    digest = email_hash(EMAIL)
    for placeholder in placeholders:
        token = placeholder.removeprefix("deleted-").removesuffix("@invalid")
        assert len(token) >= 24 and token not in digest and digest[:8] not in placeholder


def test_searching_the_audit_log_for_the_address_does_not_lead_to_the_retired_account(
    client, world, staff
):
    ada = world["ada"]
    _export(client, ada)
    client.post(reverse("account_delete"), {"confirm": PASSWORD})
    ada.refresh_from_db()
    client.force_login(staff)

    found = client.get(reverse("admin:accounts_auditevent_changelist"), {"q": EMAIL})

    events = AuditEvent.objects.filter(subject_hash=email_hash(EMAIL))
    assert sorted(e.action for e in events) == ["export", "retire"]
    assert all(e.actor is None and e.details["by"] == "self" for e in events)
    account = reverse("admin:accounts_user_change", args=[ada.pk])
    pages = [found] + [
        client.get(reverse("admin:accounts_auditevent_change", args=[e.pk])) for e in events
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert email_hash(EMAIL) in body
        assert ada.email not in body and account not in body


def test_a_retired_admin_stays_the_actor_of_what_they_did_about_others(client, world, staff):
    client.force_login(staff)
    _action(client, "export_data", [world["ada"]])

    user_retire(user=staff, actor=None)

    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.actor == staff and export.subject_hash == email_hash(EMAIL)


def test_an_account_without_a_password_is_deleted_by_typing_its_email(client, db):
    person = UserFactory(email="coder@example.org")
    person.set_unusable_password()
    person.save()
    client.force_login(person)
    assert "Type your email address" in client.get(reverse("account_delete")).content.decode()

    wrong = client.post(reverse("account_delete"), {"confirm": "someone@example.org"})
    assert "That is not your email address" in wrong.content.decode()
    assert User.objects.get(pk=person.pk).retired_at is None

    client.post(reverse("account_delete"), {"confirm": " Coder@Example.org "})
    assert User.objects.get(pk=person.pk).retired_at is not None


def test_deleting_an_already_deleted_account_is_refused(world):
    user_retire(user=world["ada"], actor=world["ada"])

    with pytest.raises(ValidationError, match="already deleted"):
        user_retire(user=world["ada"], actor=None)
    assert AuditEvent.objects.count() == 1


# --- What others see afterwards -----------------------------------------------------------------


def test_facilitator_pages_and_exports_no_longer_show_the_name_or_email(client, world):
    cohort, ada = world["cohort"], world["ada"]
    client.force_login(world["fac"])
    pages = [
        reverse("cohort_detail", args=[cohort.pk]),
        reverse("cohort_export_csv", args=[cohort.pk]),
        reverse("cohort_fellow_detail", args=[cohort.pk, ada.pk]),
        reverse("cohort_unit_feedback", args=[cohort.pk, world["units"][0].pk]),
    ]
    before = [b"".join(client.get(url)) for url in pages]
    assert all(b"Ada Lovelace" in body for body in before[:3])
    assert EMAIL.encode() in before[1]

    user_retire(user=ada, actor=ada)

    for url in pages:
        response = client.get(url)
        body = b"".join(response).decode()
        assert response.status_code == 200, url
        assert "Ada Lovelace" not in body and EMAIL not in body and "@invalid" not in body
    fellow_page = b"".join(client.get(pages[2])).decode()
    assert "Deleted fellow" in fellow_page
    feedback_page = b"".join(client.get(pages[3])).decode()
    assert NAMED_TEXT in feedback_page  # Grace's answer, same words
    assert feedback_page.count(NAMED_TEXT) == 1


def test_the_reminder_sweep_skips_a_deleted_fellow(time_machine, db):
    time_machine.move_to(dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC), tick=False)
    course, _ = course_with_units(units=2)
    cohort = Cohort.objects.create(
        course=course,
        name="Thursday",
        start_date=dt.date(2025, 3, 6),
        session_time=dt.time(17, 0),
    )
    ada, grace = fellow_in(cohort, email=EMAIL), fellow_in(cohort)
    user_retire(user=ada, actor=None)
    time_machine.move_to(dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC), tick=False)

    reminders_sweep()

    assert Reminder.objects.filter(recipient=grace).exists()
    assert not Reminder.objects.filter(recipient=ada).exists()


# --- The admin, on request ----------------------------------------------------------------------


def _action(client, action: str, users, follow: bool = False, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [u.pk for u in users], **extra}
    return client.post(reverse("admin:accounts_user_changelist"), data, follow=follow)


def test_an_admin_exports_one_persons_data_on_request(client, world, staff):
    client.force_login(staff)

    response = _action(client, "export_data", [world["ada"]])

    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["profile"]["email"] == EMAIL
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (staff, AuditEvent.Action.EXPORT)
    assert event.subject_hash == email_hash(EMAIL)


def test_an_admin_export_of_several_people_is_refused(client, world, staff):
    client.force_login(staff)

    response = _action(client, "export_data", [world["ada"], world["other"]], follow=True)

    assert "Choose exactly one person to export." in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_an_admin_retires_a_person_after_confirming(client, world, staff):
    client.force_login(staff)

    asked = _action(client, "retire", [world["ada"], staff])
    page = asked.content.decode()
    assert asked.status_code == 200 and EMAIL in page
    assert "1 of the selected accounts are left out" in page
    assert User.objects.get(pk=world["ada"].pk).retired_at is None

    done = _action(client, "retire", [world["ada"]], confirm="yes")

    assert done.status_code == 302
    assert User.objects.get(pk=world["ada"].pk).retired_at is not None
    assert User.objects.get(pk=staff.pk).retired_at is None
    event = AuditEvent.objects.get()
    assert (event.actor, event.details["by"]) == (staff, "admin")


def test_the_audit_log_is_read_only_and_searchable_by_email(client, world, staff):
    user_retire(user=world["ada"], actor=staff)
    event = AuditEvent.objects.get()
    client.force_login(staff)
    changelist = reverse("admin:accounts_auditevent_changelist")

    found = client.get(changelist, {"q": EMAIL.upper()}).content.decode()
    missed = client.get(changelist, {"q": "someone@example.org"}).content.decode()

    assert event.subject_hash in found and event.subject_hash not in missed
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    change = client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]), {})
    assert change.status_code == 403
    delete = client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {})
    assert delete.status_code == 403
    assert AuditEvent.objects.count() == 1
