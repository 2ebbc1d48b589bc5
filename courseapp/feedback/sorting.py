"""Tables sorted by query string links (`?units=-rating`), so sorting works without JavaScript."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

Columns = dict[str, tuple[str, Callable]]


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    url: str
    aria_sort: str | None


def _parse(value: str, columns: Columns, default: str) -> tuple[str, bool]:
    key = value.removeprefix("-")
    if key not in columns:
        return default, False
    return key, value.startswith("-")


def sort_table(
    request: HttpRequest, param: str, rows: list, columns: Columns, default: str
) -> tuple[list, list[Header]]:
    """Rows sorted by the `param` query argument, and header links that flip the order.

    Empty values (no answers yet) always go last, whichever the direction.
    """
    key, descending = _parse(request.GET.get(param, default), columns, default)
    value = columns[key][1]
    known = [row for row in rows if value(row) is not None]
    unknown = [row for row in rows if value(row) is None]
    ordered = sorted(known, key=value, reverse=descending) + unknown
    headers = []
    for name, (label, _) in columns.items():
        query = request.GET.copy()
        query[param] = f"-{name}" if name == key and not descending else name
        aria = None if name != key else ("descending" if descending else "ascending")
        headers.append(Header(name, label, f"?{query.urlencode()}", aria))
    return ordered, headers
