"""The collection years the product can produce, newest first. A new year: copy the newest module,
change what the DfE changed, add it here."""

from . import y2026

YEARS = {definition.year: definition for definition in (y2026.YEAR,)}
LATEST = max(YEARS)
