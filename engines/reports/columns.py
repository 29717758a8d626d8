"""Column metadata of a result: key, role, type, labels in both languages, format (and a select's option
labels), enough for a chart library (ECharts' dataset) to render the rows directly."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.platform.i18n import SUPPORTED_LOCALES, translate
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import FieldDef

from .plan import ReportPlan

_FIELD_FORMATS = {"money": "money", "percent": "percent", "date": "date", "datetime": "datetime"}
_TYPE_FORMATS = {ExprType.INTEGER: "number", ExprType.DECIMAL: "number", ExprType.DATE: "date",
                 ExprType.DATETIME: "datetime"}


def _labels(own: Mapping[str, str], field: FieldDef | None, key: str) -> dict[str, str]:
    declared = field.raw.get("label") if field is not None else None  # a field's own label, not its name
    base = {"en": declared, "zh-CN": declared} if isinstance(declared, str) else dict(declared or {})
    merged = {**base, **own}
    fallback = merged.get("en") or key
    return {locale: merged.get(locale) or fallback for locale in SUPPORTED_LOCALES}


def _format(explicit: str | None, field: FieldDef | None, kind: ExprType) -> str:
    if explicit:
        return explicit
    if field is not None and field.type in _FIELD_FORMATS:
        return _FIELD_FORMATS[field.type]
    return _TYPE_FORMATS.get(kind, "text")


def _options(catalog: Catalog, field: FieldDef | None) -> dict[str, dict[str, str]] | None:
    if field is None or catalog.field_type(field).choices(field) is None:
        return None
    found = {}
    for option in field.raw.get("options", ()):
        value = str(option["value"])
        found[value] = _labels(option.get("label") or {}, None, value)
    return found


def columns(catalog: Catalog, plan: ReportPlan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for dim in plan.dims:
        field = dim.term.field
        kind = dim.term.type
        if dim.grain is not None:
            kind = ExprType.TEXT if dim.grain.name == "hour" else ExprType.DATE
        column: dict[str, Any] = {"key": dim.dim.key, "role": "dimension", "type": kind.value,
                                  "labels": _labels(dim.dim.label, field, dim.dim.key),
                                  "format": _format(dim.dim.format, None if dim.grain else field, kind)}
        if dim.grain is not None:
            column["grain"] = dim.grain.name
        options = _options(catalog, field)
        if options:
            column["options"] = options
        out.append(column)
    for measure in plan.report.measures:
        agg = plan.agg(measure.key)
        field = agg.term.field if agg is not None and agg.term is not None else None
        kind = plan.types[measure.key]
        explicit = measure.format or ("percent" if measure.percent_of_total else None)
        if agg is not None and agg.term is not None and agg.term.spec.unit_seconds is not None:
            explicit = explicit or "duration"
        if agg is not None and agg.aggregate.name in ("count", "count_distinct"):
            field = None
        base = plan.agg(measure.base) if measure.base else None
        if base is not None and measure.running_total and base.term is not None:
            field = base.term.field
        column = {"key": measure.key, "role": "measure", "type": kind.value,
                  "labels": _labels(measure.label, None, measure.key),  # a measure is named by its key, not its field
                  "format": _format(explicit, field, kind)}
        out.append(column)
        if plan.report.compare is not None and measure.base is None:
            out += _comparison_columns(column)
    return out


def _comparison_columns(column: dict[str, Any]) -> list[dict[str, Any]]:
    """A measure over the compared period, and its change as a value and a percent."""
    out = []
    for suffix, code, kind, form in (("_previous", "reports.column_previous", column["type"], column["format"]),
                                     ("_change", "reports.column_change", column["type"], column["format"]),
                                     ("_change_pct", "reports.column_change_pct", "decimal", "percent")):
        labels = {locale: translate(code, locale, label=column["labels"][locale]) for locale in SUPPORTED_LOCALES}
        out.append({"key": column["key"] + suffix, "role": "comparison", "of": column["key"], "type": kind,
                    "labels": labels, "format": form})
    return out
