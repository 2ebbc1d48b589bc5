"""Hosted chapters: a publisher's export imported as a reading."""
