"""The demo logins. Their emails and password are relied on by docs and checks: keep them stable."""

from allauth.account.models import EmailAddress

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


def demo_user(email: str, *, display_name: str, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"display_name": display_name, "is_staff": staff, "is_superuser": staff},
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
            demo_user(email, display_name=f"Fellow {local}")
    return [f"{len(LOGINS)} demo accounts"]
