"""Bad input gets a clear GOV.UK error, keeps what was typed, and changes nothing."""

import datetime
import html
import os

import pytest
from django.urls import reverse

from advice.models import AdviceItem, AdviceRequest, AdviceReturn, ItemStatus, KnownStatus
from advice.services import NOT_INVOLVED
from assessments.models import CaseStatus, DraftComment, DraftPlan
from ehc.models import OutboundEmail, Service

from .conftest import NOTIFIED, date_fields, request_advice
from .files import HTML_BYTES, docx_with_macros, docx_zip_bomb, pdf_bytes, upload

TYPED = "Needs typed before the upload failed: keep me."


@pytest.fixture
def item(ours, case, travel):
    """SLT's outstanding item, a week after the SPOC was notified."""
    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    travel(NOTIFIED + datetime.timedelta(days=7))
    return advice_request.items.get(team=ours.slt)


def _stored_files(root):
    return [name for _, _, names in os.walk(root) for name in names]


def _errors(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    return html.unescape(page)


def _nothing_returned(item):
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    assert item.next_action_on == item.due_on
    assert not AdviceReturn.objects.filter(item=item).exists()
    assert not OutboundEmail.objects.filter(kind="advice_returned").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("advice.pdf", HTML_BYTES, "The selected file must be a PDF or a Word document (.docx)"),
        ("advice.docx", docx_with_macros(), "The selected Word document contains macros"),
        ("advice.docx", docx_zip_bomb(60), "save it as a PDF and upload that"),
        ("advice.pdf", b"", "The selected file is empty"),
        ("advice.pdf", pdf_bytes(padding=4000), "The selected file must be smaller than 2 KB"),
    ],
    ids=["renamed-html", "docx-macros", "zip-bomb", "empty", "oversized"],
)
def test_a_rejected_file_gives_an_error_and_keeps_the_typed_fields(
    item, ours, login, settings, tmp_path, name, content, message
):
    if "smaller than" in message:
        settings.ADVICE_UPLOAD_MAX_BYTES = 2048
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]),
        {
            "document": upload(name, content),
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=7)),
            "description_of_needs": TYPED,
            "how_often_seen": "Fortnightly",
        },
    )
    page = _errors(response)
    assert message in page
    assert TYPED in page and 'value="Fortnightly"' in page
    assert 'name="returned_on_0" value="21"' in page
    _nothing_returned(item)
    assert _stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (NOTIFIED + datetime.timedelta(days=8), "Date the advice was returned must be today or in the past"),
        (NOTIFIED - datetime.timedelta(days=1), "must be on or after the date the advice was requested"),
    ],
    ids=["future", "before-request"],
)
def test_a_return_date_in_the_future_or_before_the_request_is_refused(item, ours, login, day, message):
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]),
        {
            "document": upload("advice.pdf", pdf_bytes()),
            **date_fields("returned_on", day),
            "description_of_needs": TYPED,
        },
    )
    assert message in _errors(response)
    _nothing_returned(item)


def test_a_not_a_date_is_refused(item, ours, login):
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]),
        {"returned_on_0": "31", "returned_on_1": "2", "returned_on_2": "2026", "description_of_needs": TYPED},
    )
    assert "Date the advice was returned must be a real date" in _errors(response)
    _nothing_returned(item)


def test_over_long_advice_is_refused(item, ours, login):
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]),
        {
            **date_fields("returned_on", NOTIFIED),
            "description_of_needs": "x" * 10001,
            "provision_required": "p",
            "outcomes": "o",
        },
    )
    assert "Description of needs must be 10,000 characters or fewer" in _errors(response)
    _nothing_returned(item)


def test_neither_upload_nor_structured_advice_is_refused(item, ours, login):
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]), date_fields("returned_on", NOTIFIED)
    )
    assert "Upload the advice, or complete the needs, provision and outcomes" in _errors(response)
    response = login(ours.slt_practitioner).post(
        reverse("advice:item_return", args=[item.pk]),
        {**date_fields("returned_on", NOTIFIED), "description_of_needs": TYPED},
    )
    page = _errors(response)
    assert "Enter provision required to meet the needs" in page and TYPED in page
    _nothing_returned(item)


def test_not_provided_needs_a_reason_who_decided_and_a_sensible_date(item, ours, login):
    url = reverse("advice:item_not_provided", args=[item.pk])
    client = login(ours.spoc)
    page = _errors(client.post(url, {"detail": "Typed detail", **date_fields("decided_on", NOTIFIED)}))
    assert "Select why the advice will not be provided" in page
    assert "Enter who decided that the advice will not be provided" in page
    assert "Typed detail" in page
    page = _errors(
        client.post(
            url,
            {
                "reason": "capacity",
                "detail": "d",
                "decided_by": "x" * 201,
                **date_fields("decided_on", NOTIFIED + datetime.timedelta(days=30)),
            },
        )
    )
    assert "Who decided must be 200 characters or fewer" in page
    assert "Date of the decision must be today or in the past" in page
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING and not item.not_provided_reason


def test_an_exception_needs_a_reason_and_details(item, ours, login):
    page = _errors(login(ours.spoc).post(reverse("advice:item_exception", args=[item.pk]), {"detail": ""}))
    assert "Select the reason for the exception" in page and "Enter details" in page
    item.refresh_from_db()
    assert not item.exception_reason


def test_a_request_naming_a_service_the_provider_lacks_is_refused(ours, case, login, travel):
    travel(NOTIFIED)
    response = login(ours.case_officer).post(
        reverse("advice:request_create", args=[case.pk]),
        {
            "provider": ours.provider.pk,
            "services_named": [Service.SLT, Service.PHYSIOTHERAPY],
            "message": "Typed",
        },
    )
    page = _errors(response)
    assert "Provider Ours has no team for Physiotherapy: untick it or choose another provider" in page
    assert "Typed" in page
    assert not AdviceRequest.objects.exists() and not AdviceItem.objects.exists()


def test_a_request_to_a_provider_not_serving_the_la_is_refused(ours, theirs, case, login, travel):
    travel(NOTIFIED)
    response = login(ours.case_officer).post(
        reverse("advice:request_create", args=[case.pk]),
        {"provider": theirs.provider.pk, "services_named": [Service.SLT]},
    )
    assert "Select a health provider from the list" in _errors(response)
    assert not AdviceRequest.objects.exists()


def test_a_request_without_the_familys_views_is_refused(ours, case, login, travel):
    travel(NOTIFIED)
    case.family_views = ""
    case.save()
    response = login(ours.case_officer).post(
        reverse("advice:request_create", args=[case.pk]),
        {"provider": ours.provider.pk, "services_named": [Service.SLT]},
    )
    assert "Record the family's views in the case details first" in _errors(response)
    assert not AdviceRequest.objects.exists()


def test_removing_a_named_team_needs_a_reason(item, ours, login):
    url = reverse("advice:acknowledge", args=[item.request_id])
    data = {
        f"team_{ours.slt.pk}": KnownStatus.KNOWN_OPEN,
        f"team_{ours.ot.pk}": NOT_INVOLVED,
        f"team_{ours.paeds.pk}": NOT_INVOLVED,
        "note": "Typed note",
    }
    page = _errors(login(ours.spoc).post(url, data))
    assert f"Enter why {ours.ot.name} is not involved" in page and "Typed note" in page
    page = _errors(login(ours.spoc).post(url, {**data, f"reason_{ours.ot.pk}": "r" * 1001}))
    assert "The reason must be 1,000 characters or fewer" in page
    item.request.refresh_from_db()
    assert not item.request.is_acknowledged
    assert item.request.items.filter(status=ItemStatus.OUTSTANDING).count() == 2


def test_each_team_needs_an_answer(item, ours, login):
    response = login(ours.spoc).post(
        reverse("advice:acknowledge", args=[item.request_id]), {f"team_{ours.slt.pk}": KnownStatus.KNOWN_OPEN}
    )
    assert f"Select whether {ours.ot.name} will respond and if the child is known" in _errors(response)


def test_draft_plan_dates_and_lengths_are_checked(ours, case, login, travel):
    travel(NOTIFIED)
    url = reverse("advice:draft_plan_record", args=[case.pk])
    client = login(ours.case_officer)
    page = _errors(
        client.post(
            url,
            {
                **date_fields("sent_on", case.received_on - datetime.timedelta(days=1)),
                "section_c": "Typed C",
                "section_g": "g" * 10001,
            },
        )
    )
    assert "must be on or after the date the request was received" in page
    assert "Section G: health provision must be 10,000 characters or fewer" in page
    assert "Typed C" in page
    page = _errors(
        client.post(
            url,
            {
                **date_fields("sent_on", NOTIFIED + datetime.timedelta(days=1)),
                "section_c": "c",
                "section_g": "g",
            },
        )
    )
    assert "must be today or in the past" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING and not DraftPlan.objects.exists()


def test_an_over_long_comment_is_refused_and_kept(ours, case, login, travel):
    from advice.services import draft_plan_record

    from .conftest import return_advice

    travel(NOTIFIED)
    advice_request = request_advice(case, ours, services=[Service.SLT])
    return_advice(advice_request.items.get(), ours.slt_practitioner)
    draft_plan_record(case=case, user=ours.case_officer, sent_on=NOTIFIED, section_c="c", section_g="g")
    response = login(ours.slt_practitioner).post(
        reverse("advice:draft_comment", args=[case.pk]),
        {"team": ours.slt.pk, "section": "C", "text": "Typed " + "y" * 5000},
    )
    page = _errors(response)
    assert "Comment must be 5,000 characters or fewer" in page and "Typed yyy" in page
    assert not DraftComment.objects.exists()
