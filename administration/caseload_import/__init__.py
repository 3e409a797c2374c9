"""Bringing in the cases a council already has running: a CSV or XLSX file of open requests and
their health advice, checked in a dry run and imported in one transaction (decision
docs/decisions/0033-caseload-import.md). `columns` says what the file holds, `read` turns the bytes
into rows, `check` finds every error by row and column, `plan` gives each item its timer state under
the council's own rules, `write` saves it, `services` runs the workflow on a stored upload."""
