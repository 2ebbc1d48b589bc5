"""Queueing Celery tasks after commit without letting a broker outage fail the request.

Every task queued this way works on rows already saved (an Invitation with no sent_at, a pending
Reminder), and a periodic sweep queues again whatever was saved but never queued. So when Redis
is unreachable the error is logged, the request or sweep that saved the rows succeeds, and the
sweep after Redis is back sends them: nothing is lost and nobody sees a 500.

Tasks are named, not imported: a service queues a task whose module calls that service, so
importing the task would tie the two modules in a loop. The task modules are registered when
the app is ready (courseapp.apps).
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(name: str, *args) -> None:
    """Queue the task registered under `name` once the transaction commits."""

    def send() -> None:
        try:
            current_app.tasks[name].delay(*args)
        except (OperationalError, OSError):
            logger.exception("Could not queue %s%r; a sweep will queue it", name, args)

    transaction.on_commit(send)


def enqueue_many_on_commit(name: str, arg_lists: list[tuple]) -> None:
    """One on-commit callback queueing a task once per argument tuple over one broker
    connection; a broker outage is logged once and the rest is left to the sweep."""

    def send() -> None:
        task = current_app.tasks[name]
        try:
            with task.app.producer_or_acquire() as producer:
                for args in arg_lists:
                    task.apply_async(args, producer=producer)
        except (OperationalError, OSError):
            logger.exception("Could not queue %d x %s; a sweep will queue them", len(arg_lists),
                             task.name)  # fmt: skip

    transaction.on_commit(send)
