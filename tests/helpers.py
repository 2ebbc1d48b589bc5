import re


def login_code_from(body: str) -> str:
    """The sign-in code allauth puts on a line of its own, like ``JSWQ-FKSQ``."""
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)
