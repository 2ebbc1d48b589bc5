"""`User.objects.get(pk=...)`, run by every signed-in request, is a written-out query on
PostgreSQL (accounts.models.UserManager.get): it must give exactly what the ORM gives."""

import pytest
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _values(user: User) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_a_lookup_by_pk_gives_the_same_user_as_the_orm(django_assert_num_queries):
    made = UserFactory(display_name="Ada Lovelace", timezone="Europe/London", is_staff=True)
    User.objects.filter(pk=made.pk).update(last_login=timezone.now(), page_version=7)

    with django_assert_num_queries(1):
        fast = User.objects.get(pk=made.pk)
    orm = User.objects.filter(pk=made.pk).get()

    assert _values(fast) == _values(orm)
    assert fast.last_login.tzinfo is not None and fast.page_version == 7
    assert not fast._state.adding and fast._state.db == "default"


def test_a_missing_or_malformed_pk_fails_as_the_orm_does():
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=987654)
    with pytest.raises(ValueError):
        User.objects.get(pk="not-a-number")


def test_a_user_looked_up_by_pk_saves_like_any_other():
    made = UserFactory(display_name="Before")
    user = User.objects.get(pk=made.pk)
    user.display_name = "After"
    user.save()

    assert User.objects.filter(pk=made.pk).get().display_name == "After"
