"""Field types: one registered class per type."""
