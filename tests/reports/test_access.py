"""Who may open the dashboard and the reports, and that nobody sees another area's rows in any
figure, list or download."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from advice.models import ItemStatus, Stage
from ehc.models import Role

from ..factories import CaseFactory, LocalAuthorityFactory, UserFactory
from .helpers import item

DASHBOARD_PAGES = ["reports:dashboard", "reports:items", "reports:items_csv"]
REPORT_PAGES = [
    "reports:index",
    "reports:audit",
    "reports:monthly",
    "reports:timeliness",
]
REPORT_DOWNLOADS = [
    ("reports:audit", "csv"),
    ("reports:monthly", "csv"),
    ("reports:timeliness", "csv"),
    ("reports:audit", "pdf"),
]


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("name", DASHBOARD_PAGES + REPORT_PAGES)
@pytest.mark.parametrize("who", ["dco", "ad", "business_support"])
def test_dco_and_la_managers_open_every_page(ours, login, on_today, name, who):
    response = login(getattr(ours, who)).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_case_officers_open_the_reports(ours, login, on_today, name):
    assert login(ours.case_officer).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", DASHBOARD_PAGES)
def test_case_officers_do_not_get_the_dashboard(ours, login, on_today, name):
    assert login(ours.case_officer).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", DASHBOARD_PAGES + REPORT_PAGES)
@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "head_of_service"])
def test_provider_staff_get_404(ours, login, on_today, name, who):
    assert login(getattr(ours, who)).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", DASHBOARD_PAGES + REPORT_PAGES)
def test_people_without_a_role_get_404(ours, login, on_today, name):
    administrator = UserFactory(username="admin-ours", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    orphan = UserFactory(username="orphan", organisation=None, roles=[Role.DCO])
    # A DCO role on an LA account is a misconfiguration, not a way into the ICB's figures.
    misfiled = UserFactory(username="misfiled", organisation=ours.la, roles=[Role.DCO])
    for user in (administrator, orphan, misfiled):
        assert login(user).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", DASHBOARD_PAGES + REPORT_PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_posting_is_refused(ours, login, on_today):
    assert login(ours.dco).post(reverse("reports:dashboard")).status_code == 405


@pytest.fixture
def overdue_item(ours, on_today):
    return item(
        ours,
        notified_on=on_today - datetime.timedelta(days=60),
        stage=Stage.CHASED,
        chased_on=on_today - datetime.timedelta(days=17),
    )


def test_another_areas_dco_sees_none_of_it(ours, theirs, login, on_today, overdue_item):
    reference = overdue_item.case.reference
    mine = login(ours.dco)
    assert reference in mine.get(reverse("reports:items")).content.decode()
    assert mine.get(reverse("reports:dashboard")).context["figures"].total == 1

    other = login(theirs.dco)
    dashboard = other.get(reverse("reports:dashboard"))
    assert dashboard.context["figures"].total == 0
    assert all(count == 0 for _, _, count in dashboard.context["figures"].stages)
    assert dashboard.context["figures"].by_provider == []
    assert reference not in other.get(reverse("reports:items")).content.decode()
    rows = _csv_rows(other.get(reverse("reports:items_csv")))
    assert len(rows) == 1  # the header only
    audit = other.get(reverse("reports:audit"), {"start_0": 1, "start_1": 1, "start_2": 2026})
    assert audit.context["report"].totals["requested"] == 0
    monthly = other.get(reverse("reports:monthly"))
    assert monthly.context["report"].totals["requests"] == 0


def test_a_hand_typed_id_from_another_area_is_an_error_not_a_leak(
    ours, theirs, login, on_today, overdue_item
):
    other = login(theirs.dco)
    for params in ({"provider": ours.provider.pk}, {"team": ours.slt.pk}, {"la": ours.la.pk}):
        response = other.get(reverse("reports:items"), params)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert overdue_item.case.reference not in page
        # The CSV sends the person back to the list to see what is wrong.
        csv_response = other.get(reverse("reports:items_csv"), params)
        assert csv_response.status_code == 302
    # A missing id gets exactly the same answer as another area's.
    missing = other.get(reverse("reports:items"), {"provider": 999999})
    assert missing.status_code == 200
    assert "Select a provider from the list" in missing.content.decode()
    report = other.get(reverse("reports:audit"), {"provider": ours.provider.pk})
    assert "Select a provider from the list" in report.content.decode()
    assert report.context["report"] is None


def test_another_las_case_officer_sees_none_of_it(ours, theirs, login, on_today, overdue_item):
    other = login(theirs.case_officer)
    audit = other.get(reverse("reports:audit"), {"start_0": 1, "start_1": 1, "start_2": 2026})
    assert audit.context["report"].totals["requested"] == 0
    assert overdue_item.case.reference not in audit.content.decode()
    rows = _csv_rows(
        other.get(
            reverse("reports:audit"),
            {"start_0": 1, "start_1": 1, "start_2": 2026, "format": "csv", "table": "teams"},
        )
    )
    assert rows[-1][2] == "0"  # the "all teams" row: requested


def test_another_providers_spoc_gets_404_everywhere(ours, theirs, login, on_today, overdue_item):
    spoc = login(theirs.spoc)
    for name in DASHBOARD_PAGES + REPORT_PAGES:
        assert spoc.get(reverse(name)).status_code == 404
    for name, fmt in REPORT_DOWNLOADS:
        assert spoc.get(reverse(name), {"format": fmt}).status_code == 404


def test_la_staff_see_their_own_la_only_and_a_dco_sees_the_whole_area(ours, login, on_today, overdue_item):
    neighbour = LocalAuthorityFactory(name="Council Neighbour", short_name="LA-N", icb=ours.icb)
    ours.provider.served_las.add(neighbour)
    next_door = item(
        ours,
        la=neighbour,
        notified_on=on_today - datetime.timedelta(days=50),
        stage=Stage.CHASED,
        chased_on=on_today - datetime.timedelta(days=7),
    )
    neighbour_ad = UserFactory(username="ad-neighbour", organisation=neighbour, roles=[Role.AD_EDUCATION])

    ad_page = login(ours.ad).get(reverse("reports:items")).content.decode()
    assert overdue_item.case.reference in ad_page
    assert next_door.case.reference not in ad_page

    neighbour_page = login(neighbour_ad).get(reverse("reports:items")).content.decode()
    assert next_door.case.reference in neighbour_page
    assert overdue_item.case.reference not in neighbour_page

    dco = login(ours.dco)
    assert dco.get(reverse("reports:dashboard")).context["figures"].total == 2
    only_neighbour = dco.get(reverse("reports:dashboard"), {"la": neighbour.pk})
    assert only_neighbour.context["figures"].total == 1
    # An LA user may not pick another LA, even in the same area.
    assert (
        "There is a problem"
        in login(ours.ad).get(reverse("reports:items"), {"la": neighbour.pk}).content.decode()
    )


def test_a_case_shared_with_an_officer_is_not_counted_as_their_las(ours, theirs, login, on_today):
    shared = CaseFactory(
        local_authority=theirs.la,
        received_on=datetime.date(2026, 1, 5),
        decision_on=datetime.date(2026, 2, 2),
        decided_to_assess=True,
    )
    assign_perm("assessments.view_case", ours.case_officer, shared)
    response = login(ours.case_officer).get(
        reverse("reports:timeliness"),
        {"start_0": 1, "start_1": 1, "start_2": 2026, "end_0": 31, "end_1": 3, "end_2": 2026},
    )
    assert response.context["report"].totals["decisions"] == 0


def test_items_of_other_statuses_are_not_on_the_dashboard(ours, login, on_today):
    item(
        ours,
        notified_on=on_today - datetime.timedelta(days=60),
        status=ItemStatus.RETURNED,
        returned_on=on_today - datetime.timedelta(days=1),
    )
    assert login(ours.dco).get(reverse("reports:dashboard")).context["figures"].total == 0


def test_the_reports_index_links_what_each_person_may_open(ours, login, on_today):
    for who, sees_dashboard in (("case_officer", False), ("ad", True), ("dco", True)):
        page = login(getattr(ours, who)).get(reverse("reports:index")).content.decode()
        for name in ("reports:audit", "reports:monthly", "reports:timeliness"):
            assert f'href="{reverse(name)}"' in page
        main = page.split('id="main-content"')[1]
        assert (f'href="{reverse("reports:dashboard")}"' in main) is sees_dashboard
