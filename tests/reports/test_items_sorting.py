"""The outstanding advice list sorted by its columns (ehc.sorting), and the CSV of the rows ticked."""

import csv
import datetime
import io

import pytest
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditAction, AuditEvent, SavedFilter
from reports.selectors import items as item_selectors

from ..factories import TeamFactory
from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)
FIELDS = {key.key: key for key in item_selectors.SORT_KEYS}


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _walk(client, params):
    ids, query = [], dict(params)
    while True:
        response = client.get(reverse("reports:items"), query)
        assert response.status_code == 200
        page = response.context["page"]
        ids += [row.id for row in page.rows]
        if not page.next_cursor:
            return ids
        query = {**params, "after": page.next_cursor}


def _expected(la, sort):
    key = FIELDS[sort.removeprefix("-")]
    column = Lower(key.field) if key.kind == "text" else F(key.field)
    first = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    return list(
        AdviceItem.objects.filter(local_authority=la, status=ItemStatus.OUTSTANDING)
        .order_by(first, "-id" if sort.startswith("-") else "id")
        .values_list("id", flat=True)
    )


@pytest.mark.parametrize("sort", [f"{sign}{key}" for key in FIELDS for sign in ("", "-")])
def test_every_sort_pages_through_every_row_once_in_order(ours, login, on_today, monkeypatch, sort):
    bulk_items(ours, count=60, start=on_today - 100 * DAY, days=100, today=on_today, seed=5)
    # Ties and case: two children named alike but for case, a case with no reference yet.
    first, second = AdviceItem.objects.filter(status=ItemStatus.OUTSTANDING).order_by("id")[:2]
    first.case.child.last_name, second.case.child.last_name = "O'Neill", "o'neill"
    first.case.child.save()
    second.case.child.save()
    first.case.reference = None
    first.case.save()
    monkeypatch.setattr(item_selectors, "PAGE_SIZE", 4)
    client = login(ours.dco)
    walked = _walk(client, {"sort": sort})
    assert walked == _expected(ours.la, sort)
    assert len(walked) == len(set(walked)) > 2 * 4  # three pages at least
    # The whole CSV is in the same order as the pages.
    rows = _csv(client.get(reverse("reports:items_csv"), {"sort": sort}))[1:]
    by_id = dict(AdviceItem.objects.values_list("id", "case__reference"))
    assert [row[0] for row in rows] == [by_id[pk] or "" for pk in walked]


def test_text_sorts_ignore_case_and_empty_values_come_last(ours, login, on_today, monkeypatch):
    for team in ("beta", "Alpha", "Gamma"):
        item(ours, notified_on=on_today - 50 * DAY, team=TeamFactory(provider=ours.provider, name=team))
    monkeypatch.setattr(item_selectors, "PAGE_SIZE", 2)
    client = login(ours.dco)
    names = lambda params: [AdviceItem.objects.get(pk=pk).team.name for pk in _walk(client, params)]  # noqa: E731
    assert names({"sort": "team"}) == ["Alpha", "beta", "Gamma"]
    assert names({"sort": "-team"}) == ["Gamma", "beta", "Alpha"]


def test_headers_are_links_that_say_the_order(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    page = client.get(reverse("reports:items"), {"sort": "-provider", "stage": "past_due"}).content.decode()
    link = '<a class="govuk-link app-sort-link" href="?stage=past_due&amp;sort='
    assert f'aria-sort="descending">{link}provider">Provider' in page
    assert "sorted Z to A. Sort A to Z" in page
    assert f'aria-sort="none">{link}due">Due' in page
    assert page.count('aria-sort="descending"') == 1
    # The filter form keeps the order, so applying a filter does not lose it.
    assert '<input type="hidden" name="sort" value="-provider">' in page
    default = client.get(reverse("reports:items")).content.decode()
    assert 'aria-sort="ascending"><a class="govuk-link app-sort-link" href="?sort=-due">Due' in default


def test_a_cursor_from_another_sort_starts_from_the_top(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    for cursor in ("2026-01-01.5", "vnot-a-date.3", "v2026-01-01.x", "n"):
        response = login(ours.dco).get(reverse("reports:items"), {"sort": "due", "after": cursor})
        assert response.status_code == 200
        assert len(response.context["page"].rows) == 1


def test_a_saved_filter_keeps_the_sort(ours, login, on_today):
    client = login(ours.dco)
    response = client.post(
        reverse("saved_filter_save"),
        {"page": "reports:items", "query": "stage=past_due&sort=-team&after=v2026.1", "name": "By team"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=ours.dco)
    assert saved.query == "stage=past_due&sort=-team"
    page = client.get(reverse("reports:items") + "?" + saved.query)
    assert page.context["sort"].value == "-team"


def test_the_ticked_rows_csv_has_those_rows_only_in_the_same_columns(ours, theirs, login, on_today):
    mine = [item(ours, notified_on=on_today - (50 + n) * DAY) for n in range(3)]
    other_area = item(theirs, notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    full = _csv(client.get(reverse("reports:items_csv")))
    ticked = [str(mine[0].pk), str(mine[2].pk), str(other_area.pk), "nine", "-1"]
    rows = _csv(client.get(reverse("reports:items_csv"), {"ticked": "yes", "row": ticked}))
    assert rows[0] == full[0]
    wanted = {mine[0].case.reference, mine[2].case.reference}
    assert sorted(rows[1:]) == sorted(row for row in full[1:] if row[0] in wanted)
    assert other_area.case.reference not in str(rows)
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).latest("id")
    assert event.summary.startswith("Downloaded 3 ticked rows of the outstanding health advice list")


def test_the_ticked_rows_respect_the_filters_carried(ours, login, on_today):
    slt = item(ours, notified_on=on_today - 50 * DAY)
    ot = item(ours, notified_on=on_today - 50 * DAY, team=ours.ot)
    rows = _csv(
        login(ours.dco).get(
            reverse("reports:items_csv"), {"ticked": "yes", "team": ours.slt.pk, "row": [slt.pk, ot.pk]}
        )
    )
    assert [row[4] for row in rows[1:]] == [ours.slt.name]


def test_nothing_ticked_returns_to_the_list_with_a_message(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    response = client.get(reverse("reports:items_csv"), {"ticked": "yes", "stage": "past_due", "row": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:items") + "?stage=past_due"
    page = client.get(response["Location"]).content.decode()
    assert "Tick the rows to download first" in page


def test_the_list_has_a_labelled_checkbox_per_row_in_a_form(ours, login, on_today):
    advice = item(ours, notified_on=on_today - 50 * DAY)
    page = login(ours.dco).get(reverse("reports:items"), {"team": ours.slt.pk, "sort": "-due"}).content.decode()
    assert f'<form method="get" action="{reverse("reports:items_csv")}"' in page
    assert f'name="row" type="checkbox" value="{advice.pk}"' in page
    assert f'<span class="govuk-visually-hidden">Tick {advice.case.reference}, {ours.slt.name}</span>' in page
    assert f'<input type="hidden" name="team" value="{ours.slt.pk}">' in page
    assert "Download the rows you ticked as CSV" in page


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "case_officer", "head_of_service"])
def test_the_ticked_rows_download_is_closed_to_those_without_the_list(ours, login, on_today, who):
    advice = item(ours, notified_on=on_today - 50 * DAY)
    user = getattr(ours, who, None)
    if user is None:
        pytest.skip(f"no {who} in the test world")
    response = login(user).get(reverse("reports:items_csv"), {"ticked": "yes", "row": advice.pk, "sort": "-team"})
    assert response.status_code == 404
