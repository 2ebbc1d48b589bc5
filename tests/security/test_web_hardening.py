"""Headers, cookies and settings that harden every response, in tests and in production."""

import json
import re
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.test_settings import PRODUCTION_ENV, _run

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def fellow_on_unit(db):
    course, units = course_with_units(units=1)
    fellow = fellow_in(weekly_cohort(course, pacing="self_paced"))
    return fellow, units[0]


def test_site_pages_allow_only_our_own_scripts_and_styles(client, fellow_on_unit):
    fellow, unit = fellow_on_unit
    client.force_login(fellow)

    csp = policy(client.get(reverse("unit_detail", args=[unit.pk])))

    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert csp["base-uri"] == "'self'"
    assert csp["img-src"] == "'self' data: https:"


def test_the_sign_in_page_and_error_pages_carry_the_policy_too(client):
    assert "script-src 'self'" in client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


def test_admin_pages_allow_inline_styles_but_never_inline_scripts(client, staff):
    client.force_login(staff)

    csp = policy(client.get(reverse("admin:index")))

    assert csp["style-src"] == "'self' 'unsafe-inline'"
    assert csp["script-src"] == "'self'"


def test_a_configured_social_provider_may_receive_the_sign_in_form(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "id", "secret": "secret", "key": ""}]}
    }

    csp = policy(client.get(reverse("account_login")))

    assert csp["form-action"] == "'self' https://github.com"


def test_htmx_is_configured_without_eval_or_injected_styles(client, fellow_on_unit):
    client.force_login(fellow_on_unit[0])

    html = client.get(reverse("home")).text

    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert json.loads(config[1]) == {"includeIndicatorStyles": False, "allowEval": False}
    assert html.index('name="htmx-config"') < html.index("<script")


def test_no_page_template_has_inline_script_style_or_event_handlers():
    templates = django_settings.BASE_DIR / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        if path.parts[-2] == "emails" or "admin" in path.relative_to(templates).parts:
            continue
        text = path.read_text()
        inline_script = re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text)
        if inline_script or re.search(r"\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:", text):
            offenders.append(str(path.relative_to(templates)))

    assert offenders == []


def test_every_response_denies_framing_sniffing_and_cross_site_referrers(client):
    response = client.get(reverse("account_login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


PRODUCTION_HARDENING = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "X_FRAME_OPTIONS": "DENY",
    "SECURE_REFERRER_POLICY": "same-origin",
    "REQUIRE_STAFF_MFA": True,
}


def test_production_settings_turn_on_https_only_cookies_hsts_and_the_staff_gate():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(PRODUCTION_HARDENING)}}})); "
        "print('courseapp.platform.security.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE)"
    )

    result = _run(["-c", code], {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "courseapp.settings"})

    values, csp_on = result.stdout.splitlines()
    assert json.loads(values) == PRODUCTION_HARDENING
    assert csp_on == "True"


def test_the_embedded_default_does_not_ask_staff_for_two_factor():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.REQUIRE_STAFF_MFA)"

    result = _run(["-c", code], {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "courseapp.settings"})

    assert result.stdout.strip() == "False"


def test_hsts_and_secure_cookies_reach_the_browser_over_https(client, user, password, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": password}, secure=True
    )

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_signing_in_gives_the_session_a_new_key(client, user, password):
    session = client.session
    session["chosen_before_sign_in"] = True
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    client.post(reverse("account_login"), {"login": user.email, "password": password})

    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.session["_auth_user_id"] == str(user.pk)
    assert after != before
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    assert not store().exists(before)


def test_signing_out_ends_the_session_on_the_server(client, user):
    client.force_login(user)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    client.post(reverse("account_logout"))

    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    assert not store().exists(key)
    assert client.get(reverse("home")).status_code == 302
