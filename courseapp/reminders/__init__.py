"""Reminder emails: what is due (due.py), recording and sending exactly once (services.py),
the email itself (emails.py), thin Celery tasks, the preferences and unsubscribe pages."""
