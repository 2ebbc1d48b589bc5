"""The demo logins. Their emails and password are relied on by docs and checks: keep them stable."""

from datetime import datetime
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User

PASSWORD = "fellowship-demo"
ADMIN = "admin@example.org"
FACILITATORS = {"A": "facilitator.a@example.org", "B": "facilitator.b@example.org"}
FELLOWS = {
    cohort: [f"fellow.{cohort.lower()}{n}@example.org" for n in (1, 2, 3)] for cohort in "AB"
}
LOGINS = [
    (ADMIN, "admin (staff)"),
    *[(email, f"facilitator, cohort {c}") for c, email in FACILITATORS.items()],
    *[(email, f"fellow, cohort {c}") for c, emails in FELLOWS.items() for email in emails],
]
# This fellow lives where it is daytime when the demo is first loaded, so that `make run`'s first
# reminders sweep emails them whatever the hour (reminders go out 09:00-18:00 local time only).
TRAVELLER = "fellow.a3@example.org"
# No two of these are more than three hours apart through the day: one is within 90 minutes of
# noon at any moment, and stays inside the window for hours.
ZONES_AROUND_THE_WORLD = (
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Atlantic/Cape_Verde",
    "Europe/London",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def daytime_zone(now: datetime) -> str:
    """The zone of ZONES_AROUND_THE_WORLD where it is closest to noon at `now`."""

    def from_noon(zone: str) -> float:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour * 60 + local.minute - 12 * 60)

    return min(ZONES_AROUND_THE_WORLD, key=from_noon)


def demo_user(email: str, *, display_name: str, staff: bool = False, zone: str = "") -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "display_name": display_name,
            "is_staff": staff,
            "is_superuser": staff,
            "timezone": zone,
        },
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_accounts() -> list[str]:
    demo_user(ADMIN, display_name="Ada Admin", staff=True)
    for cohort, email in FACILITATORS.items():
        demo_user(email, display_name=f"Facilitator {cohort}")
    for emails in FELLOWS.values():
        for email in emails:
            local = email.split("@")[0].split(".")[1].upper()
            zone = daytime_zone(timezone.now()) if email == TRAVELLER else ""
            demo_user(email, display_name=f"Fellow {local}", zone=zone)
    return [f"{len(LOGINS)} demo accounts"]
