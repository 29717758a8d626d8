"""Chart types as definitions: one entry per type, holding what it needs of its report (an x dimension,
measures, a series dimension) and how a result becomes an ECharts option (dataset + series), labels in the
caller's language. Tables and pivots have no option (the rows and the pivot are shown as they are); a KPI
card is its value with the change against the comparison period.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import ReportDef

Option = dict[str, Any]


@dataclass(frozen=True)
class ChartSpec:
    """A widget's chart: its type, x dimension, measures (y), series dimension, stacking, gauge maximum."""

    type: str
    x: str | None
    y: tuple[str, ...]
    series: str | None
    stacked: bool
    max: float | None

    @classmethod
    def build(cls, raw: Mapping[str, Any] | None) -> ChartSpec:
        raw = raw or {"type": "table"}
        return cls(raw["type"], raw.get("x"), tuple(raw.get("y", ())), raw.get("series"), bool(raw.get("stacked")),
                   raw.get("max"))


def _label(result: Mapping[str, Any], key: str, locale: str) -> str:
    column = next((c for c in result["columns"] if c["key"] == key), None)
    return str(column["labels"].get(locale) or key) if column else key


def _dataset(result: Mapping[str, Any]) -> dict[str, Any]:
    return {"dimensions": [c["key"] for c in result["columns"]], "source": result["rows"]}


def _cartesian(kind: str, area: bool = False) -> Callable[[ChartSpec, Mapping[str, Any], str], Option]:
    def option(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
        x = spec.x or ""
        if spec.series is None:
            series = [{"type": kind, "name": _label(result, y, locale), "encode": {"x": x, "y": y},
                       **({"stack": "total"} if spec.stacked else {}), **({"areaStyle": {}} if area else {})}
                      for y in spec.y]
            return {"dataset": _dataset(result), "xAxis": {"type": "category"}, "yAxis": {"type": "value"},
                    "legend": {}, "tooltip": {"trigger": "axis"}, "series": series}
        categories = list(dict.fromkeys(row.get(x) for row in result["rows"]))
        values = list(dict.fromkeys(row.get(spec.series) for row in result["rows"]))
        cells = {(row.get(x), row.get(spec.series)): row for row in result["rows"]}
        y = spec.y[0]
        series = [{"type": kind, "name": "" if v is None else str(v),
                   "data": [cells.get((c, v), {}).get(y) for c in categories],
                   **({"stack": "total"} if spec.stacked else {}), **({"areaStyle": {}} if area else {})}
                  for v in values]
        return {"xAxis": {"type": "category", "data": categories}, "yAxis": {"type": "value"}, "legend": {},
                "tooltip": {"trigger": "axis"}, "series": series}
    return option


def _parts(kind: str, radius: Any = None) -> Callable[[ChartSpec, Mapping[str, Any], str], Option]:
    def option(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
        series: dict[str, Any] = {"type": kind, "name": _label(result, spec.y[0], locale),
                                  "encode": {"itemName": spec.x, "value": spec.y[0]}}
        if radius is not None:
            series["radius"] = radius
        # the tooltip's default trigger is per element (slice, funnel layer)
        return {"dataset": _dataset(result), "legend": {}, "tooltip": {}, "series": [series]}
    return option


def _scatter(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
    return {"dataset": _dataset(result), "xAxis": {"type": "value", "name": _label(result, spec.y[0], locale)},
            "yAxis": {"type": "value", "name": _label(result, spec.y[1], locale)}, "tooltip": {},
            "series": [{"type": "scatter", "encode": {"x": spec.y[0], "y": spec.y[1], "tooltip": [spec.x]}}]}


def _gauge(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
    y = spec.y[0]
    gauge: dict[str, Any] = {"type": "gauge", "data": [{"value": result["totals"].get(y),
                                                         "name": _label(result, y, locale)}]}
    if spec.max is not None:
        gauge["max"] = spec.max
    return {"series": [gauge]}


def _kpi(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
    y, totals = spec.y[0], result["totals"]
    return {"kpi": {"key": y, "label": _label(result, y, locale), "value": totals.get(y),
                    "previous": totals.get(f"{y}_previous"), "change": totals.get(f"{y}_change"),
                    "change_pct": totals.get(f"{y}_change_pct")}}


def _none(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
    return {}


@dataclass(frozen=True)
class ChartType:
    name: str
    needs_x: bool  # an x (or name) dimension
    measures: tuple[int, int]  # how many y measures: (at least, at most)
    takes_series: bool
    option: Callable[[ChartSpec, Mapping[str, Any], str], Option]


CHART_TYPES: dict[str, ChartType] = {c.name: c for c in (
    ChartType("table", False, (0, 10), False, _none),
    ChartType("pivot", False, (0, 10), False, _none),
    ChartType("bar", True, (1, 10), True, _cartesian("bar")),
    ChartType("line", True, (1, 10), True, _cartesian("line")),
    ChartType("area", True, (1, 10), True, _cartesian("line", area=True)),
    ChartType("pie", True, (1, 1), False, _parts("pie")),
    ChartType("donut", True, (1, 1), False, _parts("pie", ["40%", "70%"])),
    ChartType("funnel", True, (1, 1), False, _parts("funnel")),
    ChartType("scatter", False, (2, 2), False, _scatter),
    ChartType("kpi", False, (1, 1), False, _kpi),
    ChartType("gauge", False, (1, 1), False, _gauge),
)}


def check_chart(spec: ChartSpec, report: ReportDef) -> list[tuple[str, str, dict[str, Any]]]:
    """Problems (path inside the chart, code, params) of a chart against its report's keys."""
    chart = CHART_TYPES[spec.type]
    dims = {d.key for d in report.dimensions}
    measures = {m.key for m in report.measures}
    found: list[tuple[str, str, dict[str, Any]]] = []
    if chart.needs_x and spec.x is None:
        found.append(("x", "reports.chart_needs_x", {"chart": spec.type}))
    for prop, key in (("x", spec.x), ("series", spec.series)):
        if key is not None and key not in dims:
            found.append((prop, "reports.unknown_key", {"key": key}))
    if spec.series is not None and not chart.takes_series:
        found.append(("series", "reports.chart_no_series", {"chart": spec.type}))
    low, high = chart.measures
    if not low <= len(spec.y) <= high:
        found.append(("y", "reports.chart_measures", {"chart": spec.type, "low": low, "high": high}))
    for n, key in enumerate(spec.y):
        if key not in measures:
            found.append((f"y/{n}", "reports.unknown_key", {"key": key}))
    return found


def chart_option(spec: ChartSpec, result: Mapping[str, Any], locale: str) -> Option:
    return CHART_TYPES[spec.type].option(spec, result, locale)
