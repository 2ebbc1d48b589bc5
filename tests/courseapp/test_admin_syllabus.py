import base64
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courseapp.models import Reading, ReadingProgress, Unit
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply
from tests.courseapp.syllabus_samples import SEED
from tests.factories import (
    CourseFactory,
    LearningObjectiveFactory,
    ReadingFactory,
    ReadingProgressFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SLEEPER = "Sleeper Agents: Training Deceptive LLMs that Persist Through Safety Training"


@pytest.fixture
def editor():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="edit_syllabus"))
    return user


@pytest.fixture
def viewer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_course", "view_unit", "view_reading"])
    )
    return user


def upload_url(course) -> str:
    return reverse("admin:courseapp_course_syllabus_upload", args=[course.pk])


def upload(client, course, data: bytes, name: str = "week-03.txt"):
    return client.post(upload_url(course), {"file": SimpleUploadedFile(name, data, "text/plain")})


def apply(client, course, preview):
    fields = {"content": preview.context["content"], "fingerprint": preview.context["fingerprint"]}
    return client.post(upload_url(course), {**fields, "apply": "Apply these changes"})


def test_an_editor_previews_the_seed_then_applies_it(client, editor):
    course = CourseFactory()
    client.force_login(editor)

    preview = upload(client, course, SEED)

    assert preview.status_code == 200
    assert not Unit.objects.exists()
    plan = preview.context["plan"]
    assert plan.summary == "19 to add, 0 to change, 0 to archive, 0 to restore"
    assert b"Alignment faking in large language models" in preview.content
    response = apply(client, course, preview)
    assert response.status_code == 302
    assert Reading.objects.filter(unit__course=course).count() == 15
    assert Reading.history.filter(title=SLEEPER).get().history_user == editor


def test_a_malformed_file_lists_every_problem_and_changes_nothing(client, editor):
    course = CourseFactory()
    client.force_login(editor)
    broken = SEED.replace(b"(Cotra, 2021)", b"").replace(b"Further Readings\n", b"\xff\n")

    response = upload(client, course, broken)

    assert response.status_code == 200
    assert response.context.get("plan") is None
    messages = [str(issue) for issue in response.context["issues"]]
    assert "line 21: not valid UTF-8 (save the file as UTF-8)" in messages
    assert "line 1: week 3 has no 'Further Readings' section" in messages
    assert b"line 22: reading has no attribution" in response.content
    assert not Unit.objects.exists()


def test_a_damaged_preview_or_a_missing_file_is_refused_with_a_message(client, editor):
    course = CourseFactory()
    client.force_login(editor)

    missing = client.post(upload_url(course), {})
    damaged = client.post(upload_url(course), {"content": "%%%", "apply": "1"})

    assert b"Choose a syllabus file to upload." in missing.content
    assert b"The previewed file was damaged" in damaged.content
    assert not Unit.objects.exists()


def test_applying_a_stale_preview_shows_the_new_preview_instead(client, editor):
    course = CourseFactory()
    client.force_login(editor)
    preview = upload(client, course, SEED)
    syllabus_apply(course=course, document=parse_syllabus(SEED))
    Reading.objects.filter(title=SLEEPER).update(title="Renamed meanwhile")

    response = apply(client, course, preview)

    assert response.status_code == 200
    assert response.context["stale"] is True
    assert Reading.objects.filter(title="Renamed meanwhile").exists()


def test_staff_without_the_editor_permission_cannot_upload_or_edit(client, viewer):
    course = CourseFactory()
    reading = ReadingFactory(unit=UnitFactory(course=course))
    client.force_login(viewer)

    assert client.get(upload_url(course)).status_code == 403
    assert upload(client, course, SEED).status_code == 403
    change = reverse("admin:courseapp_reading_change", args=[reading.pk])
    response = client.post(change, {"title": "Changed"})
    assert response.status_code == 403
    assert client.get(change).status_code == 200
    assert not Unit.objects.filter(week=3).exists()


def test_anonymous_people_are_sent_to_log_in(client):
    course = CourseFactory()

    response = client.get(upload_url(course))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_export_link_downloads_the_syllabus(client, viewer):
    course = CourseFactory(slug="safety")
    syllabus_apply(course=course, document=parse_syllabus(SEED))
    client.force_login(viewer)

    response = client.get(reverse("admin:courseapp_course_syllabus_export", args=[course.pk]))

    assert response.content == SEED
    assert response["Content-Disposition"] == 'attachment; filename="safety.txt"'


def test_editing_minutes_in_the_admin_marks_them_as_set_by_hand(client, editor):
    reading = ReadingFactory(kind="paper", minutes=40, minutes_estimated=True)
    client.force_login(editor)
    form = reading_form(reading, minutes=55)

    client.post(reverse("admin:courseapp_reading_change", args=[reading.pk]), form)

    reading.refresh_from_db()
    assert (reading.minutes, reading.minutes_estimated) == (55, False)
    assert reading.history.first().history_user == editor


def reading_form(reading: Reading, **changes) -> dict:
    values = {
        "unit": reading.unit_id,
        "tier": reading.tier,
        "position": reading.position,
        "title": reading.title,
        "authors": reading.authors,
        "year": reading.year,
        "url": reading.url,
        "kind": reading.kind,
        "minutes": reading.minutes,
        "minutes_estimated": "on" if reading.minutes_estimated else "",
        "note": reading.note,
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value != ""}


def test_deleting_a_reading_fellows_marked_archives_it_and_says_so(client, editor):
    reading = ReadingFactory()
    ReadingProgressFactory(reading=reading)
    client.force_login(editor)
    url = reverse("admin:courseapp_reading_delete", args=[reading.pk])

    confirm = client.get(url)
    response = client.post(url, follow=True)

    assert b"cannot be deleted without losing their work" in confirm.content
    reading.refresh_from_db()
    assert reading.archived_at is not None
    assert ReadingProgress.objects.filter(reading=reading).exists()
    assert "was archived, not deleted" in str(list(response.context["messages"])[0])


def test_deleting_an_untouched_reading_really_deletes_it(client, editor):
    reading = ReadingFactory()
    client.force_login(editor)

    client.post(reverse("admin:courseapp_reading_delete", args=[reading.pk]), {"post": "yes"})

    assert not Reading.objects.filter(pk=reading.pk).exists()


def test_deleting_a_unit_with_progress_archives_the_unit(client, editor):
    reading = ReadingFactory()
    ReadingProgressFactory(reading=reading)
    client.force_login(editor)

    client.post(reverse("admin:courseapp_unit_delete", args=[reading.unit.pk]))

    assert Unit.objects.get(pk=reading.unit.pk).archived_at is not None


def test_the_archive_and_unarchive_actions(client, editor):
    readings = ReadingFactory.create_batch(2)
    client.force_login(editor)
    changelist = reverse("admin:courseapp_reading_changelist")
    selected = [reading.pk for reading in readings]

    client.post(changelist, {"action": "archive_selected", "_selected_action": selected})
    archived = Reading.objects.exclude(archived_at=None).count()
    client.post(changelist, {"action": "unarchive_selected", "_selected_action": selected[:1]})

    assert archived == 2
    assert Reading.objects.live().count() == 1


def test_bringing_back_a_unit_onto_a_taken_week_is_refused(client, editor):
    live = UnitFactory(week=4)
    old = UnitFactory(course=live.course, week=4, archived_at="2026-01-01T00:00Z")
    client.force_login(editor)

    response = client.post(
        reverse("admin:courseapp_unit_changelist"),
        {"action": "unarchive_selected", "_selected_action": [old.pk]},
        follow=True,
    )

    old.refresh_from_db()
    assert old.archived_at is not None
    assert "Not brought back" in str(list(response.context["messages"])[-1])


def test_the_unit_change_page_runs_a_fixed_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    unit = UnitFactory()
    LearningObjectiveFactory.create_batch(4, unit=unit)
    ReadingFactory.create_batch(15, unit=unit)
    client.force_login(editor)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("admin:courseapp_unit_change", args=[unit.pk]))

    assert response.status_code == 200
    assert response.content.count(b'name="readings-') >= 15 * 8
    assert f'href="/units/{unit.pk}/"'.encode() in response.content


def test_the_course_change_page_runs_a_fixed_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    course = CourseFactory()
    ReadingFactory.create_batch(15, unit=UnitFactory(course=course))
    client.force_login(editor)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("admin:courseapp_course_change", args=[course.pk]))

    assert response.status_code == 200
    assert upload_url(course).encode() in response.content


def test_history_of_a_reading_is_visible_in_the_admin(client, editor):
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(SEED), user=editor)
    reading = Reading.objects.get(title=SLEEPER)
    client.force_login(editor)
    client.post(
        reverse("admin:courseapp_reading_change", args=[reading.pk]),
        reading_form(reading, title="Sleeper Agents (renamed)"),
    )

    response = client.get(reverse("admin:courseapp_reading_history", args=[reading.pk]))

    assert response.status_code == 200
    assert editor.email.encode() in response.content or str(editor).encode() in response.content
    assert b"Sleeper Agents (renamed)" in response.content


def test_the_whole_story_upload_edit_export_keeps_a_fellows_progress(client, editor):
    """Done when: upload the seed, preview, apply, edit a reading, export: just that edit."""
    course = CourseFactory()
    fellow = UserFactory()
    client.force_login(editor)
    apply(client, course, upload(client, course, SEED))
    marked = list(Reading.objects.filter(tier=Reading.Tier.CORE))
    for reading in marked:
        ReadingProgressFactory(user=fellow, reading=reading)
    sleeper = Reading.objects.get(title=SLEEPER)

    client.post(
        reverse("admin:courseapp_reading_change", args=[sleeper.pk]),
        reading_form(sleeper, title="Sleeper Agents: Deceptive LLMs that Persist"),
    )
    exported = client.get(reverse("admin:courseapp_course_syllabus_export", args=[course.pk]))
    reuploaded = upload(client, course, exported.content)
    apply(client, course, reuploaded)

    assert exported.content == SEED.replace(
        b"Sleeper Agents: Training Deceptive LLMs that Persist Through Safety Training",
        b"Sleeper Agents: Deceptive LLMs that Persist",
    )
    assert not reuploaded.context["plan"]
    assert set(fellow.reading_progress.values_list("reading", flat=True)) == {
        reading.pk for reading in marked
    }
    assert Reading.objects.live().count() == 15
    assert io.BytesIO(base64.b64decode(reuploaded.context["content"])).read() == exported.content
