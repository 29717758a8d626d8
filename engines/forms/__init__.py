"""Forms engine: records, validation, defaults, formulas, rollups, numbering, import/export."""
