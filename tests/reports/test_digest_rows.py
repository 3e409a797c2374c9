"""The weekly digest's rows (escalation.selectors.digest_rows): every overdue item of an LA, oldest
first, and with `per_provider` the oldest N of each provider's list with the list's full length."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import Service
from escalation.selectors import DIGEST_FIELDS, digest_rows

from ..factories import ProviderFactory, TeamFactory
from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)


@pytest.fixture
def overdue(ours, theirs, on_today):
    """Two providers' items in our LA (some overdue, some not yet due, some returned), and theirs."""
    second_provider = ProviderFactory(name="Digest Second", short_name="DS", spoc_email="spoc@ds.example")
    second_provider.served_las.add(ours.la)
    team = TeamFactory(provider=second_provider, name="Physio DS", service=Service.PHYSIOTHERAPY)
    second = SimpleNamespace(**{**vars(ours), "provider": second_provider, "slt": team})
    bulk_items(ours, count=60, start=on_today - 150 * DAY, days=140, today=on_today, seed=11)
    bulk_items(theirs, count=20, start=on_today - 150 * DAY, days=140, today=on_today, seed=12)
    for days in (44, 60, 61, 90, 20):
        item(second, notified_on=on_today - days * DAY)
    item(second, notified_on=on_today - 80 * DAY, status=ItemStatus.RETURNED, returned_on=on_today - DAY)
    return second_provider


def _expected(la, today):
    items = AdviceItem.objects.filter(local_authority=la, status=ItemStatus.OUTSTANDING, due_on__lt=today)
    lists = {}
    for advice in items.order_by("due_on", "id"):
        lists.setdefault(advice.provider_id, []).append(advice.pk)
    return lists


def test_every_overdue_item_oldest_first_in_one_query(ours, on_today, overdue):
    with CaptureQueriesContext(connection) as queries:
        rows = digest_rows(la_id=ours.la.pk, today=on_today)
    assert len(queries) == 1
    lists = {}
    for row in rows:
        lists.setdefault(row["provider_id"], []).append(row["id"])
    assert lists == _expected(ours.la, on_today)
    assert len(lists[overdue.pk]) == 4
    assert [row["due_on"] for row in rows] == sorted(row["due_on"] for row in rows)
    first = rows[0]
    assert set(first) == {*DIGEST_FIELDS, "days_overdue", "stage_label"}
    assert first["days_overdue"] == (on_today - first["due_on"]).days
    assert first["stage_label"] == Stage(first["stage"]).label


@pytest.mark.parametrize("limit", [1, 3, 500])
def test_the_oldest_n_of_each_providers_list_with_its_length(ours, on_today, overdue, limit):
    expected = _expected(ours.la, on_today)
    with CaptureQueriesContext(connection) as queries:
        rows = digest_rows(la_id=ours.la.pk, today=on_today, per_provider=limit)
    assert len(queries) == 1
    lists, counts = {}, {}
    for row in rows:
        lists.setdefault(row["provider_id"], []).append(row["id"])
        counts.setdefault(row["provider_id"], set()).add(row["overdue_count"])
    assert lists == {provider: ids[:limit] for provider, ids in expected.items()}
    assert counts == {provider: {len(ids)} for provider, ids in expected.items()}
    # The rows are the same rows the full digest gives, fields and all.
    full = {row["id"]: row for row in digest_rows(la_id=ours.la.pk, today=on_today)}
    for row in rows:
        assert {key: value for key, value in row.items() if key != "overdue_count"} == full[row["id"]]


def test_nothing_of_another_la(ours, theirs, on_today, overdue):
    theirs_ids = set(AdviceItem.objects.filter(local_authority=theirs.la).values_list("pk", flat=True))
    for per_provider in (None, 2):
        rows = digest_rows(la_id=ours.la.pk, today=on_today, per_provider=per_provider)
        assert rows and not {row["id"] for row in rows} & theirs_ids
