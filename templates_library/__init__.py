"""Template apps: JSON only, loaded as data."""
