import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courseapp.models import Reading
from tests.factories import ReadingFactory, ReadingProgressFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/courseapp/reading/import-chapter/"
SAMPLE = (Path(__file__).parents[1] / "fixtures" / "chapter-sample.md").read_bytes()


@pytest.fixture
def editor():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="courseapp", codename__in=["add_reading", "change_reading"]
        )
    )
    return user


@pytest.fixture
def unit():
    return UnitFactory(week=3, title="Inner alignment")


def upload(client, unit, raw=SAMPLE, tier=Reading.Tier.CORE):
    data = {"unit": unit.pk, "tier": tier, "file": SimpleUploadedFile("chapter.md", raw)}
    return client.post(URL, data)


def token_from(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_the_url_is_named_and_sits_under_the_admin():
    assert reverse("admin_import_chapter") == URL


def test_an_editor_sees_the_upload_form(client, editor, unit):
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content and "csrfmiddlewaretoken" in content
    assert "Week 3: Inner alignment" in content
    assert "Fellowship administration" in content


def test_an_editor_previews_the_metadata_and_sanitised_text_before_anything_is_saved(
    client, editor, unit
):
    client.force_login(editor)
    response = upload(client, unit)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Chapter 99 - Sample Chapter for Tests" in content
    assert "Test Writer, Second Author" in content and "Placeholder Lab" in content
    assert "17 May 2024" in content and "35 min" in content
    assert "add a new reading" in content
    assert '<h2 id="introduction">Introduction</h2>' in content
    assert "inline script" not in content and "tracker.example.org" not in content
    assert not Reading.objects.exists()


def test_applying_the_preview_imports_the_chapter_and_records_the_editor(client, editor, unit):
    client.force_login(editor)
    token = token_from(upload(client, unit, tier=Reading.Tier.RECOMMENDED))

    response = client.post(URL, {"token": token, "apply": "Import this chapter"})

    reading = Reading.objects.get()
    assert response.status_code == 302
    assert (reading.unit, reading.tier, reading.kind) == (
        unit,
        Reading.Tier.RECOMMENDED,
        Reading.Kind.CHAPTER,
    )
    assert reading.history.latest().history_user == editor
    follow = client.get(response["Location"])
    assert "Imported “Chapter 99 - Sample Chapter for Tests”" in follow.content.decode()


def test_the_preview_of_a_reimport_names_the_reading_and_keeps_progress_on_apply(
    client, editor, unit
):
    client.force_login(editor)
    client.post(URL, {"token": token_from(upload(client, unit)), "apply": "1"})
    reading = Reading.objects.get()
    ReadingProgressFactory.create_batch(2, reading=reading)

    preview = upload(client, unit, raw=SAMPLE.replace(b"placeholder chapter", b"revised chapter"))
    assert f"update reading #{reading.pk}" in preview.content.decode()
    assert "2 fellows marked it as read" in preview.content.decode()
    client.post(URL, {"token": token_from(preview), "apply": "1"})

    reading.refresh_from_db()
    assert Reading.objects.count() == 1 and "revised chapter" in reading.body
    assert reading.progress.count() == 2


def test_an_invalid_file_shows_the_error_and_writes_nothing(client, editor, unit):
    client.force_login(editor)
    response = upload(client, unit, raw=b"Just notes, no title.\n")

    assert response.status_code == 200
    assert "no title: a chapter starts with a" in response.content.decode()
    assert not Reading.objects.exists()


def test_a_file_that_is_not_utf8_shows_the_line_and_writes_nothing(client, editor, unit):
    client.force_login(editor)
    response = upload(client, unit, raw=b"# Title\n\n\xff\xfe\n")

    assert "Line 3: the file is not UTF-8" in response.content.decode()
    assert not Reading.objects.exists()


def test_a_tampered_token_is_refused_and_writes_nothing(client, editor, unit):
    client.force_login(editor)
    token = token_from(upload(client, unit))

    response = client.post(URL, {"token": token[:-3] + "abc", "apply": "1"})

    assert response.status_code == 400
    assert "The preview expired or was changed" in response.content.decode()
    assert not Reading.objects.exists()


def test_staff_without_the_reading_permissions_get_403(client, unit):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403
    assert upload(client, unit).status_code == 403
    assert not Reading.objects.exists()


def test_staff_with_only_the_add_permission_get_403(client, unit):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_reading"))
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_admin_login(client, unit):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert upload(client, unit).status_code == 302
    assert not Reading.objects.exists()


def test_a_fellow_is_refused_and_nothing_is_written(client, editor, unit):
    client.force_login(editor)
    token = token_from(upload(client, unit))
    client.force_login(UserFactory())

    assert client.get(URL)["Location"].startswith(reverse("admin:login"))
    response = client.post(URL, {"token": token, "apply": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Reading.objects.exists()


def test_the_form_and_the_preview_run_a_small_fixed_number_of_queries(
    client, editor, unit, django_assert_max_num_queries
):
    UnitFactory.create_batch(20)
    listed = ReadingFactory(unit=unit, title="Chapter 99 - Sample Chapter for Tests")
    ReadingProgressFactory.create_batch(3, reading=listed)
    client.force_login(editor)
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(7):
        assert "3 fellows marked it" in upload(client, unit).content.decode()


def test_the_reading_list_links_to_the_chapter_import(client, staff):
    client.force_login(staff)

    html = client.get(reverse("admin:courseapp_reading_changelist")).content.decode()

    assert reverse("admin_import_chapter") in html
