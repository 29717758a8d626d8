"""Report definitions as typed objects, built from the (schema-checked) JSON of an app's `reports` section."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Label = Mapping[str, str]
DURATION_SECONDS = {"hours": 3600, "days": 86400}


@dataclass(frozen=True)
class Duration:
    """The time from one datetime path to another, counted in `unit`."""

    start: str
    end: str
    unit: str

    @classmethod
    def build(cls, raw: Mapping[str, Any] | None) -> Duration | None:
        return None if raw is None else cls(raw["from"], raw["to"], raw["unit"])

    @property
    def seconds(self) -> int:
        return DURATION_SECONDS[self.unit]


@dataclass(frozen=True)
class DimensionDef:
    """A grouping column: a field or link path (optionally bucketed by a time grain), an expression or a duration."""

    key: str
    label: Label
    field: str | None
    grain: str | None
    expression: str | None
    duration: Duration | None
    format: str | None

    @classmethod
    def build(cls, raw: Mapping[str, Any]) -> DimensionDef:
        return cls(raw["key"], raw.get("label") or {}, raw.get("field"), raw.get("grain"), raw.get("expression"),
                   Duration.build(raw.get("duration")), raw.get("format"))


@dataclass(frozen=True)
class MeasureDef:
    """A value column. Exactly one kind: an aggregate over rows (with an optional `where`), a formula over
    other measures, the percent of total of a measure, or the running total of a measure."""

    key: str
    label: Label
    aggregate: str | None = None
    field: str | None = None
    expression: str | None = None
    duration: Duration | None = None
    where: str | None = None
    formula: str | None = None
    percent_of_total: str | None = None
    running_total: str | None = None
    scale: int | None = None
    format: str | None = None

    @classmethod
    def build(cls, raw: Mapping[str, Any]) -> MeasureDef:
        return cls(raw["key"], raw.get("label") or {}, raw.get("aggregate"), raw.get("field"), raw.get("expression"),
                   Duration.build(raw.get("duration")), raw.get("where"), raw.get("formula"),
                   raw.get("percent_of_total"), raw.get("running_total"), raw.get("scale"), raw.get("format"))

    @property
    def is_aggregate(self) -> bool:
        return self.aggregate is not None

    @property
    def base(self) -> str | None:
        """The measure a percent of total or a running total is computed from."""
        return self.percent_of_total or self.running_total


@dataclass(frozen=True)
class ParamDef:
    """A runtime parameter: a date range, select values, the current user or their department, on `field`."""

    key: str
    label: Label
    type: str
    field: str | None
    default: Any
    required: bool
    multiple: bool

    @classmethod
    def build(cls, raw: Mapping[str, Any]) -> ParamDef:
        return cls(raw["key"], raw.get("label") or {}, raw["type"], raw.get("field"), raw.get("default"),
                   bool(raw.get("required", False)), bool(raw.get("multiple", False)))


@dataclass(frozen=True)
class SortDef:
    by: str
    descending: bool


@dataclass(frozen=True)
class TopDef:
    """Keep the `n` values of `dimension` largest by measure `by`; the rest become one "others" row."""

    dimension: str
    by: str
    n: int
    others: bool


@dataclass(frozen=True)
class PivotDef:
    """Dimensions laid out as rows × columns; with `subtotals`, every level of the rows (with and without the
    columns) and the columns alone are aggregated too."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    subtotals: bool


@dataclass(frozen=True)
class CompareDef:
    """Each measure again over the period before the date-range parameter's (or the same one a year earlier)."""

    param: str
    with_: str


@dataclass(frozen=True)
class ReportDef:
    app: str
    key: str
    label: Label
    source: str
    dimensions: tuple[DimensionDef, ...]
    measures: tuple[MeasureDef, ...]
    where: str | None
    filter: Any
    params: tuple[ParamDef, ...]
    sort: tuple[SortDef, ...]
    limit: int | None
    top: TopDef | None
    pivot: PivotDef | None
    compare: CompareDef | None
    raw: Mapping[str, Any]

    @classmethod
    def build(cls, app: str, raw: Mapping[str, Any]) -> ReportDef:
        top, pivot, compare = raw.get("top"), raw.get("pivot"), raw.get("compare")
        return cls(
            app, raw["key"], raw.get("label") or {}, raw["source"],
            tuple(DimensionDef.build(d) for d in raw.get("dimensions", ())),
            tuple(MeasureDef.build(m) for m in raw["measures"]),
            raw.get("where"), raw.get("filter"),
            tuple(ParamDef.build(p) for p in raw.get("params", ())),
            tuple(SortDef(s["by"], bool(s.get("descending", False))) for s in raw.get("sort", ())),
            raw.get("limit"),
            None if top is None else TopDef(top["dimension"], top["by"], int(top["n"]), bool(top.get("others", True))),
            None if pivot is None else PivotDef(tuple(pivot["rows"]), tuple(pivot["columns"]),
                                                bool(pivot.get("subtotals", True))),
            None if compare is None else CompareDef(compare["param"], compare["with"]),
            raw,
        )

    def dimension(self, key: str) -> DimensionDef | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def measure(self, key: str) -> MeasureDef | None:
        return next((m for m in self.measures if m.key == key), None)

    def param(self, key: str) -> ParamDef | None:
        return next((p for p in self.params if p.key == key), None)

    @property
    def aggregates(self) -> tuple[MeasureDef, ...]:
        return tuple(m for m in self.measures if m.is_aggregate)


@dataclass(frozen=True)
class ReportDefs:
    """Every report of the installed apps, by (app, key)."""

    reports: Mapping[tuple[str, str], ReportDef]

    @classmethod
    def build(cls, apps: Mapping[str, Any]) -> ReportDefs:
        found: dict[tuple[str, str], ReportDef] = {}
        for app in apps.values():
            for raw in app.raw.get("reports", ()):
                found[(app.key, raw["key"])] = ReportDef.build(app.key, raw)
        return cls(found)

    def get(self, app: str, key: str) -> ReportDef | None:
        return self.reports.get((app, key))
