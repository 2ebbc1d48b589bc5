"""The fellow's week: home, course and unit pages, readings marked read."""
