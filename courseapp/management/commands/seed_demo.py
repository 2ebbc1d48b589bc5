from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from courseapp import demo


class Command(BaseCommand):
    help = "Load demo content and demo accounts (idempotent: safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        summary = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in summary:
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and sign in with one of these demo logins")
        self.stdout.write(f"(every demo account uses the password {demo.PASSWORD!r}):")
        for email, role in demo.LOGINS:
            self.stdout.write(f"  {email:<28} {role}")
