"""Alembic migrations for the platform tables."""
