"""Storage: definitions become real SQL tables; schema changes are applied to live data."""
