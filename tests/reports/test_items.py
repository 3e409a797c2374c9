"""The filtered list: filters, sort, keyset pages, and the CSV of exactly what is filtered."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import AuditAction, AuditEvent
from reports.selectors import items as item_selectors

from ..factories import AdviceRequestFactory, CaseFactory, TeamFactory
from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _walk(client, params):
    """Follow the list's 'next page' links to the end; returns the references in order."""
    references, query, pages = [], dict(params), 0
    while True:
        response = client.get(reverse("reports:items"), query)
        page = response.context["page"]
        references += [row.case.reference + ":" + row.team.name for row in page.rows]
        pages += 1
        if not page.next_cursor:
            return references, pages
        query = {**params, "after": page.next_cursor}


@pytest.mark.parametrize("sort", ["due", "-due"])
def test_keyset_pages_cover_every_row_once_in_order(ours, login, on_today, monkeypatch, sort):
    bulk_items(ours, count=75, start=on_today - 100 * DAY, days=100, today=on_today, seed=11)
    monkeypatch.setattr(item_selectors, "PAGE_SIZE", 10)
    client = login(ours.dco)
    references, pages = _walk(client, {"sort": sort})
    expected = list(
        AdviceItem.objects.filter(local_authority=ours.la, status=ItemStatus.OUTSTANDING)
        .order_by(*(["due_on", "id"] if sort == "due" else ["-due_on", "-id"]))
        .values_list("case__reference", "team__name")
    )
    assert references == [f"{ref}:{team}" for ref, team in expected]
    assert pages == -(-len(expected) // 10)
    # The CSV has every row of every page, in the same order.
    rows = _csv(client.get(reverse("reports:items_csv"), {"sort": sort}))[1:]
    assert [f"{row[0]}:{row[4]}" for row in rows] == references


def test_a_cursor_that_does_not_parse_starts_from_the_top(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    response = login(ours.dco).get(reverse("reports:items"), {"after": "yesterday.<script>"})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 1


def test_filters_combine_and_the_csv_has_exactly_the_filtered_rows(ours, login, on_today):
    chased_slt = item(ours, notified_on=on_today - 50 * DAY, stage=Stage.CHASED, chased_on=on_today - 7 * DAY)
    item(
        ours,
        notified_on=on_today - 50 * DAY,
        team=ours.ot,
        stage=Stage.CHASED,
        chased_on=on_today - 7 * DAY,
    )
    item(ours, notified_on=on_today - 80 * DAY, stage=Stage.ESCALATION_1, escalation_1_on=on_today - 10 * DAY)
    item(ours, notified_on=on_today - 50 * DAY, status=ItemStatus.RETURNED, returned_on=on_today)
    client = login(ours.dco)
    params = {"team": ours.slt.pk, "stage": "chased", "age": "6-8"}
    response = client.get(reverse("reports:items"), params)
    assert [row.pk for row in response.context["page"].rows] == [chased_slt.pk]
    assert "chased, requested 6 to 8 weeks ago" in response.content.decode().lower()
    rows = _csv(client.get(reverse("reports:items_csv"), params))
    assert rows[0][:3] == ["Reference", "Child", "Local authority"]
    assert [row[0] for row in rows[1:]] == [chased_slt.case.reference]
    row = rows[1]
    assert row[1] == chased_slt.case.child_name
    assert row[6] == chased_slt.due_on.isoformat()
    assert row[7] == str((on_today - chased_slt.due_on).days)
    assert row[8] == "Chased"
    assert row[11:] == ["Chased", (on_today - 7 * DAY).isoformat()]
    # The download is in the audit trail, with the filters it used.
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).get()
    assert "chased" in event.summary.lower()


def test_bad_filters_show_an_error_and_keep_what_was_typed(ours, login, on_today):
    response = login(ours.dco).get(reverse("reports:items"), {"stage": "lost", "sort": "sideways"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a stage from the list" in page
    assert response.context["page"] is None


def test_an_unknown_sort_is_the_default_order(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    response = login(ours.dco).get(reverse("reports:items"), {"sort": "sideways<script>"})
    assert response.status_code == 200
    assert response.context["sort"].value == "due"
    assert len(response.context["page"].rows) == 1


def test_csv_cells_that_look_like_formulas_are_quoted(ours, login, on_today):
    case = CaseFactory(
        local_authority=ours.la, first_name='=HYPERLINK("http://evil.example")', last_name="Lee"
    )
    team = TeamFactory(provider=ours.provider, name="@SUM(A1:A9)")
    request = AdviceRequestFactory(
        case=case, provider=ours.provider, notified_on=on_today - 50 * DAY, requested_by=ours.case_officer
    )
    item(ours, notified_on=request.notified_on, request=request, team=team)
    rows = _csv(login(ours.dco).get(reverse("reports:items_csv")))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example") Lee'
    assert rows[1][4] == "'@SUM(A1:A9)"
    assert rows[1][7] == "8"  # numbers are left as numbers


def test_last_action_is_the_latest_dated_event(ours, on_today):
    advice = item(
        ours,
        notified_on=on_today - 90 * DAY,
        stage=Stage.ESCALATION_2,
        chased_on=on_today - 47 * DAY,
        escalation_1_on=on_today - 34 * DAY,
        escalation_2_on=on_today - 20 * DAY,
        head_of_service_responded_at=timezone.now() - 3 * DAY,
    )
    advice.request.acknowledged_at = timezone.now() - 85 * DAY
    assert item_selectors.last_action(advice) == ("Head of service answered", on_today - 3 * DAY)
    advice.head_of_service_responded_at = None
    assert item_selectors.last_action(advice) == ("Escalation 2", on_today - 20 * DAY)
    fresh = item(ours, notified_on=on_today - 2 * DAY)
    assert item_selectors.last_action(fresh) == ("Requested", on_today - 2 * DAY)


def test_the_list_page_shows_the_columns_and_a_csv_link_with_the_same_filters(ours, login, on_today):
    advice = item(
        ours,
        notified_on=on_today - 60 * DAY,
        stage=Stage.ESCALATION_2,
        escalation_2_on=on_today - 2 * DAY,
        promised_on=on_today - 1 * DAY,
        exception_reason="away",
    )
    page = login(ours.dco).get(reverse("reports:items"), {"stage": "promise_passed"}).content.decode()
    assert advice.case.reference in page
    assert escape(advice.case.child_name) in page  # names like O'Brien come escaped
    assert "Promise passed" in page
    assert "Excepted" in page
    assert re.search(r'href="/reports/dashboard/advice\.csv\?stage=promise_passed"', page)
