"""The link check against a web server the test starts: statuses, redirects, timeouts, HEAD
refused, the per-host limit and the User-Agent; and what the admin sees after one check."""

import pytest
from django.urls import reverse

from courseapp.celery import app
from courseapp.links import services, tasks
from courseapp.models import LinkStatus, Reading
from tests.factories import CourseFactory, ReadingFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_a_page_that_answers_200_is_ok(site):
    result = services.link_check_url(url=site.url("/ok"))
    assert (result.status, result.code, result.final_url) == ("ok", 200, site.url("/ok"))
    assert site.methods == [("HEAD", "/ok")]


def test_a_404_is_broken_with_its_code(site):
    result = services.link_check_url(url=site.url("/gone"))
    assert (result.status, result.code) == ("broken", 404)
    assert "404" in result.error


def test_redirects_are_followed_and_the_final_url_recorded(site):
    result = services.link_check_url(url=site.url("/moved"))
    assert (result.status, result.code, result.final_url) == ("redirected", 200, site.url("/ok"))


def test_a_server_refusing_head_is_asked_with_get(site):
    result = services.link_check_url(url=site.url("/no-head"))
    assert (result.status, result.code) == ("ok", 200)
    assert site.methods == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_a_server_that_does_not_answer_in_time_is_broken_and_not_asked_twice(site):
    result = services.link_check_url(url=site.url("/slow"))
    assert (result.status, result.code, result.error) == ("broken", None, "Timed out")
    assert site.methods == [("HEAD", "/slow")]


def test_a_host_that_refuses_connections_is_broken(site):
    site.server.server_close()  # the port is free again: nothing listens there
    result = services.link_check_url(url=site.url("/ok"))
    assert result.status == "broken"
    assert result.error


def test_the_checker_names_the_platform_and_where_it_runs(site, settings):
    settings.SITE_URL = "https://fellowship.example.org"
    services.link_check_url(url=site.url("/ok"))
    assert site.user_agents == [
        "FellowshipPlatform-LinkCheck/1.0 (+https://fellowship.example.org)"
    ]


def test_one_host_gets_at_most_the_per_host_limit_at_once(site, settings):
    settings.LINK_CHECK_PER_HOST, settings.LINK_CHECK_WORKERS = 2, 8
    urls = [site.url(f"/pause?n={n}") for n in range(6)] + [site.url("/pause?n=0")]
    results = services.links_check_urls(urls=urls)
    assert len(results) == 6  # the repeated URL is checked once
    assert all(r.status == "ok" for r in results.values())
    assert len(site.methods) == 6
    assert site.most_in_flight == 2


@pytest.fixture
def readings(site):
    unit = UnitFactory(course=CourseFactory(slug="alignment", title="Alignment"), week=2)
    make = lambda title, **kw: ReadingFactory(unit=unit, title=title, **kw)  # noqa: E731
    return {
        "ok": make("Fine paper", url=site.url("/ok")),
        "dead": make("Dead paper", url=site.url("/gone")),
        "moved": make("Moved paper", url=site.url("/moved")),
        "nolink": make("Paper without a link", url=""),
        "hosted": make("Hosted chapter", url="", body="<p>Text</p>", kind="chapter"),
    }


def test_one_check_records_every_readings_link_health(readings, site):
    tasks.links_check_task()
    got = {key: Reading.objects.get(pk=r.pk) for key, r in readings.items()}
    assert got["ok"].link_status == LinkStatus.OK
    assert (got["dead"].link_status, got["dead"].link_status_code) == ("broken", 404)
    assert got["moved"].link_status == LinkStatus.REDIRECTED
    assert got["moved"].link_final_url == site.url("/ok")
    assert got["nolink"].link_status == LinkStatus.MISSING
    assert got["hosted"].link_status == ""  # read in the app: no link needed
    assert all(got[k].link_checked_at for k in ("ok", "dead", "moved", "nolink"))


def test_the_check_leaves_the_readings_edit_history_alone(readings):
    before = Reading.history.count()
    tasks.links_check_task()
    assert Reading.history.count() == before


def test_a_dead_link_shows_as_broken_to_the_admin_after_one_check(readings, client, staff):
    tasks.links_check_task()
    client.force_login(staff)
    page = client.get(reverse("course_report_links", args=["alignment"])).content.decode()
    assert "Dead paper" in page and "HTTP 404" in page
    assert "Paper without a link" in page and "No link" in page
    assert "Fine paper" not in page and "Moved paper" not in page and "Hosted chapter" not in page

    listed = client.get(reverse("admin:courseapp_reading_changelist") + "?link=broken")
    assert [r.title for r in listed.context["cl"].result_list] == ["Dead paper"]
    missing = client.get(reverse("admin:courseapp_reading_changelist") + "?link=missing")
    assert [r.title for r in missing.context["cl"].result_list] == ["Paper without a link"]
    change = client.get(reverse("admin:courseapp_reading_change", args=[readings["dead"].pk]))
    assert "Broken · HTTP 404" in change.content.decode()


def test_the_admin_list_filters_not_yet_checked_links(readings, client, staff):
    client.force_login(staff)
    listed = client.get(reverse("admin:courseapp_reading_changelist") + "?link=unchecked")
    assert len(listed.context["cl"].result_list) == len(readings)


@pytest.fixture
def eager_tasks():
    """The queued check runs in this process, as on the embedded default, whatever broker the
    suite has."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def test_check_links_now_checks_the_selected_readings(
    readings, client, staff, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    chosen = [readings["dead"].pk, readings["ok"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:courseapp_reading_changelist"),
            {"action": "check_links_now", "_selected_action": chosen},
            follow=True,
        )
    assert "Checking 2 reading link(s) in the background" in response.content.decode()
    statuses = dict(Reading.objects.values_list("title", "link_status"))
    assert statuses["Dead paper"] == "broken"
    assert statuses["Fine paper"] == "ok"
    assert statuses["Moved paper"] == ""  # not selected, not checked


def test_the_daily_beat_entry_names_the_registered_check(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["links-check"]
    assert app.tasks[entry["task"]].name == tasks.links_check_task.name
    assert entry["schedule"] == 24 * 60 * 60
