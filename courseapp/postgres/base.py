"""Django's PostgreSQL backend with a health check that sends nothing to the server.

With CONN_HEALTH_CHECKS, Django checks a persistent connection once per request before its
first query, by sending `SELECT 1`: a round trip on every page, a third of the database time
of a cached page. An idle connection has nothing to say, so this check asks the socket instead:
when the server has closed the connection or sent a notice while it sat idle (a restart, an idle
timeout, `pg_terminate_backend`), the socket is readable or in error, and the connection is
dropped and reopened before the request's first query, as Django's check would. A connection
that is not idle, or that Django suspects after an error, still gets the `SELECT 1`.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if self.pool or self.connection is None or not self.health_check_enabled:
            return super().close_if_health_check_failed()
        if self.health_check_done:
            return
        if not self._idle_and_quiet():
            self.close()
        self.health_check_done = True

    def _idle_and_quiet(self) -> bool:
        """True when the connection is open, idle, and the server has sent nothing since."""
        conn = self.connection
        if conn.closed or conn.broken:
            return False
        if conn.info.transaction_status != TransactionStatus.IDLE:
            return self.is_usable()
        poller = select.poll()
        try:
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
        except (OSError, ValueError):
            return False
        # POLLERR, POLLHUP and POLLNVAL are reported whether asked for or not.
        return not poller.poll(0)
