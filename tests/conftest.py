from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory


def pytest_configure(config):
    from django.conf import settings

    # Suite speed: the production hasher costs ~0.2 s per user and tests create thousands.
    # Password hashing itself is Django's and is not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FAULTS = Path(__file__).parent / "faults"


def pytest_collection_modifyitems(items):
    # The fault tests stop and start the servers every test shares: they run on their own, after
    # the parallel part of the suite (the Makefile's test target).
    for item in items:
        if FAULTS in item.path.parents:
            item.add_marker(pytest.mark.serial)


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
