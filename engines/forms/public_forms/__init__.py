"""Public forms: a form of an app published at an unguessable link for people without an account.

    view = form_view(ctx, token)                          # the fields to show and a signed opening ticket
    submit(kernel, token, {"values": {...}, "ticket": view["ticket"], "website": ""}, ip="10.0.0.1")
    switch_on(scope, "crm", "contact")                    # the admin side: on, off, rotate (links.py)
"""
from __future__ import annotations

from .errors import TooManySubmissionsError
from .install import install
from .links import list_public_forms, rotate, switch_off, switch_on
from .runtime import form_view, submit

__all__ = ["TooManySubmissionsError", "form_view", "install", "list_public_forms", "rotate", "submit",
           "switch_off", "switch_on"]
