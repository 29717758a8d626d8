"""Delivery: HTTP API, browser UI and the jimu CLI."""
