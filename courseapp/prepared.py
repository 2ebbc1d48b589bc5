"""Named prepared statements for the hottest written-out queries, on PostgreSQL.

PostgreSQL plans every statement it is sent. For the access rule of one reading and the
mark-read answer, planning was most of the server's work: about 280 and 240 microseconds of CPU
a call, against 80 and 95 for the same statements prepared once per connection and executed
from then on (measured on the benchmark dataset). `execute` prepares a statement the first
time a connection runs it (PREPARE outlives the transaction it was sent in) and then sends
EXECUTE with the parameters, which the driver quotes on the client as it does for any query.

Prepared statements belong to a server session: behind a pooler that hands each transaction a
different server connection (PgBouncer in transaction mode) set DB_PREPARED_STATEMENTS=0.
Other databases (the embedded SQLite default) run the SQL as it is.
"""

import hashlib
import re

from django.conf import settings

_PREPARED = "_fellowship_prepared"  # names prepared on a driver connection, kept on it
_names: dict[tuple[str, str], tuple[str, str]] = {}


def execute(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` (with %s placeholders) with `params` on `cursor` (a Django cursor), prepared
    on PostgreSQL."""
    if cursor.db.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    statement, numbered = _statement(name, sql)
    driver = cursor.db.connection
    prepared = driver.__dict__.setdefault(_PREPARED, set())
    if statement not in prepared:
        # On the driver's connection: a setting of the session, like Django's SET TIME ZONE
        # when it connects, not one of the request's queries.
        driver.execute(f"PREPARE {statement} AS {numbered}")
        prepared.add(statement)
    cursor.execute(f"EXECUTE {statement}({', '.join(['%s'] * len(params))})", params)


def _statement(name: str, sql: str) -> tuple[str, str]:
    """A name unique to this SQL, and the SQL with $1, $2... for its %s placeholders."""
    key = (name, sql)
    if key not in _names:
        digest = hashlib.sha256(sql.encode()).hexdigest()[:10]
        count = iter(range(1, sql.count("%s") + 1))
        _names[key] = (f"{name}_{digest}", re.sub(r"%s", lambda _: f"${next(count)}", sql))
    return _names[key]
