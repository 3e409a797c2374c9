"""The replica router and its opt-in (ehc.replica, decision 0040), without a replica server: where
each read and write is sent. tests/reports/test_replica_lag.py runs it against a real standby."""

import copy
import time

import pytest
from django.db import connections, router
from django.db.backends.postgresql.base import DatabaseWrapper
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, get_resolver, reverse

from ehc import replica
from ehc.celery import app
from ehc.replica import PRIMARY, REPLICA, ReplicaRouter, alias_for, reads_from, replica_reads

from ..factories import CaseFactory


@pytest.fixture
def replica_alias(db, settings, monkeypatch):
    """A `replica` alias as DATABASE_REPLICA_URL makes one, with the router installed and the
    replica said to be caught up. Its connection is the primary's, so a page read "on the replica"
    sees the test's own rows: these tests are about where reads are sent, not about lag."""
    settings.DATABASE_REPLICA_URL = "postgresql://replica.example/ehc"
    connections[REPLICA] = connections["default"]
    settings.DATABASE_ROUTERS = ["ehc.replica.ReplicaRouter"]
    lag = {"seconds": 0.0}
    monkeypatch.setattr(replica, "replica_lag", lambda: lag["seconds"])
    yield lag
    del connections[REPLICA]  # the primary's connection: not closed here


@replica_reads
def _where(request):
    return HttpResponse(reads_from())


def _get(user=None, session=None):
    request = RequestFactory().get("/reports/")
    request.session = session if session is not None else {}
    if user is not None:
        request.user = user
    return request


def test_without_a_replica_there_is_no_alias_no_router_and_every_read_is_on_the_primary(settings, db):
    assert REPLICA not in connections.settings
    assert not settings.DATABASE_REPLICA_URL
    assert not settings.DATABASE_ROUTERS
    assert _where(_get()).content.decode() == PRIMARY
    assert alias_for(_get()) == PRIMARY


def test_the_router_reads_where_the_view_opted_in_and_writes_on_the_primary(replica_alias):
    router = ReplicaRouter()
    from assessments.models import Case

    assert router.db_for_read(Case) == PRIMARY  # outside any opted-in view
    assert _where(_get()).content.decode() == REPLICA
    assert reads_from() == PRIMARY  # put back after the view
    assert router.db_for_write(Case) == PRIMARY
    assert router.allow_migrate(PRIMARY, "assessments") is True
    assert router.allow_migrate(REPLICA, "assessments") is False
    assert router.allow_migrate(REPLICA, "ehc", model_name="user") is False


def test_a_query_in_an_opted_in_view_goes_to_the_replica_and_its_writes_to_the_primary(replica_alias, ours):
    from assessments.models import Case

    seen = {}

    @replica_reads
    def view(request):
        seen["read"] = Case.objects.all().db
        seen["write"] = router.db_for_write(Case)
        return HttpResponse()

    view(_get())
    assert seen == {"read": REPLICA, "write": PRIMARY}
    assert Case.objects.all().db == PRIMARY


def test_anything_but_get_reads_the_primary(replica_alias):
    request = RequestFactory().post("/reports/")
    request.session = {}
    assert alias_for(request) == PRIMARY


def test_a_session_that_wrote_lately_reads_the_primary(replica_alias, settings):
    settings.DATABASE_REPLICA_STICKY = 60
    assert alias_for(_get(session={replica.WROTE_AT: time.time() - 5})) == PRIMARY
    assert alias_for(_get(session={replica.WROTE_AT: time.time() - 61})) == REPLICA


def test_a_replica_too_far_behind_or_down_is_not_read(replica_alias, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 30
    replica_alias["seconds"] = 29.0
    assert alias_for(_get()) == REPLICA
    replica_alias["seconds"] = 31.0
    assert alias_for(_get()) == PRIMARY
    replica_alias["seconds"] = float("inf")  # what replica_lag says when the replica does not answer
    assert alias_for(_get()) == PRIMARY


def test_the_lag_of_a_replica_that_does_not_answer_is_infinite_and_remembered(db, monkeypatch):
    conf = copy.deepcopy(connections["default"].settings_dict)
    conf.update(HOST="/nonexistent-socket-dir", PORT="5432")
    connections[REPLICA] = DatabaseWrapper(conf, REPLICA)
    replica.lag_forget()
    try:
        assert replica.replica_lag() == float("inf")
        # Asked again within LAG_CHECK_SECONDS: the answer remembered, no second connection.
        monkeypatch.setattr(connections[REPLICA], "cursor", lambda: pytest.fail("asked the replica again"))
        assert replica.replica_lag() == float("inf")
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        replica.lag_forget()


def test_a_streamed_csv_reads_where_its_view_did(replica_alias):
    @replica_reads
    def view(request):
        return StreamingHttpResponse(reads_from() for _ in range(2))

    response = view(_get())
    assert b"".join(response.streaming_content).decode() == REPLICA * 2


def test_a_celery_task_reads_the_primary_even_run_eagerly_inside_an_opted_in_view(replica_alias):
    @app.task(name="tests.replica_where")
    def where():
        return reads_from()

    seen = {}

    @replica_reads
    def view(request):
        seen["view"] = reads_from()
        seen["task"] = where.apply().get()
        seen["after"] = reads_from()
        return HttpResponse()

    view(_get())
    assert seen == {"view": REPLICA, "task": PRIMARY, "after": REPLICA}


def test_a_signed_in_post_marks_the_session_only_with_a_replica(ours, login, settings):
    client = login(ours.dco)
    query = {"page": "reports:items", "query": "stage=past_due", "name": "Past due"}
    client.post(reverse("saved_filter_save"), query)
    assert replica.WROTE_AT not in client.session


def test_a_signed_in_post_marks_the_session(replica_alias, ours, login):
    client = login(ours.dco)
    before = time.time()
    client.post(reverse("saved_filter_save"), {"page": "reports:items", "query": "stage=past_due", "name": "Due"})
    assert client.session[replica.WROTE_AT] >= before
    # And its next report page reads the primary.
    response = client.get(reverse("reports:items"))
    assert response.status_code == 200


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback
        else:
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))


def test_every_report_and_dashboard_opts_in_and_nothing_else_does():
    """The opt-in is explicit: every page under /reports/ (the dashboard, its list and CSV, the
    reports, the SEN2 return), and no other view of the product."""
    opted = {route for route, view in _views(get_resolver().url_patterns) if getattr(view, "reads_replica", False)}
    assert opted == {
        "reports/",
        "reports/dashboard/",
        "reports/dashboard/advice/",
        "reports/dashboard/advice.csv",
        "reports/non-return-audit/",
        "reports/monthly/",
        "reports/timeliness/",
        "reports/reviews/",
        "reports/review-health-reports/",
        "reports/commissioning/",
        "reports/commissioning/rows/",
        "reports/sen2/",
        "reports/sen2/return.xml",
    }


def test_an_opted_in_page_decides_access_on_the_primary(replica_alias, ours, theirs, login):
    """Who may see a report is decided before the reads move (the access decorator is outside)."""
    seen = []
    CaseFactory(local_authority=ours.la)
    from reports import views

    original = views._allowed

    def allowed(user, la_roles):
        seen.append(reads_from())
        return original(user, la_roles)

    views._allowed = allowed
    try:
        response = login(ours.dco).get(reverse("reports:index"))
    finally:
        views._allowed = original
    assert response.status_code == 200
    # The access decorator's check on the primary; the page's own (which links it shows) on the replica.
    assert seen == [PRIMARY, REPLICA]
