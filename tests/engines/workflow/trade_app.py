"""A small trading app for the action tests: items with stock in FIFO layers, orders delivered by deliveries
(back-linked lines, delivered quantities rolled up), invoices paid by payments, a journal, stock balances per
warehouse, and parts exploded through a bill of materials. Built in Python so tests can vary it."""
from __future__ import annotations

import copy
from typing import Any


def _select(*values: str) -> dict[str, Any]:
    return {"name": "state", "type": "select", "options": [{"value": v} for v in values], "default": values[0]}


def _dec(name: str, scale: int = 2, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": "decimal", "scale": scale, **more}


def _link(name: str, entity: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": "link", "entity": entity, **more}


ENTITIES: list[dict[str, Any]] = [
    {"key": "item", "title_field": "name", "fields": [
        {"name": "name", "type": "text", "required": True}, _dec("on_hand", 3), _dec("cost", 4)]},
    {"key": "layer", "fields": [
        {"name": "label", "type": "text"}, _link("item", "item"), {"name": "received_on", "type": "date"},
        _dec("remaining", 3), _dec("unit_cost", 4)]},
    {"key": "order", "title_field": "number", "fields": [
        {"name": "number", "type": "text", "required": True}, _dec("freight"),
        _select("draft", "confirmed", "cancelled"),
        {"name": "lines", "type": "child_table", "entity": "order_line"},
        {"name": "ordered", "type": "rollup", "relation": "lines", "function": "sum", "field": "qty"},
        {"name": "shipped", "type": "rollup", "relation": "lines", "function": "sum", "field": "delivered"},
        {"name": "delivered_pct", "type": "formula",
         "expression": "IF(ordered > 0, ROUND(shipped * 100 / ordered, 1), 0)"}]},
    {"key": "order_line", "child": True, "fields": [
        _link("item", "item"), _dec("qty", 3), _dec("price"), _dec("freight_share"),
        {"name": "amount", "type": "formula", "expression": "ROUND(qty * price, 2)"},
        _dec("delivered", 3, default="0")]},
    {"key": "delivery", "title_field": "number", "fields": [
        {"name": "number", "type": "text"}, _link("order", "order"), _dec("value"),
        _select("draft", "done", "cancelled"),
        {"name": "lines", "type": "child_table", "entity": "delivery_line"}]},
    {"key": "delivery_line", "child": True, "fields": [
        _link("item", "item"), _dec("qty", 3), {"name": "order_line", "type": "integer"}, _dec("cost")]},
    {"key": "journal", "fields": [
        {"name": "account", "type": "text"}, _dec("debit"), _dec("credit"), {"name": "memo", "type": "text"},
        {"name": "document", "type": "integer"}]},
    {"key": "invoice", "title_field": "number", "fields": [
        {"name": "number", "type": "text"}, {"name": "partner", "type": "text"}, {"name": "due_on", "type": "date"},
        _dec("open")]},
    {"key": "payment", "fields": [
        {"name": "partner", "type": "text"}, _dec("amount"), _dec("unapplied"), _select("draft", "posted")]},
    {"key": "balance", "title_field": "warehouse", "fields": [
        _link("item", "item"), {"name": "warehouse", "type": "text"}, _dec("on_hand", 3)],
     "indexes": [{"fields": ["item", "warehouse"], "unique": True}]},
    {"key": "part", "title_field": "name", "fields": [
        {"name": "name", "type": "text"}, {"name": "bom", "type": "child_table", "entity": "bom_line"}]},
    {"key": "bom_line", "child": True, "fields": [_link("component", "part"), _dec("qty", 3)]},
    {"key": "requirement", "fields": [_link("product", "part"), _dec("qty", 3)]},
    {"key": "reservation", "fields": [_link("item", "item"), _dec("qty", 3), _select("open", "reserved")]},
]

FIFO = [  # consume `line.qty` of the line's item from its layers, oldest first; the cost taken into the line
    {"type": "let", "vars": {"left": "line.qty", "cost": "0"}},
    {"type": "for_each", "entity": "layer", "as": "layer", "order": ["received_on"],
     "where": "layer.item = line.item and layer.remaining > 0", "actions": [
         {"type": "let", "vars": {"take": "MIN(vars.left, layer.remaining)"}},
         {"type": "update", "entity": "layer", "id": "layer.id", "values": {"remaining": "row.remaining - vars.take"}},
         {"type": "let", "vars": {"left": "vars.left - vars.take",
                                  "cost": "vars.cost + vars.take * layer.unit_cost"}},
         {"type": "stop", "when": "vars.left = 0"}]},
    {"type": "update", "entity": "item", "id": "line.item", "values": {"on_hand": "row.on_hand - line.qty"}},
]

PROCESSES: list[dict[str, Any]] = [
    {"key": "order_flow", "entity": "order", "state_field": "state", "states": [
        {"key": "draft"}, {"key": "confirmed", "phase": "submitted"}, {"key": "cancelled", "phase": "cancelled"}],
     "transitions": [
         {"key": "confirm", "from": ["draft"], "to": "confirmed", "vars": {"delivery": {"type": "integer"}},
          "actions": [
              {"type": "create", "key": "delivery", "entity": "delivery", "into": "delivery",
               "values": {"order": "id", "number": "number & '-D'"},
               "lines": [{"from": "lines", "to": "lines", "where": "line.qty - line.delivered > 0",
                          "values": {"item": "line.item", "qty": "line.qty - line.delivered",
                                     "order_line": "line.id"},
                          "back": {"field": "order_line", "add": {"delivered": "qty"}},
                          "over": {"ordered": "qty", "delivered": "delivered", "allowance": "10"}}]}]},
         {"key": "cancel", "from": ["confirmed"], "to": "cancelled"}]},
    {"key": "delivery_flow", "entity": "delivery", "state_field": "state", "states": [
        {"key": "draft"}, {"key": "done", "phase": "submitted"}, {"key": "cancelled", "phase": "cancelled"}],
     "transitions": [
         {"key": "ship", "from": ["draft"], "to": "done",
          "vars": {"left": {"type": "decimal"}, "take": {"type": "decimal"}, "cost": {"type": "decimal"},
                   "total": {"type": "decimal", "value": "0"}},
          "actions": [
              {"type": "for_each", "lines": "lines", "actions": [
                  *FIFO, {"type": "let", "vars": {"total": "vars.total + vars.cost"}}]},
              {"type": "set", "values": {"value": "vars.total"}},
              {"type": "post_ledger", "key": "cogs", "entity": "journal",
               "balance": {"debit": "debit", "credit": "credit"},
               "rows": [{"values": {"account": "'cogs'", "debit": "value", "credit": "0", "document": "id"}},
                        {"values": {"account": "'stock'", "debit": "0", "credit": "value", "document": "id"}}]}]},
         {"key": "cancel", "from": ["done"], "to": "cancelled", "actions": [
             {"type": "reverse_ledger", "entity": "journal", "swap": [["debit", "credit"]],
              "values": {"memo": "'reversal'"}},
             {"type": "for_each", "lines": "lines", "actions": [
                 {"type": "update", "entity": "item", "id": "line.item",
                  "values": {"on_hand": "row.on_hand + line.qty"}},
                 {"type": "update", "entity": "order_line", "id": "line.order_line",
                  "values": {"delivered": "row.delivered - line.qty"}}]}]}]},
    {"key": "payment_flow", "entity": "payment", "state_field": "state",
     "states": [{"key": "draft"}, {"key": "posted", "phase": "submitted"}],
     "transitions": [
         {"key": "post", "from": ["draft"], "to": "posted",
          "vars": {"left": {"type": "decimal", "value": "amount"}, "take": {"type": "decimal"}},
          "actions": [
              {"type": "for_each", "entity": "invoice", "as": "inv", "order": ["due_on"],
               "where": "inv.partner = partner and inv.open > 0", "actions": [
                   {"type": "let", "vars": {"take": "MIN(vars.left, inv.open)"}},
                   {"type": "update", "entity": "invoice", "id": "inv.id", "values": {"open": "row.open - vars.take"}},
                   {"type": "let", "vars": {"left": "vars.left - vars.take"}},
                   {"type": "stop", "when": "vars.left = 0"}]},
              {"type": "set", "values": {"unapplied": "vars.left"}}]}]},
    {"key": "reservation_flow", "entity": "reservation", "state_field": "state",
     "states": [{"key": "open"}, {"key": "reserved", "phase": "submitted"}],
     "transitions": [{"key": "reserve", "from": ["open"], "to": "reserved", "actions": [
         {"type": "update", "key": "take", "entity": "item", "id": "item", "values": {"on_hand": "row.on_hand - qty"}}]}]},
]

ACTION_LISTS: list[dict[str, Any]] = [
    {"key": "explode", "entity": "part", "params": {"qty": {"type": "decimal", "value": "1"}},
     "actions": [{"type": "for_each", "lines": "bom", "actions": [
         {"type": "create", "entity": "requirement",
          "values": {"product": "line.component", "qty": "params.qty * line.qty"}},
         {"type": "call", "list": "explode", "record": "line.component",
          "params": {"qty": "params.qty * line.qty"}}]}]},
]


def trade_app(**overrides: Any) -> dict[str, Any]:
    """The app definition (a fresh copy); keyword arguments replace its sections."""
    app = {"key": "trade", "version": "1.0.0", "label": {"en": "Trade", "zh-CN": "贸易"},
           "entities": ENTITIES, "processes": PROCESSES, "action_lists": ACTION_LISTS}
    return copy.deepcopy({**app, **overrides})
