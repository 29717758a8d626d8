"""Routers of the HTTP API: they parse, authorise and call a service — no business rules here."""
