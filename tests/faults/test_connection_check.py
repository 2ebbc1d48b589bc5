"""The per-request health check of a persistent PostgreSQL connection (CONN_HEALTH_CHECKS): one
the server has ended is dropped and reopened before the request's first query, so the request
does not fail."""

import pytest
from django.db import OperationalError, connection

from accounts.models import User
from tests.factories import UserFactory

from .conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _request_starts() -> None:
    """What Django does for the database when a request starts (close_old_connections)."""
    connection.close_if_unusable_or_obsolete()


def _end_from_outside(pid: int) -> None:
    """pg_terminate_backend from another connection; returns once that backend has exited."""
    with connection.get_new_connection(connection.get_connection_params()) as admin:
        admin.autocommit = True
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

        def gone() -> bool:
            found = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            return found.fetchone() is None

        wait_until(gone, timeout=10, what=f"backend {pid} to exit")


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    UserFactory(email="still@example.org")
    pid = _backend_pid()
    _end_from_outside(pid)

    _request_starts()
    assert User.objects.filter(email="still@example.org").count() == 1
    assert _backend_pid() != pid


def test_without_the_check_the_same_ended_connection_fails_the_query():
    # The check is what saves the request above: mid-request (check already done) the dead
    # connection is used as it is and the query fails.
    pid = _backend_pid()
    _end_from_outside(pid)

    connection.health_check_done = True
    with pytest.raises(OperationalError):
        User.objects.count()
    connection.close()
