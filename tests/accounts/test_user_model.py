import pytest
from django.core.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_uses_the_email_as_login_and_lowercases_it():
    user = User.objects.create_user("Someone@Example.ORG", "a-password-123")

    assert user.email == "someone@example.org"
    assert user.check_password("a-password-123")
    assert not user.is_staff


def test_a_superuser_is_staff():
    user = User.objects.create_superuser("boss@example.org", "a-password-123")

    assert user.is_staff and user.is_superuser


def test_its_name_falls_back_to_the_email_local_part():
    assert User(email="ada@example.org").name == "ada"
    assert User(email="ada@example.org", display_name="Ada L.").name == "Ada L."


def test_an_unknown_timezone_is_rejected():
    user = User(email="tz@example.org", timezone="Mars/Olympus")

    with pytest.raises(ValidationError, match="not a known time zone"):
        user.full_clean(exclude=["password"])
