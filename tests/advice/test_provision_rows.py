"""Structured provision and outcomes in the return (issue 20): rows typed, added without JavaScript,
kept in a draft, checked with GOV.UK errors, carried to an amended version, and what is missing shown."""

import datetime

import pytest
from django.urls import reverse

from advice.drafts import ReturnDraft
from advice.models import AdviceItem, ItemStatus, ProvisionRow, ProvisionType
from advice.provision import DEFAULT_PROVISION_TYPES, Availability

from .conftest import NOTIFIED, date_fields, request_advice


@pytest.fixture
def slt_item(ours, case, travel):
    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    return AdviceItem.objects.get(request=advice_request, team=ours.slt)


def _types(la):
    from advice.provision import provision_types_seed

    provision_types_seed(la)
    return {row.name: row.pk for row in ProvisionType.objects.filter(local_authority=la)}


def management(provision=1, outcome=1):
    return {
        "provision-TOTAL_FORMS": str(provision),
        "provision-INITIAL_FORMS": "0",
        "outcome-TOTAL_FORMS": str(outcome),
        "outcome-INITIAL_FORMS": "0",
    }


def two_rows(types):
    """Direct therapy available now, and a programme not commissioned in this area; one outcome."""
    return {
        **management(provision=2, outcome=1),
        "provision-0-need": "Expressive language",
        "provision-0-provision_type_id": types[DEFAULT_PROVISION_TYPES[0]],
        "provision-0-quantity": "6",
        "provision-0-unit": "sessions",
        "provision-0-session_minutes": "45",
        "provision-0-frequency": "half_term",
        "provision-0-profession": "slt",
        "provision-0-duration": "3",
        "provision-0-duration_unit": "terms",
        "provision-0-availability": "available",
        "provision-1-need": "Social communication",
        "provision-1-provision_type_id": types[DEFAULT_PROVISION_TYPES[1]],
        "provision-1-quantity": "1",
        "provision-1-unit": "sessions",
        "provision-1-frequency": "week",
        "provision-1-profession": "setting_staff",
        "provision-1-setting_staff_may_deliver": "on",
        "provision-1-availability": "not_commissioned",
        "outcome-0-domain": "community_inclusion",
        "outcome-0-what": "Asks a friend to play at break",
        "outcome-0-by_when": "By the end of year 4",
        "outcome-0-how_we_know": "Setting staff observe three breaks a week",
    }


def return_with_rows(client, item, types, **extra):
    return client.post(
        reverse("advice:item_return", args=[item.pk]),
        {
            "action": "return",
            "draft_revision": 0,
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=5)),
            "description_of_needs": "Needs.",
            "provision_required": "See the rows.",
            "outcomes": "See the outcomes.",
            **two_rows(types),
            **extra,
        },
    )


def test_a_return_with_two_provision_rows(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    response = return_with_rows(slt, slt_item, types)
    assert response.status_code == 302, response.content.decode()
    slt_item.refresh_from_db()
    assert slt_item.status == ItemStatus.RETURNED
    rows = list(slt_item.advice_return.provision_rows.order_by("number"))
    assert [(r.number, r.availability) for r in rows] == [
        (1, Availability.AVAILABLE),
        (2, Availability.NOT_COMMISSIONED),
    ]
    assert rows[0].how_much == "6 sessions of 45 minutes per half term"
    assert rows[1].setting_staff_may_deliver is True
    assert slt_item.advice_return.outcome_rows.get().domain == "community_inclusion"
    # The case officer sees the rows and what is missing (row 2 gives no duration).
    page = login(ours.case_officer).get(reverse("advice:item_detail", args=[slt_item.pk])).content.decode()
    assert "Not commissioned in this area" in page
    assert "For how long (provision row 2)" in page
    assert "How well the child is known" in page


def test_a_document_only_return_lists_everything_missing(ours, slt_item, login, travel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advice.services import advice_return
    from advice.uploads import check_upload
    from tests.advice.files import pdf_bytes

    travel(NOTIFIED + datetime.timedelta(days=5))
    upload = SimpleUploadedFile("advice.pdf", pdf_bytes(), content_type="application/pdf")

    advice_return(
        item=slt_item,
        user=ours.slt_practitioner,
        returned_on=NOTIFIED + datetime.timedelta(days=5),
        content={},
        uploads=[(upload, check_upload(upload))],
    )
    slt_item.refresh_from_db()
    missing = slt_item.advice_return.missing_parts()
    assert "Description of needs" in missing
    assert any(part.startswith("Provision rows") for part in missing)
    assert any(part.startswith("Outcomes tied") for part in missing)


def test_add_another_posts_back_with_one_more_row_and_saves_nothing(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    data = {
        "draft_revision": 0,
        "description_of_needs": "Needs typed before adding",
        **management(provision=1, outcome=1),
        "provision-0-provision_type_id": types[DEFAULT_PROVISION_TYPES[0]],
        "provision-0-quantity": "6",
        "add_row": "provision",
    }
    response = slt.post(reverse("advice:item_return", args=[slt_item.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Provision 2" in page and "Provision 3" not in page
    assert 'name="provision-TOTAL_FORMS" value="2"' in page
    assert "Needs typed before adding" in page and 'value="6"' in page
    assert "There is a problem" not in page
    assert not ReturnDraft.objects.filter(item=slt_item).exists()
    slt_item.refresh_from_db()
    assert slt_item.status == ItemStatus.OUTSTANDING


def test_a_draft_keeps_its_rows_and_the_return_opens_on_them(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    response = slt.post(
        reverse("advice:item_return", args=[slt_item.pk]),
        {"action": "draft", "draft_revision": 0, **two_rows(types)},
    )
    assert response.status_code == 302, response.content.decode()
    draft = ReturnDraft.objects.get(item=slt_item)
    assert [row["availability"] for row in draft.provision_rows] == ["available", "not_commissioned"]
    assert draft.outcome_rows[0]["by_when"] == "By the end of year 4"
    page = slt.get(reverse("advice:item_return", args=[slt_item.pk])).content.decode()
    assert 'name="provision-TOTAL_FORMS" value="2"' in page
    assert "Asks a friend to play at break" in page
    # Returned from the draft (revision 1): the rows become the return's.
    response = return_with_rows(slt, slt_item, types, draft_revision=1)
    assert response.status_code == 302, response.content.decode()
    assert ProvisionRow.objects.filter(advice_return__item=slt_item).count() == 2
    # A draft saved with a type since retired opens with it still chosen.


def test_a_retired_type_stays_on_the_draft_that_used_it(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    slt.post(
        reverse("advice:item_return", args=[slt_item.pk]), {"action": "draft", "draft_revision": 0, **two_rows(types)}
    )
    ProvisionType.objects.filter(pk=types[DEFAULT_PROVISION_TYPES[1]]).update(is_active=False)
    page = slt.get(reverse("advice:item_return", args=[slt_item.pk])).content.decode()
    assert f'value="{types[DEFAULT_PROVISION_TYPES[1]]}" selected' in page


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"provision-1-wait_weeks": "12"}, "Provision 2: Give an expected wait only for a waiting list"),
        ({"provision-0-quantity": "six"}, "Provision 1: How many must be a whole number"),
        ({"provision-0-provision_type_id": "999999"}, "Provision 1: Select a type of provision from the list"),
        ({"provision-0-duration_unit": ""}, "Provision 1: Select weeks, months, terms or years"),
        ({"outcome-0-domain": "flying"}, "Outcome 1: Select preparing for adulthood domain from the list"),
        ({"provision-TOTAL_FORMS": "500"}, "Provision rows:"),
    ],
)
def test_bad_rows_show_errors_and_change_nothing(ours, slt_item, login, travel, bad, message):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    response = return_with_rows(slt, slt_item, types, **bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page.replace("&#x27;", "'")
    # What was typed is still there.
    assert "Asks a friend to play at break" in page
    slt_item.refresh_from_db()
    assert slt_item.status == ItemStatus.OUTSTANDING
    assert not ProvisionRow.objects.exists()


def test_an_amendment_opens_on_the_rows_and_the_new_version_has_its_own(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=5))
    types = _types(ours.la)
    slt = login(ours.slt_practitioner)
    assert return_with_rows(slt, slt_item, types).status_code == 302
    first = AdviceItem.objects.get(pk=slt_item.pk).advice_return
    page = slt.get(reverse("advice:item_amend", args=[slt_item.pk])).content.decode()
    assert 'name="provision-TOTAL_FORMS" value="2"' in page and "Social communication" in page
    data = {
        "reason": "The programme is now on a waiting list",
        "description_of_needs": "Needs.",
        "provision_required": "See the rows.",
        "outcomes": "See the outcomes.",
        **two_rows(types),
        "provision-1-availability": "waiting_list",
        "provision-1-wait_weeks": "18",
    }
    response = slt.post(reverse("advice:item_amend", args=[slt_item.pk]), data)
    assert response.status_code == 302, response.content.decode()
    amended = AdviceItem.objects.get(pk=slt_item.pk).advice_return
    assert amended.version == 2
    assert [r.availability for r in amended.provision_rows.order_by("number")] == ["available", "waiting_list"]
    # The superseded version keeps what it said.
    assert [r.availability for r in first.provision_rows.order_by("number")] == ["available", "not_commissioned"]
