"""The definition registry: app/entity definitions, their validation and versions."""
