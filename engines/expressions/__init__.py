"""Expression language: one grammar, a Python interpreter and a SQL compiler."""
