import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the real Redis; allauth keeps its rate-limit counters there.
    cache.clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)
