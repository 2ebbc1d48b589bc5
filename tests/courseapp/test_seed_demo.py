import io

import pytest
from django.core.management import call_command

from accounts.models import User
from courseapp import demo

pytestmark = pytest.mark.django_db


def test_it_is_idempotent_and_its_printed_logins_work(client):
    call_command("seed_demo", stdout=io.StringIO())
    counts = User.objects.count()
    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.count() == counts
    for email, _role in demo.LOGINS:
        assert client.login(email=email, password="fellowship-demo"), email
    assert User.objects.get(email="admin@example.org").is_staff
