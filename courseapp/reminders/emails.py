"""The email for one claimed group of reminders: subject, plain text, HTML and unsubscribe headers.

Links are absolute, from settings.SITE_URL, because mail clients have no page to resolve a
relative link against.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from courseapp.models import Reminder

from .tokens import unsubscribe_token

SITE_NAME = "Fellowship"
TEMPLATES = {
    Reminder.Kind.FACILITATOR_DIGEST: "facilitator_digest",
    Reminder.Kind.NUDGE: "nudge",
    Reminder.Kind.WRITTEN_REVIEW: "written_review",
}


def absolute(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _readings(payload: dict) -> tuple[list[dict], int]:
    readings = [
        {**r, "url": absolute("reading_detail", r["id"])} for r in payload.get("readings", [])
    ]
    return readings, sum(r["minutes"] for r in readings)


def _headline(kind: str, reason: dict) -> str:
    if kind == Reminder.Kind.BEFORE_SESSION:
        left = _plural(len(reason["readings"]), "core reading")
        return f"Before {reason['weekday']}'s session: {left} left"
    if kind == Reminder.Kind.QUIZ_AFTER_SESSION:
        return f"Week {reason['week']} quiz: check your understanding"
    if kind == Reminder.Kind.INACTIVE:
        return f"Here is where you left off in {reason['course_title']}"
    if kind == Reminder.Kind.NUDGE:
        return f"{reason['sender_name']} sent you a reminder about {reason['course_title']}"
    if kind == Reminder.Kind.WRITTEN_REVIEW:
        return f"{reason['sender_name']} reviewed your answer in the week {reason['week']} quiz"
    return f"Before {reason['weekday']}'s session of {reason['cohort_name']}: your digest"


def reason_context(reminder: Reminder, zone: ZoneInfo) -> dict:
    """A template-ready view of one reminder's payload, with absolute links."""
    payload = reminder.payload
    reason = {**payload, "kind": reminder.kind}
    if payload.get("unit_id"):
        reason["unit_url"] = absolute("unit_detail", payload["unit_id"])
    if payload.get("quiz_id"):
        reason["quiz_url"] = absolute("quiz_detail", payload["quiz_id"])
    if payload.get("attempt_id"):
        reason["attempt_url"] = absolute("attempt_result", payload["attempt_id"])
    if reminder.kind == Reminder.Kind.FACILITATOR_DIGEST:
        reason["cohort_url"] = absolute("cohort_detail", reminder.cohort_id)
    if payload.get("starts_at"):
        # Formatted here: the template `date` filter would convert back to the server's zone.
        starts = datetime.fromisoformat(payload["starts_at"]).astimezone(zone)
        when = f"{starts:%A} {starts.day} {starts:%B} at {starts:%H:%M} ({zone.key})"
        reason.update(weekday=starts.strftime("%A"), when=when)
    reason["readings"], reason["minutes"] = _readings(payload)
    reason["headline"] = _headline(reminder.kind, reason)
    return reason


def reminder_message(
    *, recipient: User, reminders: list[Reminder], zone: ZoneInfo
) -> EmailMultiAlternatives:
    """One email for reminders already merged into a group (see services.reminder_send)."""
    kinds = sorted({r.kind for r in reminders})
    unsubscribe = absolute(
        "reminders_unsubscribe", unsubscribe_token(user_id=recipient.pk, kinds=kinds)
    )
    context = {
        "recipient": recipient,
        "reasons": [reason_context(r, zone) for r in reminders],
        "more": len(reminders) - 1,
        "zone": zone,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute("notification_preferences"),
        "home_url": absolute("home"),
        "SITE_NAME": SITE_NAME,
    }
    name = TEMPLATES.get(reminders[0].kind, "reminder")
    context["subject"] = " ".join(render_to_string(f"emails/{name}.subject", context).split())
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string(f"emails/{name}.txt", context),
        to=[recipient.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message
