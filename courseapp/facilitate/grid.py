"""Sorting and filtering the cohort grid from query string arguments, so that plain links do
it without JavaScript and htmx only swaps the grid in place."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from .selectors import CohortDashboard, FellowRow, UnitColumn

SORTS = {
    "risk": "At risk first",
    "name": "Name",
    "progress": "Least progress first",
}
DEFAULT_SORT = "risk"


@dataclass(frozen=True)
class Link:
    label: str
    query: str
    current: bool


@dataclass
class GridView:
    rows: list[FellowRow]
    columns: list[UnitColumn]
    sort: str
    unit: UnitColumn | None
    at_risk_only: bool
    all_weeks: bool
    sort_links: list[Link]
    unit_links: list[Link]
    risk_link: Link

    @property
    def sort_label(self) -> str:
        return SORTS[self.sort]

    @property
    def query(self) -> str:
        return _query(self.sort, self.unit, self.at_risk_only, self.all_weeks)


def _query(sort: str, unit: UnitColumn | None, at_risk_only: bool, all_weeks: bool) -> str:
    params = {"sort": sort}
    if unit is not None:
        params["unit"] = unit.unit_id
    elif all_weeks:
        params["weeks"] = "all"
    if at_risk_only:
        params["show"] = "at-risk"
    return "?" + urlencode(params)


def _unit(columns: list[UnitColumn], value: str | None) -> UnitColumn | None:
    return next((c for c in columns if str(c.unit_id) == value), None)


def _progress(row: FellowRow, unit: UnitColumn | None) -> tuple:
    if unit is not None:
        cell = row.cell_for(unit.unit_id)
        return (cell.core_done, cell.quiz_submitted)
    return (-row.behind, row.core_done)


def _ordered(rows: list[FellowRow], sort: str, unit: UnitColumn | None) -> list[FellowRow]:
    def name(row: FellowRow) -> tuple:
        return (row.user.name.lower(), row.user.email)

    if sort == "name":
        return sorted(rows, key=name)
    if sort == "progress":
        return sorted(rows, key=lambda r: (_progress(r, unit), name(r)))
    return sorted(rows, key=lambda r: (-len(r.at_risk_reasons), name(r)))


def _columns(dashboard: CohortDashboard, unit: UnitColumn | None, all_weeks: bool) -> list:
    if unit is not None:
        return [unit]
    if all_weeks:
        return dashboard.columns
    return [c for c in dashboard.columns if c.released]


def _unit_links(columns, sort, unit, at_risk_only, all_weeks) -> list[Link]:
    """Open weeks (the default: weeks not yet open have nothing to show), every week with the
    ones to come greyed, or one week."""
    links = [
        Link("Open weeks", _query(sort, None, at_risk_only, False), not unit and not all_weeks),
        Link("All weeks", _query(sort, None, at_risk_only, True), not unit and all_weeks),
    ]
    links += [Link(c.label, _query(sort, c, at_risk_only, False), c is unit) for c in columns]
    return links


def grid_view(dashboard: CohortDashboard, params: QueryDict) -> GridView:
    """Unknown values fall back to the defaults: the grid is always shown."""
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    unit = _unit(dashboard.columns, params.get("unit"))
    at_risk_only = params.get("show") == "at-risk"
    all_weeks = params.get("weeks") == "all"
    rows = [r for r in dashboard.rows if r.is_at_risk or not at_risk_only]
    columns = _columns(dashboard, unit, all_weeks)
    return GridView(
        rows=_ordered(rows, sort, unit),
        columns=columns,
        sort=sort,
        unit=unit,
        at_risk_only=at_risk_only,
        all_weeks=all_weeks,
        sort_links=[
            Link(label, _query(k, unit, at_risk_only, all_weeks), k == sort)
            for k, label in SORTS.items()
        ],
        unit_links=_unit_links(dashboard.columns, sort, unit, at_risk_only, all_weeks),
        risk_link=Link(
            "Show everyone" if at_risk_only else "Only fellows at risk",
            _query(sort, unit, not at_risk_only, all_weeks),
            at_risk_only,
        ),
    )
