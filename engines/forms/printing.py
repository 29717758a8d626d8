"""A record's print view: the entity's `print_template` (else a plain layout of its fields and lines) rendered
in the notifications' bounded Jinja2 sandbox with autoescape, for the browser's print-to-PDF.

    html = print_body(ctx, "sales_order", 7)   # the body's HTML; the page around it is the web layer's

The template sees `record` (values as the API shows them: decimals as exact strings, lines as lists),
`show` (each field's value as text: option labels, yes/no, a link's title), `labels` (field labels in the
reader's language), `column_labels` (a child table's: `column_labels.lines.qty`), `entity` (its label)
and `today`. Only fields the reader may read are there. Everything is escaped: a value can never become markup.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.platform.context import Context
from jimu.platform.i18n import label, translate
from jimu.platform.notifications.templates import render_template
from jimu.platform.registry.model import EntityDef, FieldDef

from .common import header_entity
from .lifecycle import get
from .rows import LinkCache

DEFAULT_TEMPLATE = """<h1>{{ entity }} {{ title }}</h1>
<table class="jm-print-fields">
{%- for name in fields %}
<tr><th>{{ labels[name] }}</th><td>{{ show[name] }}</td></tr>
{%- endfor %}
</table>
{%- for table in tables %}
<h2>{{ labels[table] }}</h2>
<table class="jm-print-lines"><thead><tr>
{%- for name in columns[table] %}<th>{{ column_labels[table][name] }}</th>{% endfor %}</tr></thead><tbody>
{%- for line in show[table] %}<tr>{% for name in columns[table] %}<td>{{ line[name] }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>
{%- endfor %}
"""


def _text(ctx: Context, field: FieldDef, value: Any, cache: LinkCache) -> str:
    if value is None or value == "" or value == []:
        return ""
    kind = field.type
    if kind == "boolean":
        return translate("records.print_yes" if value else "records.print_no", ctx.locale)
    if kind in ("select", "multi_select"):
        options = {o.get("value"): label(o.get("label"), ctx.locale) or str(o.get("value"))
                   for o in field.get("options") or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(options.get(v, str(v)) for v in values)
    if kind == "link":
        target = ctx.catalog.require_related(field)
        linked = cache.load(target, int(value))
        title = ctx.catalog.title_field(target)
        return str(linked.get(title)) if linked is not None and title and linked.get(title) is not None else f"#{value}"
    if kind == "attachment":
        return ", ".join(str(item.get("name", "")) for item in value)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) if not isinstance(v, Mapping) else {k: _json(x) for k, x in v.items()} for v in value]
    return value


def _readable(ctx: Context, entity: EntityDef, record: Mapping[str, Any]) -> list[FieldDef]:
    return [f for f in entity.fields if f.name in record]


def print_body(ctx: Context, entity_key: str, record_id: int) -> str:
    """The print view's HTML body of one record the reader may read (NotFound / Forbidden otherwise)."""
    entity = header_entity(ctx, entity_key)
    record = get(ctx, entity_key, record_id)
    cache = LinkCache(ctx)
    catalog = ctx.catalog
    labels: dict[str, str] = {}
    column_labels: dict[str, dict[str, str]] = {}
    show: dict[str, Any] = {}
    columns: dict[str, list[str]] = {}
    tables: list[str] = []
    fields: list[str] = []
    for field in _readable(ctx, entity, record):
        text_label = label(field.label, ctx.locale) or field.name
        if catalog.field_type(field).owns_rows:
            child = catalog.require_related(field)
            lines = record.get(field.name) or []
            child_fields = [f for f in child.fields if not lines or f.name in lines[0]]
            columns[field.name] = [f.name for f in child_fields]
            labels[field.name] = text_label
            column_labels[field.name] = {f.name: label(f.label, ctx.locale) or f.name for f in child_fields}
            show[field.name] = [{f.name: _text(ctx, f, line.get(f.name), cache) for f in child_fields}
                                for line in lines]
            tables.append(field.name)
        else:
            labels[field.name] = text_label
            show[field.name] = _text(ctx, field, record.get(field.name), cache)
            fields.append(field.name)
    title_field = catalog.title_field(entity)
    variables = {
        "record": {k: _json(v) for k, v in record.items()}, "show": show, "labels": labels,
        "column_labels": column_labels,
        "entity": label(entity.label, ctx.locale) or entity.key, "today": ctx.now().date().isoformat(),
        "title": show.get(title_field, "") if title_field else f"#{record_id}",
        "fields": fields, "tables": tables, "columns": columns,
    }
    source = entity.raw.get("print_template") or DEFAULT_TEMPLATE
    return render_template(str(source), variables, html=True, path=f"/entities/{entity.key}/print_template")
