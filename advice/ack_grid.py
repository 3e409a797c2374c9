"""The acknowledgement as one grid (team x answer) for a provider with many teams
(advice.ack_forms.AcknowledgeForm, templates/advice/_acknowledge_grid.html; decision 0035)."""

from .models import KnownStatus
from .services import NOT_INVOLVED

ACK_CHOICES = [
    (KnownStatus.KNOWN_OPEN, "Will respond: known, open to the team now"),
    (KnownStatus.KNOWN_CLOSED, "Will respond: known, closed within the last 12 months"),
    (KnownStatus.NOT_KNOWN, "Will respond: not known to the team"),
    (KnownStatus.WAITING_LIST, "Will respond: on the team's waiting list"),
    (NOT_INVOLVED, "Not involved"),
]
# A provider with this many teams answers in one grid rather than a column of radios per team:
# 9 teams made 45 radios one under another.
GRID_FROM_TEAMS = 9
# The answers as the grid's column headings: "Will respond" heads the first four.
ACK_SHORT = {
    KnownStatus.KNOWN_OPEN: "Known, open now",
    KnownStatus.KNOWN_CLOSED: "Known, closed in the last 12 months",
    KnownStatus.NOT_KNOWN: "Not known",
    KnownStatus.WAITING_LIST: "On the waiting list",
    NOT_INVOLVED: "Not involved",
}


def grid_rows(rows, columns):
    """Each team's row: its bound field, its reason field and a cell per answer in `columns` (None
    where that answer is not open to it: an item already returned cannot be 'not involved'). A
    cell's id is the one the error summary links to (`id_team_<pk>_<n>`, n from 1 in the field's
    choices)."""
    grid = []
    for team, status_field, reason_field in rows:
        current = str(status_field.value() or "")
        cells = {
            str(value): {
                "value": value,
                "label": label,
                "id": f"{status_field.auto_id}_{index}",
                "checked": current == str(value),
            }
            for index, (value, label) in enumerate(status_field.field.choices, start=1)
        }
        grid.append(
            {
                "team": team,
                "field": status_field,
                "reason": reason_field,
                "cells": [cells.get(str(value)) for value in columns],
            }
        )
    return grid
