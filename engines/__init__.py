"""Interpreters of definitions: expressions, forms, workflow, reports."""
