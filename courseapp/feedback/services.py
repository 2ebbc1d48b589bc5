from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from courseapp.models import Reading, ReadingFeedback, Unit, UnitFeedback

from . import selectors

# Passed in as loaded rows, so re-querying that they exist would only cost queries.
RELATIONS = ["user", "unit", "reading", "cohort"]


class FeedbackClosed(ValidationError):
    """The unit's feedback window closed: the answer can no longer change."""


def _place_or_deny(*, user: User, unit: Unit) -> selectors.FeedbackPlace:
    place = selectors.feedback_place(user=user, unit=unit)
    if place is None:
        raise PermissionDenied("Only fellows this unit is open to can give feedback on it.")
    return place


@transaction.atomic
def unit_feedback_save(*, user: User, unit: Unit, data: dict) -> UnitFeedback:
    """Create or update the fellow's one answer on the unit (idempotent).

    `data` holds rating and optionally what_worked, what_to_change and anonymous (a form's
    cleaned_data). Raises PermissionDenied for anyone but a fellow the unit is open to, and
    FeedbackClosed after the cohort's feedback window.
    """
    place = _place_or_deny(user=user, unit=unit)
    if not place.is_open:
        raise FeedbackClosed("The feedback window for this unit has closed.")
    values = {
        "cohort": place.cohort,
        "rating": data.get("rating"),
        "what_worked": data.get("what_worked") or "",
        "what_to_change": data.get("what_to_change") or "",
        "anonymous": bool(data.get("anonymous")),
    }
    # Uniqueness is left to update_or_create, which also survives two first saves racing.
    UnitFeedback(user=user, unit=unit, **values).full_clean(
        exclude=RELATIONS, validate_unique=False, validate_constraints=False
    )
    feedback, _ = UnitFeedback.objects.update_or_create(user=user, unit=unit, defaults=values)
    return feedback


@transaction.atomic
def reading_feedback_save(
    *, user: User, reading: Reading, useful: bool, comment: str = ""
) -> ReadingFeedback:
    """Create or update the fellow's useful / not useful vote on a live reading (idempotent).

    Raises PermissionDenied for an archived reading or anyone but a fellow its unit is open to.
    Reading votes have no window: a reading can turn out useful weeks later.
    """
    if reading.archived_at is not None:
        raise PermissionDenied("This reading is no longer part of the course.")
    _place_or_deny(user=user, unit=reading.unit)
    values = {"useful": useful, "comment": (comment or "").strip()}
    ReadingFeedback(user=user, reading=reading, **values).full_clean(
        exclude=RELATIONS, validate_unique=False, validate_constraints=False
    )
    feedback, _ = ReadingFeedback.objects.update_or_create(
        user=user, reading=reading, defaults=values
    )
    return feedback
