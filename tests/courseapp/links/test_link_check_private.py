"""The link check fetches editors' URLs from inside the deployment, so it refuses hosts on a
private or local network (the platform's own services, the cloud metadata address), also when a
redirect leads there, unless LINK_CHECK_ALLOWED_NETWORKS lists them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from courseapp.links import services, tasks
from courseapp.models import LinkStatus, Reading
from tests.factories import ReadingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def guarded(site, settings):
    """The local test server, with no network allowed: production's default."""
    settings.LINK_CHECK_ALLOWED_NETWORKS = []
    return site


def test_a_loopback_link_is_refused_without_a_request(guarded):
    result = services.link_check_url(url=guarded.url("/ok"))
    assert (result.status, result.code) == (LinkStatus.BROKEN, None)
    assert result.error == "Refused: 127.0.0.1 is on a private or local network"
    assert guarded.methods == []


def test_a_name_that_resolves_to_loopback_is_refused(guarded):
    port = guarded.server.server_address[1]
    result = services.link_check_url(url=f"http://localhost:{port}/ok")
    assert result.error == "Refused: localhost is on a private or local network"
    assert guarded.methods == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "https://172.16.0.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",  # unique local
        "http://[64:ff9b::a00:5]/",  # NAT64 of 10.0.0.5
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    ],
)
def test_private_local_and_special_addresses_are_refused(guarded, url):
    result = services.link_check_url(url=url)
    assert result.status == LinkStatus.BROKEN
    assert result.error.startswith("Refused: ")


def test_the_ipv4_mapped_form_of_the_local_server_is_refused(guarded):
    port = guarded.server.server_address[1]
    result = services.link_check_url(url=f"http://[::ffff:127.0.0.1]:{port}/ok")
    assert result.error == "Refused: ::ffff:127.0.0.1 is on a private or local network"
    assert guarded.methods == []


def test_a_redirect_to_the_metadata_address_is_refused(site):
    """127.0.0.1 is allowed (the fixture), so the first request is made; the hop it
    redirects to is checked again and refused."""
    result = services.link_check_url(url=site.url("/to-metadata"))
    assert result.status == LinkStatus.BROKEN
    assert result.error == "Refused: 169.254.169.254 is on a private or local network"
    assert site.methods == [("HEAD", "/to-metadata")]  # refused: not asked again with GET


def test_a_redirect_to_another_scheme_is_not_followed(site):
    result = services.link_check_url(url=site.url("/to-ftp"))
    assert result.status == LinkStatus.BROKEN
    assert "unknown url type: ftp" in result.error


def test_an_allowed_network_lets_the_check_reach_an_intranet_host(site, settings):
    settings.LINK_CHECK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    result = services.link_check_url(url=site.url("/ok"))
    assert (result.status, result.code) == (LinkStatus.OK, 200)
    port = site.server.server_address[1]
    mapped = services.link_check_url(url=f"http://[::ffff:127.0.0.1]:{port}/ok")
    assert not mapped.error.startswith("Refused")  # the same address, written as IPv6


def test_an_allowed_network_does_not_open_the_others(site, settings):
    settings.LINK_CHECK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert services.link_check_url(url="http://10.0.0.5/").error.startswith("Refused")
    assert services.link_check_url(url="http://[::1]/").error.startswith("Refused")


def test_a_misspelt_allowed_network_stops_the_check(site, settings):
    settings.LINK_CHECK_ALLOWED_NETWORKS = ["10.0.0.0/88"]
    with pytest.raises(ImproperlyConfigured, match="LINK_CHECK_ALLOWED_NETWORKS"):
        services.link_check_url(url=site.url("/ok"))
    assert site.methods == []


def test_a_name_that_does_not_resolve_stays_an_ordinary_broken_link(guarded):
    result = services.link_check_url(url="http://no-such-host.invalid/paper")
    assert result.status == LinkStatus.BROKEN
    assert result.error and not result.error.startswith("Refused")


def test_the_admin_sees_why_an_internal_link_was_not_checked(guarded):
    reading = ReadingFactory(url="http://169.254.169.254/latest/meta-data/")
    tasks.links_check_task()
    reading = Reading.objects.get(pk=reading.pk)
    assert reading.link_status == LinkStatus.BROKEN
    assert reading.link_error == "Refused: 169.254.169.254 is on a private or local network"
    assert reading.link_checked_at
