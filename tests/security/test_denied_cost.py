"""Issue 13, finding 5 (part): another organisation's object and a missing one cost the same.

Both answer 404 with the same body, after the same queries (the visible lookup, one existence
check, one audit row: denied access for the one that exists, a missing record for the other), so
neither the answer nor its timing tells an outsider that the object exists.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ehc.models import AuditAction, AuditEvent

from .test_access_matrix import MISSING, objects_for

pytestmark = pytest.mark.django_db

ROUTES = [
    ("assessments:case_detail", "case"),
    ("advice:document_download", "returned_item"),
    ("escalation:letter_download", "letter"),
]


def _shape(sql):
    """A statement with its literals (ids, the audit row's words) taken out, to compare what each
    path ran."""
    return re.sub(r"\b\d+\b", "N", re.sub(r"'(?:[^']|'')*'", "S", sql))


@pytest.mark.parametrize("route,source", ROUTES)
@pytest.mark.parametrize("outsider", ["case_officer", "spoc", "dco"])
def test_a_denied_object_costs_what_a_missing_one_costs(ours, theirs, login, route, source, outsider):
    found = objects_for({"ours": ours})["ours"]
    client = login(getattr(theirs, outsider))
    denied_url, missing_url = reverse(route, args=[found[source].pk]), reverse(route, args=[MISSING])
    client.get(missing_url)  # warm: the session and the two-factor device are read alike after this
    with CaptureQueriesContext(connection) as denied_queries:
        denied = client.get(denied_url)
    with CaptureQueriesContext(connection) as missing_queries:
        missing = client.get(missing_url)
    assert denied.status_code == missing.status_code == 404
    assert denied.content.replace(denied_url.encode(), b"") == missing.content.replace(missing_url.encode(), b"")
    assert len(denied_queries) == len(missing_queries)
    assert [_shape(q["sql"]) for q in denied_queries] == [_shape(q["sql"]) for q in missing_queries]
    actions = list(AuditEvent.objects.filter(actor=getattr(theirs, outsider)).values_list("action", flat=True))
    assert actions.count(AuditAction.DENIED) == 1 and actions.count(AuditAction.NOT_FOUND) == 2
