"""Jimu kernel: settings, database, definitions, storage, security, audit, jobs."""
