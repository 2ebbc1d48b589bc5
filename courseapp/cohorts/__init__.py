"""Cohorts, their weekly sessions, enrolments and invitations."""
