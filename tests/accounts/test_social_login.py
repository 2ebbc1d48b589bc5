import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_no_social_buttons_without_credentials(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}

    response = client.get(reverse("account_login"))

    assert "Google" not in response.text
    assert "GitHub" not in response.text


def test_a_provider_appears_once_its_credentials_are_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "id-from-env", "secret": "secret-from-env", "key": ""}]}
    }

    response = client.get(reverse("account_login"))

    assert "GitHub" in response.text
    assert "Google" not in response.text
