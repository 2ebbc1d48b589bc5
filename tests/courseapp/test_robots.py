"""robots.txt: served by Django (also the benchmark's trivial view, the machine's ceiling)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_asks_crawlers_to_keep_out_of_a_private_platform(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("robots_txt"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "User-agent: *\nDisallow: /\n"
    assert "max-age=86400" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_it_is_at_the_root_where_crawlers_look():
    assert reverse("robots_txt") == "/robots.txt"


@pytest.mark.django_db
def test_it_answers_only_reads(client):
    assert client.post(reverse("robots_txt")).status_code == 405
