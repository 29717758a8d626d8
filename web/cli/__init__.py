"""The `jimu` command line: database set-up, app definitions, record import and export."""
