import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.helpers import login_code_from

pytestmark = pytest.mark.django_db


def test_an_expired_login_code_is_refused_with_a_message(client, user):
    client.post(reverse("account_request_login_code"), {"email": user.email})
    code = login_code_from(mail.outbox[-1].body)

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=4)):
        response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # allauth sends the person back to ask for a fresh code.
    assert response.redirect_chain[-1][0] == reverse("account_request_login_code")


def test_three_wrong_codes_use_up_the_code(client, user):
    client.post(reverse("account_request_login_code"), {"email": user.email})
    code = login_code_from(mail.outbox[-1].body)
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})

    client.post(reverse("account_confirm_login_code"), {"code": code})

    assert "_auth_user_id" not in client.session


def test_requesting_codes_is_rate_limited_per_email(client, user):
    for _ in range(3):
        client.post(reverse("account_request_login_code"), {"email": user.email})
        client.cookies.clear()

    response = client.post(reverse("account_request_login_code"), {"email": user.email})

    assert len(mail.outbox) == 3
    assert response.status_code in (200, 429)
    assert "Too many" in response.text


def test_a_code_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_request_login_code"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
