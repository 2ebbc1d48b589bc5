import datetime as dt

import pytest
from aiosmtpd.controller import Controller

from courseapp.models import Cohort
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in
from tests.factories import CohortFactory

from .smtp import Mailbox, free_port

UTC = dt.UTC
# Data is made on Saturday 1 March 2025; the default cohort meets on Thursdays at 17:00 UTC from
# 6 March, so its first before-session reminder (48 h) falls due on Tuesday 4 March at 17:00.
MADE_AT = dt.datetime(2025, 3, 1, 10, tzinfo=UTC)


def at(*args, tz=UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(MADE_AT, tick=False)
    return time_machine


def cohort_on(start: dt.date, *, units: int = 3, tz: str = "UTC", **fields) -> Cohort:
    """A weekly cohort meeting at 17:00 local time from `start`, with units x 4 core readings."""
    course, _ = course_with_units(units=units)
    return CohortFactory(course=course, start_date=start, timezone=tz, **fields)


@pytest.fixture
def cohort(db) -> Cohort:
    return cohort_on(dt.date(2025, 3, 6))  # a Thursday


@pytest.fixture
def fellow(cohort):
    return fellow_in(cohort)


@pytest.fixture
def facilitator(cohort):
    return facilitator_of(cohort)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, and Django pointed at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    yield mailbox
    controller.stop()
